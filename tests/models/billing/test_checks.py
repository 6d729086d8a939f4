"""Plausibility checks: pure functions over a priced bill and what gathering found."""
from decimal import Decimal as D

import pytest

from models.billing import checks
from models.billing.gather import BillFacts
from models.billing.inputs import PricingError
from models.billing.pricing import price_bill
from models.readings.validation import Limits
from tests.models.billing.builders import month_bill

pytestmark = pytest.mark.no_db


def facts(**kw) -> BillFacts:
    return BillFacts(contract_id=1, service_point_id=1, account_id=1, tariff_code="R-1/TR 1300", tariff_class="R-1",
                     power_va=1300, active=True, **kw)


def test_the_history_band_uses_the_tariff_class_factors():
    # 6 kWh a day x 31 days = 186 expected; default band x0.2-x3 = 37.2-558
    assert checks.consumption_band(D(558), 31, D(6), Limits()) is None
    assert checks.consumption_band(D(559), 31, D(6), Limits()) == (
        "consumption 559 kWh is outside the history band 37-558 kWh (about 186 kWh expected for 31 days)")
    assert checks.consumption_band(D(559), 31, D(6), Limits(high_factor=D(4))) is None
    assert checks.consumption_band(D(30), 31, None, Limits()) is None      # no history, nothing to judge


def test_zero_or_negative_consumption_on_an_active_contract():
    assert checks.consumption_sign(D(0), active=True) == "zero consumption on an active contract"
    assert checks.consumption_sign(D(0), active=False) is None
    assert checks.consumption_sign(D(0), True, ("1.8.0: 90 is below 100",)).startswith("negative consumption")


def test_amount_limits_per_tariff_class_can_be_overridden():
    assert checks.amount_limit(D("5000001"), "R-1") == "amount Rp 5,000,001 is above the R-1 limit of Rp 5,000,000"
    assert checks.amount_limit(D("5000001"), "R-1", {"R-1": D("9000000")}) is None
    assert checks.amount_limit(D("5000001"), "X-9") is None


def test_the_third_estimate_in_a_row_holds():
    assert checks.estimates(2) is None
    assert checks.estimates(3) == "estimate number 3 in a row: the meter needs an actual reading"


def test_hold_reasons_collects_every_check_and_the_notes():
    # 180 kWh over 31 days against 1 kWh a day (31 expected, x3 = 93): out of band; third estimate; a note
    priced = price_bill(month_bill("R-1/TR 1300", 1300, active=180))
    reasons = checks.hold_reasons(priced, facts(average_daily=D(1), estimates_in_a_row=3, notes=("anomaly",)))
    assert [r.split(" ")[0] for r in reasons] == ["consumption", "estimate", "anomaly"]
    assert checks.hold_reasons(priced, facts()) == []


def test_an_unpriceable_bill_gives_the_pricing_error_as_its_reason():
    assert checks.unpriceable(PricingError("tariff X has no version valid on 2024-10-01", "tariff")) == (
        "cannot be priced: tariff X has no version valid on 2024-10-01")
