"""Cutting a billing period into parts, each priced with its own tariff version and contract terms.

A part ends wherever the contract's terms (tariff, contracted power) or the tariff's version change.
Quantities follow the readings where they can: a source whose readings end (or start) on the change
date falls wholly into one part ("by readings"); a source that spans a change is shared out by days
("by days"), and its shares always add up to the source exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from models.billing.inputs import (
    BillInputs,
    ContractSegment,
    PricingError,
    QuantitySource,
    VersionSnapshot,
)
from models.meters.entities import UsageType

BY_READINGS = "by readings"
BY_DAYS = "by days"
FINE_QUANTITY = Decimal("0.0001")     # the scale of QUANTITY columns


@dataclass(frozen=True)
class BillPart:
    """[start, end) of the period under one contract segment and one tariff version."""

    start: date
    end: date
    segment: ContractSegment
    version: VersionSnapshot

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True)
class Share:
    """What one quantity source gives one part, and how it was split off."""

    source: QuantitySource
    quantity: Decimal
    split: str | None            # None when the bill has a single part


def _containing(items, day: date, start, end):
    return [i for i in items if start(i) <= day and (end(i) is None or day < end(i))]


def build_parts(inputs: BillInputs) -> tuple[BillPart, ...]:
    """The period's parts in date order, covering it exactly; adjacent parts on equal terms are merged."""
    if inputs.period_end <= inputs.period_start:
        raise PricingError("the period must end after it starts", "period")
    if inputs.month_days is not None and inputs.month_days <= 0:
        raise PricingError("must be greater than zero", "month_days")
    if inputs.months not in (1, 2):
        raise PricingError("a bill stands for one billing month or two (bimonthly)", "months")
    parts: list[BillPart] = []
    cursor = inputs.period_start
    while cursor < inputs.period_end:
        segments = _containing(inputs.segments, cursor, lambda s: s.valid_from, lambda s: s.valid_to)
        if not segments:
            raise PricingError(f"no contract terms valid on {cursor.isoformat()}", "contract")
        if len(segments) > 1:
            raise PricingError(f"contract terms overlap on {cursor.isoformat()}", "contract")
        segment = segments[0]
        if segment.power_va <= 0:
            raise PricingError("must be greater than zero", "power_va")
        versions = _containing([v for v in inputs.versions if v.tariff_code == segment.tariff_code], cursor,
                               lambda v: v.effective_from, lambda v: v.effective_to)
        if not versions:
            raise PricingError(f"tariff {segment.tariff_code} has no version valid on {cursor.isoformat()}",
                               "tariff")
        if len(versions) > 1:
            raise PricingError(f"tariff {segment.tariff_code} has overlapping versions on {cursor.isoformat()}",
                               "tariff")
        version = versions[0]
        end = min(d for d in (inputs.period_end, segment.valid_to, version.effective_to) if d is not None)
        if parts and parts[-1].version == version and _same_terms(parts[-1].segment, segment):
            parts[-1] = BillPart(parts[-1].start, end, parts[-1].segment, version)
        else:
            parts.append(BillPart(cursor, end, segment, version))
        cursor = end
    return tuple(parts)


def _same_terms(a: ContractSegment, b: ContractSegment) -> bool:
    return a.tariff_code == b.tariff_code and a.power_va == b.power_va


def source_days(source: QuantitySource, inputs: BillInputs) -> tuple[date, date]:
    """The days a source covers, clipped to the period."""
    start = source.covers_from or (source.readings.previous_date if source.readings else None)
    end = source.covers_to or (source.readings.current_date if source.readings else None)
    start = max(start or inputs.period_start, inputs.period_start)
    end = min(end or inputs.period_end, inputs.period_end)
    if end <= start:
        raise PricingError(f"a {source.usage.value} quantity covers no day of the period", source.usage.value)
    return start, end


def overlap_days(part: BillPart, start: date, end: date) -> int:
    return max(0, (min(part.end, end) - max(part.start, start)).days)


def split_by_days(total: Decimal, days: list[int]) -> list[Decimal]:
    """Share `total` out in proportion to `days`; the shares add up to `total` exactly.

    Each share is the difference of rounded running totals, so no share can go negative and the
    rounding remainder lands on the last part. Whole quantities split into whole units.
    """
    unit = Decimal(1) if total == total.to_integral_value() else FINE_QUANTITY
    whole, running, previous, shares = sum(days), 0, Decimal(0), []
    for i, d in enumerate(days):
        running += d
        point = total if i == len(days) - 1 else (total * running / whole).quantize(unit, ROUND_HALF_UP)
        shares.append(point - previous)
        previous = point
    return shares


def allocate(inputs: BillInputs, parts: tuple[BillPart, ...]) -> list[dict[UsageType, list[Share]]]:
    """Each part's shares of the quantity sources, by usage type.

    Demand (kW) is not additive: every part a demand source overlaps gets the whole kW.
    """
    allocated: list[dict[UsageType, list[Share]]] = [{} for _ in parts]
    several = len(parts) > 1
    for source in inputs.quantities:
        if source.quantity < 0:
            raise PricingError(f"a {source.usage.value} quantity must not be negative", source.usage.value)
        start, end = source_days(source, inputs)
        touched = [(i, overlap_days(p, start, end)) for i, p in enumerate(parts)]
        touched = [(i, d) for i, d in touched if d > 0]
        if source.usage is UsageType.DEMAND or len(touched) == 1:
            split = (BY_READINGS if len(touched) == 1 else BY_DAYS) if several else None
            shares = [source.quantity] * len(touched)
        else:
            split = BY_DAYS
            shares = split_by_days(source.quantity, [d for _, d in touched])
        for (i, _), quantity in zip(touched, shares, strict=True):
            allocated[i].setdefault(source.usage, []).append(Share(source, quantity, split))
    return allocated


def combined_split(shares: list[Share]) -> str | None:
    """The line's split note: by days as soon as one of its quantities was shared out by days."""
    notes = {s.split for s in shares}
    return BY_DAYS if BY_DAYS in notes else BY_READINGS if BY_READINGS in notes else None
