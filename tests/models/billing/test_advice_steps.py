"""Tariff advice: PLN's power steps above 6,600 VA within each tariff's range and supply voltage, and the
interval months the database sums (models.billing.advice) equal the row-by-row walk.

PLN's connected powers (VA): single phase 450 (2 A) ... 5,500 (25 A), 7,700 (35 A), 11,000 (50 A); three
phase 6,600 (3 x 10 A), 10,600 (16 A), 13,200 (20 A), 16,500 (25 A), 23,000 (35 A), 33,000 (50 A), 41,500
(63 A), 53,000 (80 A), 66,000 (100 A), 82,500 (125 A), 105,000 (160 A), 131,000 (200 A), 147,000 (225 A),
164,000 (250 A), 197,000 (300 A); above 200 kVA medium voltage (240 kVA, 345 kVA ...). The catalogue
(../shared/reference/pln-tariffs-2024.md) bounds them: R-3/TR 6,600 VA and up (low voltage), B-2/TR 6,600
VA-200 kVA, B-3/TM over 200 kVA, I-3/TM over 200 kVA to under 30,000 kVA, I-4/TT 30,000 kVA and up.
"""
from datetime import datetime, time, timedelta
from decimal import Decimal

from models.billing.advice import _powers, _summed_months, _walked_months, tariff_options
from models.billing.operations import issue_bill, record_bill
from models.billing.simulation import simulate_bill
from models.clock import business_zone, today
from models.readings.entities import IntervalReading
from models.tariffs.catalogue import load_pln_catalogue
from models.types import add_months

LV_ABOVE_6600 = [6600, 7700, 10600, 11000, 13200, 16500, 23000, 33000, 41500, 53000, 66000, 82500, 105000,
                 131000, 147000, 164000, 197000]


def test_power_steps_follow_the_tariffs_range_and_voltage(db):
    tariffs = load_pln_catalogue(db.session)
    assert _powers(tariffs["R-3/TR"], None, 6600) == LV_ABOVE_6600
    assert _powers(tariffs["B-2/TR"], None, 6600) == LV_ABOVE_6600          # 200 kVA ends at 197 kVA
    assert _powers(tariffs["R-2/TR"], None, 3500) == [3500, 4400, 5500]
    medium = _powers(tariffs["I-3/TM"], None, 555000)
    assert (medium[:4], medium[-1]) == ([240000, 345000, 415000, 555000], 5540000)
    assert _powers(tariffs["I-4/TT"], None, 30000000) == [30000000]        # no standard step: its minimum
    assert _powers(tariffs["B-2/TR"], 12345, 12345)[2:4] == [10600, 11000] and 12345 in _powers(
        tariffs["B-2/TR"], 12345, 12345)


def test_a_low_voltage_business_sees_medium_voltage_steps_ruled_out(db, make):
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(tariff=tariffs["B-2/TR"], power_va=6600)
    period = add_months(today().replace(day=1), -1)
    issue_bill(db.session, record_bill(db.session, contract, simulate_bill(
        db.session, "B-2/TR", 6600, f"{period:%Y-%m}", kwh="900"), period=period))
    advice = tariff_options(db.session, contract.service_point.spn)
    b2 = [o for o in advice.options if o.tariff_code == "B-2/TR"]
    assert sorted(o.power_va for o in b2) == LV_ABOVE_6600 and all(o.limit is None for o in b2)
    b3 = [o for o in advice.options if o.tariff_code == "B-3/TM"]
    # B-3/TM is also time-of-use, which single-rate bills cannot price: ruled out by the supply first.
    assert b3[0].power_va == 240000 and {o.limit for o in b3} == {"needs a TM supply; the service point has TR"}
    assert {o.annual_cost for o in b3} == {None}


def _month_of_intervals(db, make, contract, minutes=15, offset=0, value=None):
    meter = make.installed_meter(contract, add_months(today(), -14))
    month = add_months(today().replace(day=1), -1)
    start = datetime.combine(month, time(0), business_zone()) + timedelta(minutes=offset)
    rows = [{"meter_id": meter.id, "channel": "1.8.0", "start_at": start + timedelta(minutes=minutes * i),
             "minutes": minutes, "value": value or Decimal(i % 97) / 100 + Decimal("0.0125"), "quality": "A"}
            for i in range((add_months(month, 1) - month).days * 1440 // minutes)]
    db.session.execute(IntervalReading.__table__.insert(), rows)
    return meter, month


def test_database_sums_equal_the_walk_of_every_interval(db, make):
    tariffs = load_pln_catalogue(db.session)
    meter, month = _month_of_intervals(db, make, make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300))
    args = ([meter.id], month, add_months(month, 1), business_zone())
    summed = _summed_months(db.session.connection(), *args)
    assert summed == _walked_months(db.session, *args) and summed[month].wbp > 0
    assert summed[month].kw == Decimal("3.89")      # 0.96 + 0.0125 = 0.9725 kWh in 15 minutes, x 4


def test_intervals_across_an_hour_are_walked_and_split_by_minutes(db, make):
    tariffs = load_pln_catalogue(db.session)
    meter, month = _month_of_intervals(db, make, make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300),
                                       minutes=60, offset=30, value=Decimal(1))
    args = ([meter.id], month, add_months(month, 1), business_zone())
    assert _summed_months(db.session.connection(), *args) is None
    # 1 kWh an hour from hh:30: 16:30 and 21:30 give half their kWh to WBP, 17:30-20:30 all: 5 kWh a day
    days = (add_months(month, 1) - month).days
    assert _walked_months(db.session, *args)[month].wbp == 5 * days
