"""Pricing interval load through schedules, tiers and demand charges: hand-worked months and NREL SAM."""
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from models.errors import DomainError
from models.readings.intervals import split_tou
from models.tariffs.interval_pricing import interval_quantities, price_year
from models.tariffs.rate_structures import RateStructure, Tier
from models.tariffs.sam import parse_tariff

SAM = Path(__file__).resolve().parents[3] / "../shared/data/interval_loads/nrel_sam"
D = Decimal


def grid(fn):
    return tuple(tuple(fn(m, h) for h in range(24)) for m in range(12))


def pln(**kw):
    """PLN's TOU split as a schedule: period 1 (WBP) 17:00-22:00 every day, period 0 (LWBP) the rest."""
    g = grid(lambda m, h: 1 if 17 <= h < 22 else 0)
    return RateStructure(name="PLN I-3", energy_weekday=g, energy_weekend=g,
                         energy_rates=((Tier(None, D(1000)),), (Tier(None, D(1500)),)), **kw)


def year_of(kw, year=2018):
    days = 366 if year % 4 == 0 else 365
    return [D(kw)] * (days * 24)


def month(result, m):
    found = result["months"][m - 1]
    return {line["label"]: line["amount"] for line in found["lines"]}, found["total"]


def test_two_period_tou_month():
    # 2 kW all January 2018: WBP 31 d x 5 h x 2 kW = 310 kWh x 1,500 = 465,000;
    # LWBP 31 d x 19 h x 2 kW = 1,178 kWh x 1,000 = 1,178,000; month 1,643,000.
    lines, total = month(price_year(pln(), year_of(2)), 1)
    assert lines == {"energy period 0": D("1178000.00"), "energy period 1": D("465000.00")}
    assert total == D("1643000.00")


def test_a_tier_boundary():
    # NREL's Sample Tiered Rate (0-150 kWh 0.09, 150-300 0.11, above 0.13, fixed 9), 0.5 kW in
    # February 2018: 28 d x 24 h x 0.5 = 336 kWh = 150 x 0.09 (13.50) + 150 x 0.11 (16.50)
    # + 36 x 0.13 (4.68) + 9 = 43.68.
    flat = grid(lambda m, h: 0)
    tiered = RateStructure(name="tiers", energy_weekday=flat, energy_weekend=flat, fixed_monthly=D(9),
                           energy_rates=((Tier(D(150), D("0.09")), Tier(D(300), D("0.11")), Tier(None, D("0.13"))),))
    lines, total = month(price_year(tiered, year_of("0.5")), 2)
    assert lines == {"energy period 0 tier 1": D("13.50"), "energy period 0 tier 2": D("16.50"),
                     "energy period 0 tier 3": D("4.68"), "fixed monthly charge": D("9.00")}
    assert total == D("43.68")


def test_a_demand_month():
    # 50 kW all January, 180 kW for the hour from 14:00 on Tuesday 2 January 2018 (row 24 + 14).
    # TOU demand period 1 (weekdays 12:00-17:00): 100 kW x 20 + 80 kW x 15 = 3,200; flat demand
    # 180 kW x 5 = 900; energy (744 h x 50 kW + 130 kWh) = 37,330 kWh x 0.10 = 3,733; month 7,833.
    flat = grid(lambda m, h: 0)
    load = year_of(50)
    load[24 + 14] = D(180)
    s = RateStructure(name="demand", energy_weekday=flat, energy_weekend=flat,
                      energy_rates=((Tier(None, D("0.10")),),),
                      demand_weekday=grid(lambda m, h: 1 if 12 <= h < 17 else 0), demand_weekend=flat,
                      demand_rates=((Tier(None, D(0)),), (Tier(D(100), D(20)), Tier(None, D(15)))),
                      flat_demand_months=(0,) * 12, flat_demand_rates=((Tier(None, D(5)),),))
    lines, total = month(price_year(s, load), 1)
    assert lines == {"energy period 0": D("3733.00"), "demand period 1 tier 1": D("2000.00"),
                     "demand period 1 tier 2": D("1200.00"), "flat demand": D("900.00")}
    assert total == D("7833.00")
    assert month(price_year(s, load), 2)[0]["demand period 1 tier 1"] == D("1000.00")   # 50 kW x 20


def test_minimum_charges_top_up():
    # 0 kW: no energy line; each month bills its fixed 10, topped up to the monthly minimum 25 (top-up 15);
    # the year (12 x 25 = 300) is then topped up to the annual minimum 400 in December (+100).
    g = grid(lambda m, h: 0)
    s = RateStructure(name="min", energy_weekday=g, energy_weekend=g, energy_rates=((Tier(None, D(1)),),),
                      fixed_monthly=D(10), minimum_monthly=D(25), minimum_annual=D(400))
    result = price_year(s, year_of(0))
    assert month(result, 1) == ({"fixed monthly charge": D("10.00"),
                                 "minimum monthly charge top-up": D("15.00")}, D("25.00"))
    assert month(result, 12)[0]["minimum annual charge top-up"] == D("100.00")
    assert result["total"] == D("400.00")


def test_daily_tiers_scale_with_the_month():
    # Tier bound 10 kWh per day: January's bound is 310 kWh. 0.5 kW -> 372 kWh = 310 x 0.1 (31.00)
    # + 62 x 0.2 (12.40) = 43.40.
    g = grid(lambda m, h: 0)
    s = RateStructure(name="daily", energy_weekday=g, energy_weekend=g, energy_tier_unit="kWh daily",
                      energy_rates=((Tier(D(10), D("0.1")), Tier(None, D("0.2"))),))
    assert month(price_year(s, year_of("0.5")), 1)[1] == D("43.40")


def test_a_leap_year_and_quarter_hours_price_the_same_kwh():
    hourly = price_year(pln(), year_of(2, 2028), 2028)
    quarter = price_year(pln(), [D(2)] * (366 * 96), 2028)
    assert hourly["total"] == quarter["total"]
    assert month(hourly, 2)[1] == D(29 * 5 * 2 * 1500 + 29 * 19 * 2 * 1000).quantize(D("0.01"))


def test_a_load_that_is_not_a_year_is_refused():
    with pytest.raises(DomainError, match="8760"):
        price_year(pln(), [D(1)] * 100)


# SAM's own engine (PySAM 7.1.1 Utilityrate5, no system, one year, no escalation) on SAM's test
# tariffs and loads, utility_bill_wo_sys_year1. Our lines are rounded to the cent, SAM's are not:
# the difference stays within a cent per line.
@pytest.mark.parametrize(("tariff", "load", "sam_bill"), [
    ("Test_Residential_TOU_Rates", "load_residential", "771.775986391306"),
    ("Test_Residential_TOU_Rates_w_tiers", "load_residential", "1839.694353544028"),
    ("Test_Commercial_Demand_Charges", "load_commercial", "104614.48715399997"),
    ("Test_Commercial_Demand_Charges", "load_commercial_large", "447005.6301395364"),
])
def test_sam_test_tariffs_match_sams_own_bill(tariff, load, sam_bill):
    structure = parse_tariff(json.loads((SAM / f"{tariff}.tariff.json").read_text()))
    kw = [D(line) for line in (SAM / f"{load}_hourly_kW.csv").read_text().split()]
    result = price_year(structure, kw)
    lines = sum(len(m["lines"]) for m in result["months"])
    assert abs(result["total"] - D(sam_bill)) <= D("0.01") * lines / 2


def test_pln_interval_path_gives_the_register_quantities():
    """A PLN TOU (I-3) customer with quarter-hour data: the schedule's WBP/LWBP kWh are what the
    meter's WBP (1.8.1) and LWBP (1.8.2) registers advance by over the bill period."""
    zone = ZoneInfo("Asia/Jakarta")
    start = datetime(2024, 10, 31, 17, 0, tzinfo=UTC)          # 1 November 00:00 in Jakarta
    intervals = [(start + timedelta(minutes=15 * i), 15, D(i % 7) / 4 + D("0.125")) for i in range(30 * 96)]
    wbp = sum(split_tou(at, minutes, kwh, zone)["WBP"] for at, minutes, kwh in intervals)
    lwbp = sum(split_tou(at, minutes, kwh, zone)["LWBP"] for at, minutes, kwh in intervals)
    q = interval_quantities(pln(), intervals, (date(2024, 11, 1), date(2024, 12, 1)), zone)
    assert (q.energy[1], q.energy[0]) == (wbp, lwbp)
    assert q.energy[1] == sum(kwh for at, _, kwh in intervals if 17 <= at.astimezone(zone).hour < 22)
    assert q.peak == D(6) / 4 * 4 + D("0.5")          # (6/4 + 0.125) kWh in 15 minutes = 6.5 kW


def test_an_interval_that_crosses_an_hour_is_refused():
    at = datetime(2024, 11, 1, 10, 30)
    with pytest.raises(DomainError, match="inside one hour"):
        interval_quantities(pln(), [(at, 60, D(1))], (date(2024, 11, 1), date(2024, 12, 1)))
