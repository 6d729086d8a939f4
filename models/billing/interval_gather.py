"""Interval data for billing: a service point's import intervals over the bill's period, as IntervalUse.

Only contracts whose tariff has a rate structure in the bill's versions look at interval data
(`structured`), so a run over register-read customers costs no query here. For those:
- the intervals of the meters installed at the service point (while installed), import channel 1.8.0 and,
  when present, reactive 3.8.0, in one query for the chunk;
- a service point with no interval in the bill's period is billed from its registers as before (pricing
  refuses a structure registers cannot feed, so the bill is held with the reason);
- one with intervals is billed from them: they must cover the period exactly (every minute from the
  first day's 00:00 to the last day's 24:00 local time, in the utility's zone, models.clock), each inside
  one local hour; otherwise IntervalUse.problem names the first gap or fault and pricing refuses it, so
  the bill is held with that reason instead of being priced approximately;
- the register quantities of active energy and demand give way to the intervals (kVArh too when kVArh
  intervals exist); a correction of an earlier estimate stays (it belongs to the bill that estimated);
- a service point with intervals and no register reading at all (a smart meter read remotely) bills the
  month, from the day after its last bill or the month's first day, from its intervals alone.
"""
from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from models.billing.cycles import MONTHS, cycle_in, first_month
from models.billing.inputs import (
    ACTIVE_USAGES,
    BillFacts,
    BillInputs,
    ContractSegment,
    Gathered,
    HourUse,
    IntervalUse,
    MiscChargeInput,
    VersionSnapshot,
)
from models.clock import business_zone
from models.contracts.entities import ContractStatus
from models.meters.entities import Installation, Meter, UsageType
from models.readings.entities import IntervalReading
from models.readings.validation import Limits

IMPORT, REACTIVE = "1.8.0", "3.8.0"
MISSING_QUALITY = "N"          # NEM12 "null": no value for the interval

log = logging.getLogger(__name__)


class Interval(NamedTuple):
    meter: str
    channel: str
    start_at: datetime         # aware
    minutes: int
    value: Decimal
    quality: str


def structured(versions: list, snapshots: dict[str, tuple[VersionSnapshot, ...]]) -> bool:
    """Whether one of the contract's tariffs has a version with a rate structure."""
    return any(s.rate_structure is not None for v in versions for s in snapshots.get(v.code, ()))


def load_intervals(connection, service_point_ids: set[int], since: date, end: date) -> dict[int, list[Interval]]:
    """Per service point, its meters' intervals starting in [since, end) local days while installed there."""
    if not service_point_ids:
        return {}
    zone = business_zone()
    installed = defaultdict(list)
    for sp, meter_id, number, on, off in connection.execute(
            sa.select(Installation.service_point_id, Installation.meter_id, Meter.number, Installation.installed_on,
                      Installation.removed_on).join(Meter, Meter.id == Installation.meter_id)
            .where(Installation.service_point_id.in_(service_point_ids), Installation.installed_on < end,
                   sa.or_(Installation.removed_on.is_(None), Installation.removed_on > since))):
        installed[meter_id].append((sp, number, on, off))
    if not installed:
        return {}
    t = IntervalReading.__table__
    out = defaultdict(list)
    for meter_id, channel, at, minutes, value, quality in connection.execute(
            sa.select(t.c.meter_id, t.c.channel, t.c.start_at, t.c.minutes, t.c.value, t.c.quality)
            .where(t.c.meter_id.in_(list(installed)), t.c.channel.in_((IMPORT, REACTIVE)),
                   t.c.start_at >= datetime.combine(since, time(0), zone),
                   t.c.start_at < datetime.combine(end, time(0), zone))
            .order_by(t.c.start_at)):
        day = at.astimezone(zone).date()
        for sp, number, on, off in installed[meter_id]:
            if on <= day and (off is None or day < off):
                out[sp].append(Interval(number, channel, at, minutes, Decimal(value), quality))
    return out


def _fault(rows: list[Interval], first: date, end: date, zone, what: str) -> str | None:
    """The first gap, overlap, missing value or interval across an hour in [first, end), else None."""
    def at(instant: datetime) -> str:
        return f"{instant.astimezone(zone):%Y-%m-%d %H:%M}"
    span = f"{what} of {first.isoformat()} to {(end - timedelta(days=1)).isoformat()}"
    cursor, until = datetime.combine(first, time(0), zone), datetime.combine(end, time(0), zone)
    for r in rows:
        if r.start_at > cursor:
            return f"{span} is incomplete: none from {at(cursor)} to {at(r.start_at)}"
        if r.start_at < cursor:
            return f"{span} overlaps at {at(r.start_at)} (meter {r.meter})"
        local = r.start_at.astimezone(zone)
        if r.minutes <= 0 or 60 % r.minutes or local.minute % r.minutes:
            return f"{span}: the {r.minutes}-minute interval at {at(r.start_at)} does not sit inside one hour"
        if r.quality == MISSING_QUALITY:
            return f"{span} is incomplete: the interval at {at(r.start_at)} has no value (quality N)"
        cursor = r.start_at + timedelta(minutes=r.minutes)
    if cursor < until:
        return f"{span} is incomplete: none from {at(cursor)} to {at(until)}"
    return None


def interval_use(rows: list[Interval], first: date, end: date) -> IntervalUse | None:
    """The intervals of [first, end) local days summed per hour; None when there is none of import."""
    zone = business_zone()
    since, until = datetime.combine(first, time(0), zone), datetime.combine(end, time(0), zone)
    active = [r for r in rows if r.channel == IMPORT and since <= r.start_at < until]
    if not active:
        return None
    reactive = [r for r in rows if r.channel == REACTIVE and since <= r.start_at < until]
    problem = _fault(active, first, end, zone, "the interval data") or (
        _fault(reactive, first, end, zone, "the kVArh interval data") if reactive else None)
    kwh, kw, kvarh = defaultdict(Decimal), {}, defaultdict(Decimal)
    if problem is None:
        for r in active:
            local = r.start_at.astimezone(zone)
            key = (local.date(), local.hour)
            kwh[key] += r.value
            demand = r.value * 60 / r.minutes
            if demand > kw.get(key, Decimal(-1)):
                kw[key] = demand
        for r in reactive:
            local = r.start_at.astimezone(zone)
            kvarh[(local.date(), local.hour)] += r.value
    lengths = {r.minutes for r in active}
    return IntervalUse(
        hours=tuple(HourUse(day, hour, kwh[(day, hour)], kw[(day, hour)], kvarh.get((day, hour), Decimal(0)))
                    for day, hour in sorted(kwh)),
        count=len(active), minutes=lengths.pop() if len(lengths) == 1 else None,
        meters=tuple(dict.fromkeys(r.meter for r in active)), reactive=bool(reactive), problem=problem)


def with_intervals(inputs: BillInputs, rows: list[Interval]) -> BillInputs:
    """The register-read inputs, billed from the intervals instead when there are any in the period."""
    use = interval_use(rows, inputs.period_start, inputs.period_end)
    if use is None:
        return inputs
    replaced = ACTIVE_USAGES | {UsageType.DEMAND} | ({UsageType.REACTIVE} if use.reactive else set())
    return dataclasses.replace(inputs, quantities=tuple(q for q in inputs.quantities if q.usage not in replaced),
                               intervals=use)


def interval_period(versions: list, billed: date | None, start: date, end: date) -> tuple[date, date]:
    """The days an interval-only bill covers: after the last bill (else the month), within the contract."""
    first = max(billed if billed is not None and billed < end else start, versions[0].valid_from)
    last = end if versions[-1].valid_to is None else min(end, versions[-1].valid_to)
    return first, last


def interval_only_inputs(versions: list, snapshots: dict, misc: list, billed: date | None, start: date, end: date,
                         rows: list[Interval]) -> tuple[BillInputs, object] | None:
    """(inputs, the contract version of the period's end) of a bill from intervals alone (no register
    reading), None when there is no interval in its period."""
    if not versions:
        return None
    cycle = cycle_in(versions, end)
    first, end = interval_period(versions, billed, first_month(start, cycle), end)
    use = interval_use(rows, first, end) if end > first else None
    if use is None:
        return None
    terms = next((v for v in versions if v.valid_from < end and (v.valid_to is None or end <= v.valid_to)),
                 versions[-1])
    codes = sorted({v.code for v in versions})
    return BillInputs(
        period_start=first, period_end=end,
        segments=tuple(ContractSegment(v.valid_from, v.valid_to, v.code, v.contracted_power_va) for v in versions),
        versions=tuple(s for code in codes for s in snapshots.get(code, ())),
        misc_charges=tuple(MiscChargeInput(m.name, Decimal(m.amount), m.reason, m.id, bool(m.taxable))
                           for m in misc),
        months=MONTHS[cycle], intervals=use), terms


def billed_from_intervals(gathered: Gathered, contract, versions, snapshots, billed, misc, rules, rows,
                          start: date, end: date) -> Gathered:
    """Billed from the service point's interval data: the register inputs' energy and demand from the
    intervals, or, when the registers gave no bill, a bill from the intervals alone (else their error)."""
    try:
        if gathered.error is None:
            return dataclasses.replace(gathered, inputs=with_intervals(gathered.inputs, rows))
        made = interval_only_inputs(versions, snapshots, misc, billed, start, end, rows)
        if made is None:
            return gathered
        inputs, terms = made
        return Gathered(contract.id, inputs, BillFacts(
            contract_id=contract.id, service_point_id=contract.service_point_id, account_id=contract.account_id,
            tariff_code=terms.code, tariff_class=terms.tariff_class, power_va=terms.contracted_power_va,
            active=contract.status == ContractStatus.ACTIVE, limits=rules.get(terms.tariff_class, Limits()),
            misc_charge_ids=tuple(m.id for m in misc)))
    except Exception as exc:  # noqa: BLE001  one contract's fault must not stop the others
        log.exception("gathering the interval data of contract %s failed", contract.id)
        return Gathered(contract.id, error=f"could not gather the interval data: {exc!r}"[:500])

