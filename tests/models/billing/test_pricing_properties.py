"""Properties of any bill: the sum of its lines, parts that tile the period, the same bill every time."""
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.billing.inputs import BillInputs, ContractSegment, LineKind, MiscChargeInput, QuantitySource
from models.billing.pricing import price_bill
from models.billing.proration import split_by_days
from models.meters.entities import UsageType
from tests.models.billing.builders import catalogue_version

pytestmark = pytest.mark.no_db
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KWH = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def bills(draw) -> BillInputs:
    """R-2/TR over 28-31 days, up to two power changes, a new rate from a random day, 1-3 kWh sources."""
    start = date(2024, 10, 1) + timedelta(days=draw(st.integers(0, 400)))
    days = draw(st.integers(28, 31))
    end = start + timedelta(days=days)
    cuts = sorted(draw(st.sets(st.integers(1, days - 1), max_size=2)))
    bounds = [date(2024, 1, 1)] + [start + timedelta(days=c) for c in cuts] + [None]
    powers = [draw(st.sampled_from([3500, 4400, 5500])) for _ in bounds[:-1]]
    segments = tuple(ContractSegment(a, b, "R-2/TR", p)
                     for a, b, p in zip(bounds[:-1], bounds[1:], powers, strict=True))
    change = start + timedelta(days=draw(st.integers(-5, days + 5)))
    versions = (catalogue_version("R-2/TR", version_id=1, effective_to=change),
                catalogue_version("R-2/TR", version_id=2, effective_from=change, rate="1750.25"))
    sources = []
    for _ in range(draw(st.integers(1, 3))):
        a, b = sorted(draw(st.lists(st.integers(0, days), min_size=2, max_size=2, unique=True)))
        sources.append(QuantitySource(UsageType.ACTIVE, draw(KWH), covers_from=start + timedelta(days=a),
                                      covers_to=start + timedelta(days=b)))
    misc = tuple(MiscChargeInput("Meter test fee", draw(st.decimals(0, 500000, places=0)), "test")
                 for _ in range(draw(st.integers(0, 1))))
    return BillInputs(start, end, segments, versions, tuple(sources), misc_charges=misc)


@SETTINGS
@given(bills())
def test_a_bill_is_the_sum_of_its_lines(inputs):
    bill = price_bill(inputs)
    assert bill.total == sum(line.amount for line in bill.lines)
    assert bill.subtotal + bill.taxes + bill.stamp_duty == bill.total
    kinds = [line.kind for line in bill.lines]
    assert bill.taxes == sum(line.amount for line in bill.lines if line.kind is LineKind.TAX)
    assert kinds.count(LineKind.STAMP_DUTY) <= 1


@SETTINGS
@given(bills())
def test_prorated_parts_cover_the_period_exactly(inputs):
    bill = price_bill(inputs)
    assert bill.parts[0].start == inputs.period_start and bill.parts[-1].end == inputs.period_end
    assert all(a.end == b.start for a, b in zip(bill.parts, bill.parts[1:], strict=False))
    assert sum(p.days for p in bill.parts) == inputs.days
    energy = sum(line.quantity for line in bill.lines if line.kind is LineKind.ENERGY)
    assert energy == sum(s.quantity for s in inputs.quantities)


@SETTINGS
@given(bills())
def test_pricing_the_same_inputs_twice_gives_the_same_bill(inputs):
    assert price_bill(inputs) == price_bill(inputs)


@SETTINGS
@given(KWH, st.lists(st.integers(1, 31), min_size=1, max_size=5))
def test_split_shares_add_up_and_never_go_negative(total, days):
    shares = split_by_days(total, days)
    assert sum(shares) == total and all(s >= 0 for s in shares)
