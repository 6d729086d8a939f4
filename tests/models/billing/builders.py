"""Bill inputs for the pricing tests, from the shipped PLN catalogue without a database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from models.billing.inputs import BillInputs, ContractSegment, QuantitySource, ReadingPair, snapshot_version
from models.meters.entities import UsageType
from models.tariffs.catalogue import BLOCK_ERA, CATALOGUE, Q4_2024, block_components, current_components
from models.tariffs.entities import RoundingRule, Tariff, TariffVersion

ENTRIES = {e.code: e for e in CATALOGUE}
D = Decimal


def catalogue_version(code: str, blocks: bool = False, version_id: int = 1, effective_from=None,
                      effective_to=None, rate: str | None = None):
    """A snapshot of the catalogue's current (or older block) version of a tariff, through snapshot_version."""
    entry = ENTRIES[code]
    components = block_components(entry) if blocks else current_components(entry)
    if rate is not None:
        for c in components:
            if c.rate == entry.rate:
                c.rate = D(rate)
    version = TariffVersion(
        id=version_id, tariff=Tariff(code=code, tariff_class=entry.tariff_class),
        effective_from=effective_from or (BLOCK_ERA if blocks else Q4_2024),
        effective_to=effective_to or (Q4_2024 if blocks else None),
        rounding_rule=RoundingRule.HALF_UP, rounding_unit=D(1), components=components)
    return snapshot_version(version)


def month_bill(code: str, power_va: int, start=date(2024, 10, 1), end=date(2024, 11, 1), versions=None,
               **quantities) -> BillInputs:
    """One contract segment over the period; quantities by usage name: active=180, lwbp=..., reactive=..."""
    sources = tuple(QuantitySource(UsageType(_USAGE[name]), D(value)) for name, value in quantities.items())
    return BillInputs(start, end, (ContractSegment(date(2020, 1, 1), None, code, power_va),),
                      versions or (catalogue_version(code),), sources)


_USAGE = {"active": "active", "lwbp": "active_lwbp", "wbp": "active_wbp", "reactive": "reactive", "demand": "demand"}


def reading(code: str, previous: str, previous_on: date, current: str, current_on: date, multiplier="1",
            previous_type="actual", current_type="actual", meter=None) -> ReadingPair:
    return ReadingPair(code, D(previous), previous_type, previous_on, D(current), current_type, current_on,
                       D(multiplier), estimated="estimated" in (previous_type, current_type), meter_number=meter)


def consumption(pair: ReadingPair) -> Decimal:
    return (pair.current_value - pair.previous_value) * pair.multiplier


def amounts(bill) -> list[tuple[str, Decimal]]:
    return [(line.kind.value, line.amount) for line in bill.lines]
