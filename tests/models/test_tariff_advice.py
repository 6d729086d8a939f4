"""Tariff and power advice on a service point's own history; annual costs worked by hand."""
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from models.billing.advice import chosen_option, request_type_for, tariff_options
from models.billing.operations import issue_bill, record_bill
from models.billing.simulation import simulate_bill
from models.clock import business_zone, today
from models.errors import DomainError
from models.readings.entities import IntervalReading
from models.requests.entities import RequestType
from models.tariffs.catalogue import load_pln_catalogue
from models.types import add_months


@pytest.fixture
def household(db, make):
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300)
    return contract


def _bill_months(db, contract, kwh="180", months=12):
    this_month = today().replace(day=1)
    for n in range(months, 0, -1):
        period = add_months(this_month, -n)
        priced = simulate_bill(db.session, "R-1/TR 1300", 1300, f"{period:%Y-%m}", kwh=kwh)
        issue_bill(db.session, record_bill(db.session, contract, priced, period=period))


def _option(advice, code, power):
    return next(o for o in advice.options if o.tariff_code == code and o.power_va == power)


def test_twelve_billed_months_priced_on_every_household_option(db, household):
    _bill_months(db, household)
    advice = tariff_options(db.session, household.service_point.spn)
    assert (len(advice.months), advice.scaled, advice.peak_kw) == (12, False, None)
    # Today, R-1/TR 1300: 180 x 1,444.70 = 260,046; RM1 40 h x 1.3 kVA x 1,444.70 = 75,124 is lower;
    # PPJ 3% = 7,801.38 -> 7,801; 267,847 a month, x 12 = 3,214,164.
    assert advice.current.annual_cost == Decimal("3214164") and advice.current.tariff_code == "R-1/TR 1300"
    # R-2/TR 3,500 VA: 180 x 1,699.53 = 305,915.4 -> 305,915; RM1 40 x 3.5 x 1,699.53 = 237,934 is lower;
    # PPJ 3% = 9,177.45 -> 9,177; 315,092 a month, x 12 = 3,781,104: 566,940 more than today.
    r2 = _option(advice, "R-2/TR", 3500)
    assert (r2.annual_cost, r2.difference, r2.allowed) == (Decimal("3781104"), Decimal("566940"), True)
    # R-1/TR 2200: the same rate and RM1 40 x 2.2 x 1,444.70 = 127,134 below the energy: no difference.
    assert _option(advice, "R-1/TR 2200", 2200).difference == 0
    # Only household tariffs at low-voltage steps: R-3 from 6,600 VA to 197 kVA, no business tariff.
    assert {o.tariff_code for o in advice.options} >= {"R-1/TR 450", "R-2/TR", "R-3/TR"}
    assert not any(o.tariff_code.startswith(("B", "I", "P")) for o in advice.options)
    assert max(o.power_va for o in advice.options if o.tariff_code == "R-3/TR") == 197000
    assert [o.power_va for o in advice.options if o.tariff_code == "R-2/TR"] == [3500, 4400, 5500]
    assert request_type_for(advice, r2) is RequestType.TARIFF_CHANGE


def test_fewer_months_are_scaled_to_a_year(db, household):
    _bill_months(db, household, months=3)
    advice = tariff_options(db.session, household.service_point.spn)
    # 3 x 267,847 = 803,541, x 12 / 3 = 3,214,164
    assert (advice.scaled, advice.current.annual_cost) == (True, Decimal("3214164"))


def test_interval_peak_rules_out_small_powers_and_splits_peak_hours(db, make, household):
    meter = make.installed_meter(household, add_months(today(), -14))
    zone = business_zone()
    month = add_months(today().replace(day=1), -1)
    days = (add_months(month, 1) - month).days
    start = datetime.combine(month, time(0), zone)
    for hour in range(days * 24):
        at = start + timedelta(hours=hour)
        db.session.add(IntervalReading(meter_id=meter.id, channel="1.8.0", start_at=at, minutes=60,
                                       value=Decimal("3.2" if hour == 42 else "0.5")))    # day 2, 18:00
    db.session.flush()
    advice = tariff_options(db.session, household.service_point.spn)
    (used,) = advice.months
    assert (used.source, used.kw) == ("intervals", Decimal("3.2"))
    # WBP 17:00-22:00: 5 hours a day x 0.5 kWh, one of them 3.2 instead: 2.5 x days + 2.7
    assert used.wbp == Decimal("2.5") * days + Decimal("2.7")
    assert used.kwh == Decimal("0.5") * (days * 24 - 1) + Decimal("3.2")
    assert "below the recorded peak demand of 3.2 kW" in _option(advice, "R-1/TR 2200", 2200).limit
    assert _option(advice, "R-2/TR", 3500).allowed
    with pytest.raises(DomainError, match="ruled out"):
        chosen_option(advice, "R-1/TR 2200", 2200)
    assert chosen_option(advice, "R-2/TR", 3500).power_va == 3500


def test_no_active_contract_is_refused(db, make):
    with pytest.raises(DomainError, match="no active contract"):
        tariff_options(db.session, make.service_point().spn)
