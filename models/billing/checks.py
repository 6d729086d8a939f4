"""Plausibility checks: the reasons a priced bill is held for review instead of issued.

Pure functions over the priced bill and what gathering found (models.billing.gather.BillFacts):
- consumption outside the history band: below low_factor or above high_factor times the expected kWh
  (the contract's kWh a day over the year before x the bill's days), with the reading rules' factors of
  the tariff class (ReadingRule, else models.readings.validation's defaults);
- zero or negative consumption on an active contract;
- an amount above the tariff class's limit (AMOUNT_LIMITS, overridable per call);
- the third estimate in a row;
- inputs that cannot be priced (no tariff version valid on a day of the period...): the PricingError's
  message, so the bill is held with it and the run goes on.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from models.billing.inputs import PricingError
from models.billing.pricing import PricedBill, number, rupiah
from models.readings.validation import Limits

if TYPE_CHECKING:
    from models.billing.gather import BillFacts

ESTIMATES_IN_A_ROW = 3
# Far above what the class's largest connection uses in a month at full load, so only a wrong
# reading or multiplier reaches them (R-1 2,200 VA at 24 h a day is about Rp 2.3 million).
AMOUNT_LIMITS: dict[str, Decimal] = {
    "R-1": Decimal("5000000"), "R-2": Decimal("15000000"), "R-3": Decimal("60000000"),
    "B-1": Decimal("15000000"), "B-2": Decimal("500000000"), "B-3": Decimal("20000000000"),
    "I-1": Decimal("50000000"), "I-2": Decimal("500000000"), "I-3": Decimal("20000000000"),
    "I-4": Decimal("200000000000"), "S-1": Decimal("15000000"), "S-2": Decimal("500000000"),
    "S-3": Decimal("20000000000"), "P-1": Decimal("500000000"), "P-2": Decimal("20000000000"),
    "P-3": Decimal("100000000"), "L": Decimal("20000000000"),
}


def consumption_band(kwh: Decimal, days: int, average_daily: Decimal | None, limits: Limits) -> str | None:
    """Outside the band the register's history gives; nothing to judge without a history."""
    if not average_daily or days <= 0 or kwh <= 0:
        return None
    expected = average_daily * days
    low, high = expected * limits.low_factor, expected * limits.high_factor
    if low <= kwh <= high:
        return None
    return (f"consumption {number(kwh)} kWh is outside the history band {_whole(low)}-{_whole(high)} kWh "
            f"(about {_whole(expected)} kWh expected for {days} days)")


def consumption_sign(kwh: Decimal, active: bool, negative: tuple[str, ...] = ()) -> str | None:
    if negative:
        return f"negative consumption ({'; '.join(negative)})"
    if active and kwh <= 0:
        return "zero consumption on an active contract"
    return None


def amount_limit(total: Decimal, tariff_class: str, limits: Mapping[str, Decimal] | None = None) -> str | None:
    limit = (AMOUNT_LIMITS if limits is None else limits).get(tariff_class)
    if limit is None or total <= limit:
        return None
    return f"amount {rupiah(total)} is above the {tariff_class} limit of {rupiah(limit)}"


def estimates(in_a_row: int) -> str | None:
    if in_a_row < ESTIMATES_IN_A_ROW:
        return None
    return f"estimate number {in_a_row} in a row: the meter needs an actual reading"


def unpriceable(error: PricingError) -> str:
    return f"cannot be priced: {error.message}"


def hold_reasons(priced: PricedBill, facts: BillFacts, amount_limits: Mapping[str, Decimal] | None = None
                 ) -> list[str]:
    """Every reason to hold this bill, in the order a clerk works them; empty when it may be issued."""
    days = (priced.period_end - priced.period_start).days
    found = [consumption_sign(priced.kwh, facts.active, facts.negative),
             consumption_band(priced.kwh, days, facts.average_daily, facts.limits),
             estimates(facts.estimates_in_a_row),
             amount_limit(priced.total, facts.tariff_class, amount_limits),
             *facts.notes]
    return [reason for reason in found if reason]


def _whole(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1)):,f}"
