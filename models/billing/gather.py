"""What a bill is priced from, gathered out of the database for a chunk of contracts at once.

One SELECT per table per chunk (contracts, their versions, tariff versions, last bills, installations,
registers, readings, anomalies, misc charges, reading rules); the rest is plain Python over those rows,
so a billing run costs a few queries per 500 contracts, not per contract.

The bill's period runs from reading to reading: from the reading the last bill ended on (or, for a first
bill, the last reading before the month) to the month's reading. `Bill.period` is the month; the dates
in between are what the fixed charges, proration and the lines cover.
- Per register: previous = the reading the last bill ended on, else the last reading before the month
  (an installation reading when the meter came later); current = the month's latest reading (actual,
  estimated, customer or control). Consumption = (current - previous) x multiplier, a rollover when the
  register's digits allow it (models.readings.validation.advance); a maximum-demand register's reading
  stands alone.
- A meter change: the old meter from its previous reading to its removal reading, the new one from its
  installation reading to the month's reading, each with its own multiplier.
- Corrections: when the reading the last bill ended on was an estimate that an actual reading has since
  superseded, the index on that day is interpolated between the actual readings around it. This bill's
  energy line starts from that index ("interpolated"); a Correction line carries the difference between
  it and the estimate billed (negative when the estimate was too high). Together they are exactly the
  superseding reading's `correction` (what it used beyond the estimates), split into this period's use
  and the estimate's error. Reactive and demand registers simply bill on from the estimate.
- Misc charges of the contract not yet on a bill become its lines.
- A contract whose tariff has a rate structure and whose service point has interval data in the period
  is billed from the intervals (models.billing.interval_gather).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from models.billing import interval_gather
from models.billing.cycles import MONTHS, cycle_in, first_month
from models.billing.entities import Bill, BillKind, BillStatus, MiscCharge, MiscChargeType
from models.billing.inputs import (
    ACTIVE_USAGES,
    BillFacts,
    BillInputs,
    ContractSegment,
    Correction,
    Gathered,
    MiscChargeInput,
    QuantitySource,
    ReadingPair,
    VersionSnapshot,
    snapshot_version,
)
from models.clock import now_utc
from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.errors import DomainError
from models.meters.entities import Installation, Meter, Register, UsageType
from models.readings.entities import Reading, ReadingAnomaly, ReadingRule, ReadingStatus, ReadingType
from models.readings.validation import Limits, advance
from models.tariffs.entities import Tariff, TariffVersion
from models.types import add_months

log = logging.getLogger(__name__)

READ_TYPES = frozenset({ReadingType.ACTUAL, ReadingType.ESTIMATED, ReadingType.CUSTOMER, ReadingType.CONTROL})
HISTORY_DAYS = 365
RECENT_MONTHS = 3          # readings loaded before the month: the base, the estimates before it, a correction
SLICE = 900                # ids per IN list


def month_bounds(period: date) -> tuple[date, date]:
    """The billing month of `period` as [first day, first day of the next month)."""
    start = period.replace(day=1)
    return start, add_months(start, 1)


class _Reading(NamedTuple):
    # a tuple, in the order of _READING_COLUMNS: a chunk reads thousands of these
    id: int
    register_id: int
    read_on: date
    value: Decimal
    reading_type: ReadingType
    status: ReadingStatus
    consumption: Decimal | None
    superseded_by_id: int | None


class _Register(NamedTuple):
    id: int
    code: str
    usage: UsageType
    digits: int
    decimals: int
    multiplier: Decimal


class _Installation(NamedTuple):
    id: int
    meter_number: str
    installed_on: date
    removed_on: date | None
    registers: tuple[_Register, ...]


class GatherError(DomainError):
    """A contract's inputs cannot be gathered: no reading for the month, no base to count from."""


def _slices(ids):
    ids = list(ids)
    for start in range(0, len(ids), SLICE):
        yield ids[start:start + SLICE]


def _day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value   # SQLite aggregates give text


def gather_bill_inputs(session: Session, contract: Contract, period: date) -> BillInputs:
    """The pricing inputs of one contract's bill for the month of `period`; GatherError when there are none."""
    gathered = gather_contracts(session, [contract.id], period)[contract.id]
    if gathered.error:
        raise GatherError(gathered.error, "readings")
    return gathered.inputs


def gather_contracts(session: Session, contract_ids: list[int], period: date) -> dict[int, Gathered]:
    """Inputs and facts of every contract's bill for the month, in a few queries for all of them."""
    start, end = month_bounds(period)
    since = add_months(start, -RECENT_MONTHS)
    connection = session.connection()
    contracts = {}
    for ids in _slices(contract_ids):
        for row in connection.execute(sa.select(
                Contract.id, Contract.service_point_id, Contract.account_id, Contract.status, Contract.registered_on)
                .where(Contract.id.in_(ids))):
            contracts[row.id] = row
    versions = defaultdict(list)
    for ids in _slices(contracts):
        for row in connection.execute(
                sa.select(ContractVersion.contract_id, ContractVersion.valid_from, ContractVersion.valid_to,
                          ContractVersion.contracted_power_va, ContractVersion.tariff_id, Tariff.code,
                          Tariff.tariff_class, ContractVersion.billing_cycle)
                .join(Tariff, Tariff.id == ContractVersion.tariff_id)
                .where(ContractVersion.contract_id.in_(ids)).order_by(ContractVersion.contract_id,
                                                                       ContractVersion.version_no)):
            versions[row.contract_id].append(row)
    snapshots = _tariff_snapshots(session, {v.tariff_id for rows in versions.values() for v in rows})
    last_billed = {}
    for ids in _slices(contracts):
        last_billed.update((cid, _day(day)) for cid, day in connection.execute(
            sa.select(Bill.contract_id, sa.func.max(Bill.period_end))
            .where(Bill.contract_id.in_(ids), Bill.kind == BillKind.INVOICE, Bill.status != BillStatus.CANCELLED,
                   Bill.period < start).group_by(Bill.contract_id)))
    # where a first bill counts from: the month's start, or the month before for a bimonthly contract
    firsts = {cid: first_month(start, cycle_in(versions[cid], end)) for cid in contracts}
    installations = _installations(connection, {c.service_point_id for c in contracts.values()}, end)
    register_ids = [r.id for items in installations.values() for i in items for r in i.registers]
    readings = _readings(connection, register_ids, since, end)
    history = _history(connection, register_ids, start)
    _older_bases(connection, installations, readings, last_billed, contracts, since, firsts)
    anomalies = _anomalies(connection, [r.id for rows in readings.values() for r in rows
                                        if r.status is ReadingStatus.ANOMALY and r.read_on >= start])
    misc = defaultdict(list)
    for ids in _slices(contracts):
        for row in connection.execute(
                sa.select(MiscCharge.id, MiscCharge.contract_id, MiscCharge.amount, MiscCharge.reason,
                          MiscChargeType.name, MiscChargeType.taxable)
                .join(MiscChargeType, MiscChargeType.id == MiscCharge.charge_type_id)
                .where(MiscCharge.contract_id.in_(ids), MiscCharge.bill_id.is_(None),
                       # charged by now: a month billed later (the demo's history, a late rerun) never
                       # carries a charge made after its billing day
                       MiscCharge.created_at <= now_utc()).order_by(MiscCharge.id)):
            misc[row.contract_id].append(row)
    rules = {r.tariff_class: Limits(r.high_factor, r.low_factor, r.stopped_periods)
             for r in session.scalars(sa.select(ReadingRule))}
    wanted = {cid: c for cid, c in contracts.items() if interval_gather.structured(versions[cid], snapshots)}
    intervals = interval_gather.load_intervals(
        connection, {c.service_point_id for c in wanted.values()},
        min((last_billed.get(cid) or since for cid in wanted), default=since), end)
    out = {}
    for contract_id in contract_ids:
        contract = contracts.get(contract_id)
        if contract is None:
            out[contract_id] = Gathered(contract_id, error="the contract no longer exists")
            continue
        try:
            out[contract_id] = _assemble(
                contract, versions[contract_id], snapshots, last_billed.get(contract_id),
                installations.get(contract.service_point_id, []), readings, history, anomalies, misc[contract_id],
                rules, start, end, firsts[contract_id])
        except GatherError as exc:
            out[contract_id] = Gathered(contract_id, error=exc.message)
        except Exception as exc:  # noqa: BLE001  one contract's fault must not stop the others
            log.exception("gathering the bill inputs of contract %s failed", contract_id)
            out[contract_id] = Gathered(contract_id, error=f"could not gather the inputs: {exc!r}"[:500])
        if contract_id in wanted and contract.service_point_id in intervals:
            out[contract_id] = interval_gather.billed_from_intervals(
                out[contract_id], contract, versions[contract_id], snapshots, last_billed.get(contract_id),
                misc[contract_id], rules, intervals[contract.service_point_id], start, end)
    return out


def _tariff_snapshots(session: Session, tariff_ids: set[int]) -> dict[str, tuple[VersionSnapshot, ...]]:
    """Every version of the tariffs in use, by tariff code (a tariff has a handful)."""
    if not tariff_ids:
        return {}
    found = session.scalars(
        sa.select(TariffVersion).options(selectinload(TariffVersion.components), joinedload(TariffVersion.tariff),
                                         selectinload(TariffVersion.rate_structure))
        .where(TariffVersion.tariff_id.in_(tariff_ids)).order_by(TariffVersion.effective_from)).unique().all()
    out = defaultdict(list)
    for version in found:
        out[version.tariff.code].append(snapshot_version(version))
    return {code: tuple(items) for code, items in out.items()}


def _installations(connection, service_point_ids: set[int], end: date) -> dict[int, list[_Installation]]:
    rows = []
    for ids in _slices(service_point_ids):
        rows += connection.execute(
            sa.select(Installation.id, Installation.service_point_id, Installation.meter_id, Installation.installed_on,
                      Installation.removed_on, Meter.number)
            .join(Meter, Meter.id == Installation.meter_id)
            .where(Installation.service_point_id.in_(ids), Installation.installed_on < end)).all()
    registers = defaultdict(list)
    for ids in _slices({r.meter_id for r in rows}):
        for r in connection.execute(sa.select(Register.id, Register.meter_id, Register.code, Register.usage_type,
                                              Register.digits, Register.decimals, Register.multiplier)
                                    .where(Register.meter_id.in_(ids)).order_by(Register.code)):
            registers[r.meter_id].append(_Register(r.id, r.code, UsageType(r.usage_type), r.digits, r.decimals,
                                                   Decimal(r.multiplier)))
    out = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.installed_on, r.id)):
        out[row.service_point_id].append(_Installation(row.id, row.number, row.installed_on, row.removed_on,
                                                       tuple(registers[row.meter_id])))
    return out


_READING_COLUMNS = (Reading.id, Reading.register_id, Reading.read_on, Reading.value, Reading.reading_type,
                    Reading.status, Reading.consumption, Reading.superseded_by_id)


_reading = _Reading._make


def _readings(connection, register_ids: list[int], since: date, end: date) -> dict[int, list[_Reading]]:
    out = defaultdict(list)
    for ids in _slices(register_ids):
        for row in connection.execute(sa.select(*_READING_COLUMNS)
                                      .where(Reading.register_id.in_(ids), Reading.read_on >= since,
                                             Reading.read_on < end)
                                      .order_by(Reading.register_id, Reading.read_on, Reading.id)):
            out[row.register_id].append(_reading(row))
    # As the readings stood at the month's end: an estimate superseded only by a later reading still
    # counted then, so billing a month late bills what billing it on time would have.
    for register_id, rows in out.items():
        ids = {r.id for r in rows}
        if any(r.status is ReadingStatus.SUPERSEDED and r.superseded_by_id not in ids for r in rows):
            out[register_id] = [r._replace(status=ReadingStatus.VALID, superseded_by_id=None)
                                if r.status is ReadingStatus.SUPERSEDED and r.superseded_by_id not in ids else r
                                for r in rows]
    return out


def _older_bases(connection, installations, readings, last_billed, contracts, since: date,
                 firsts: dict[int, date]) -> None:
    """The reading a register counts from when it lies before the loaded window (a long gap): one query
    for the few registers that need it."""
    wanted = {}
    for contract in contracts.values():
        billed, start = last_billed.get(contract.id), firsts[contract.id]
        for inst in installations.get(contract.service_point_id, []):
            if inst.installed_on >= since or not _in_bill(inst, billed, start):
                continue        # its installation reading is in the window, or nothing of it is billed
            for register in inst.registers:
                rows = readings.get(register.id, [])
                if billed is not None and billed < since or billed is None and _last_live(rows, start) is None:
                    wanted[register.id] = billed if billed is not None else since - timedelta(days=1)
    for register_id, before in wanted.items():
        row = connection.execute(sa.select(*_READING_COLUMNS)
                                 .where(Reading.register_id == register_id, Reading.read_on <= before,
                                        Reading.status != ReadingStatus.SUPERSEDED)
                                 .order_by(Reading.read_on.desc(), Reading.id.desc()).limit(1)).first()
        if row is not None:
            readings[register_id].insert(0, _reading(row))


def _history(connection, register_ids: list[int], start: date) -> dict[int, tuple[Decimal, date, date]]:
    """Per register over the year before the month: consumption after its first reading, first and last day
    (valid readings that are not estimates), aggregated by the database."""
    since = start - timedelta(days=HISTORY_DAYS)
    out = {}
    for ids in _slices(register_ids):
        kept = (Reading.read_on >= since, Reading.read_on < start, Reading.reading_type != ReadingType.ESTIMATED)
        window = (sa.select(Reading.register_id, sa.func.min(Reading.read_on).label("first"),
                            sa.func.max(Reading.read_on).label("last"))
                  .where(Reading.register_id.in_(ids), Reading.status != ReadingStatus.SUPERSEDED, *kept)
                  .group_by(Reading.register_id).subquery())
        used = (sa.select(sa.func.sum(Reading.consumption))
                .where(Reading.register_id == window.c.register_id, Reading.read_on > window.c.first,
                       Reading.status == ReadingStatus.VALID, Reading.consumption.is_not(None), *kept)
                .scalar_subquery())
        for register_id, first, last, total in connection.execute(
                sa.select(window.c.register_id, window.c.first, window.c.last, used)):
            out[register_id] = (Decimal(total or 0), _day(first), _day(last))
    return out


def _anomalies(connection, reading_ids: list[int]) -> dict[int, list[str]]:
    out = defaultdict(list)
    for ids in _slices(reading_ids):
        for reading_id, code in connection.execute(sa.select(ReadingAnomaly.reading_id, ReadingAnomaly.code)
                                                   .where(ReadingAnomaly.reading_id.in_(ids))):
            out[reading_id].append(str(getattr(code, "value", code)))
    return out


def _on(rows: list[_Reading], day: date) -> _Reading | None:
    """The reading a bill ended on that day: a live one, else the estimate since superseded."""
    found = [r for r in rows if r.read_on == day and r.reading_type is not ReadingType.REMOVAL]
    live = [r for r in found if r.status is not ReadingStatus.SUPERSEDED]
    return (live or found or [None])[-1]


def _last_live(rows: list[_Reading], before: date, inclusive: bool = False) -> _Reading | None:
    for r in reversed(rows):
        if r.status is not ReadingStatus.SUPERSEDED and (r.read_on <= before if inclusive else r.read_on < before):
            return r
    return None


def _of_type(rows: list[_Reading], day: date, kind: ReadingType) -> _Reading | None:
    return next((r for r in reversed(rows) if r.read_on == day and r.reading_type is kind), None)


def _ends(inst: _Installation, rows: list[_Reading], start: date, end: date) -> _Reading | None:
    if inst.removed_on is not None and inst.removed_on < end:
        return _of_type(rows, inst.removed_on, ReadingType.REMOVAL)
    for r in reversed(rows):
        if start <= r.read_on < end and r.reading_type in READ_TYPES and r.status is not ReadingStatus.SUPERSEDED:
            return r
    return None


def _begins(inst: _Installation, rows: list[_Reading], billed: date | None, start: date) -> _Reading | None:
    if billed is not None and inst.installed_on <= billed:
        return _on(rows, billed) or _last_live(rows, billed, inclusive=True)
    if billed is not None or inst.installed_on >= start:
        return _of_type(rows, inst.installed_on, ReadingType.INSTALLATION) or next(
            (r for r in rows if r.read_on >= inst.installed_on and r.status is not ReadingStatus.SUPERSEDED), None)
    return _last_live(rows, start) or _of_type(rows, inst.installed_on, ReadingType.INSTALLATION)


def _in_bill(inst: _Installation, billed: date | None, start: date) -> bool:
    """Whether the meter still has days to bill: not removed before what was billed (or before the month)."""
    if inst.removed_on is None:
        return True
    return inst.removed_on > billed if billed is not None else inst.removed_on >= start


def _units(previous: Decimal, current: Decimal, register: _Register) -> Decimal | None:
    return advance(previous, current, register.digits)[0]


@dataclass
class _Pair:
    register: _Register
    meter: str
    previous: _Reading
    current: _Reading


def _assemble(contract, versions, snapshots, billed: date | None, installations: list[_Installation],
              readings: dict[int, list[_Reading]], history, anomalies: dict[int, list[str]], misc, rules,
              start: date, end: date, first: date) -> Gathered:
    """`start`/`end`: the billing month, where the current reading lies; `first`: where a first bill's
    months begin (the month before `start` for a bimonthly contract)."""
    if not versions:
        raise GatherError("the contract has no terms (no contract version)")
    pairs: list[_Pair] = []
    waiting = []            # meters read at neither end yet (a new meter not yet read this month)
    for inst in installations:
        if not _in_bill(inst, billed, first):
            continue
        found, missing = [], []
        for register in inst.registers:
            rows = readings.get(register.id, [])
            current = _ends(inst, rows, start, end)
            previous = _begins(inst, rows, billed, first)
            if current is None or previous is None or current.read_on < previous.read_on:
                missing.append(register)
            elif current.read_on > previous.read_on:
                found.append(_Pair(register, inst.meter_number, previous, current))
        if missing and found:
            codes = ", ".join(r.code for r in missing)
            raise GatherError(f"meter {inst.meter_number} has no reading of {codes} for {start:%Y-%m}")
        if missing:
            waiting.append(inst)
        pairs += found
    if not pairs:
        if not waiting:
            raise GatherError(f"no reading to bill for {start:%Y-%m}: no meter installed")
        meters = ", ".join(f"{i.meter_number} (installed {i.installed_on.isoformat()})" for i in waiting)
        raise GatherError(f"no reading to bill for {start:%Y-%m}: meter {meters} has no reading in the month")
    period_start = max(min(p.previous.read_on for p in pairs), versions[0].valid_from)
    period_end = max(p.current.read_on for p in pairs)
    if versions[-1].valid_to is not None:
        period_end = min(period_end, versions[-1].valid_to)
    if period_end <= period_start:
        raise GatherError(f"the readings for {start:%Y-%m} cover no day of the contract")

    sources, corrections, negative, notes = [], [], [], []
    for pair in pairs:
        source, correction = _quantity(pair, readings.get(pair.register.id, []), negative)
        sources.append(source)
        if correction is not None:
            corrections.append(correction)
        if pair.current.status is ReadingStatus.ANOMALY:
            codes = ", ".join(anomalies.get(pair.current.id, [])) or "anomaly"
            notes.append(f"the reading of {pair.register.code} on {pair.current.read_on.isoformat()} "
                         f"is held back as an anomaly ({codes})")
    last = next((v for v in versions if v.valid_from <= period_end - timedelta(days=1)
                 and (v.valid_to is None or period_end - timedelta(days=1) < v.valid_to)), versions[-1])
    codes = {v.code for v in versions}
    inputs = BillInputs(
        period_start=period_start, period_end=period_end,
        segments=tuple(ContractSegment(v.valid_from, v.valid_to, v.code, v.contracted_power_va) for v in versions),
        versions=tuple(s for code in sorted(codes) for s in snapshots.get(code, ())),
        quantities=tuple(sources), corrections=tuple(corrections),
        misc_charges=tuple(MiscChargeInput(m.name, Decimal(m.amount), m.reason, m.id, bool(m.taxable))
                           for m in misc),
        months=MONTHS[cycle_in(versions, end)])
    facts = BillFacts(
        contract_id=contract.id, service_point_id=contract.service_point_id, account_id=contract.account_id,
        tariff_code=last.code, tariff_class=last.tariff_class, power_va=last.contracted_power_va,
        active=contract.status == ContractStatus.ACTIVE,
        limits=rules.get(last.tariff_class, Limits()),
        average_daily=_average_daily([history[p.register.id] for p in pairs
                                      if p.register.usage in ACTIVE_USAGES and p.register.id in history]),
        estimates_in_a_row=max((_estimates_in_a_row(readings.get(p.register.id, []), p.current)
                                for p in pairs if p.register.usage in ACTIVE_USAGES), default=0),
        negative=tuple(negative), notes=tuple(notes), misc_charge_ids=tuple(m.id for m in misc))
    return Gathered(contract.id, inputs, facts)


def _pair(register: _Register, meter: str, previous: tuple[Decimal, str, date], current: _Reading) -> ReadingPair:
    value, kind, day = previous
    return ReadingPair(register.code, value, kind, day, current.value, current.reading_type.value, current.read_on,
                       register.multiplier,
                       estimated=ReadingType.ESTIMATED.value in (kind, current.reading_type.value), meter_number=meter)


def _quantity(pair: _Pair, rows: list[_Reading], negative: list) -> tuple[QuantitySource, Correction | None]:
    register, previous, current = pair.register, pair.previous, pair.current
    base = (previous.value, previous.reading_type.value, previous.read_on)
    if register.usage is UsageType.DEMAND:
        readings = _pair(register, pair.meter, base, current)
        return QuantitySource(register.usage, current.value * register.multiplier, readings), None
    correction = None
    if register.usage in ACTIVE_USAGES:
        correction, interpolated = _correct_estimate(pair, rows)
        if interpolated is not None:
            base = (interpolated, "interpolated", previous.read_on)
    units = _units(base[0], current.value, register)
    if units is None:
        negative.append(f"{register.code}: {current.value.normalize():f} on {current.read_on.isoformat()} is below "
                        f"the previous reading {base[0].normalize():f}")
        units = Decimal(0)
    return QuantitySource(register.usage, units * register.multiplier, _pair(register, pair.meter, base, current)), \
        correction


def _correct_estimate(pair: _Pair, rows: list[_Reading]) -> tuple[Correction | None, Decimal | None]:
    """The correction of the estimate the last bill ended on, and the index interpolated for that day."""
    estimate, register = pair.previous, pair.register
    if estimate.status is not ReadingStatus.SUPERSEDED or estimate.reading_type is not ReadingType.ESTIMATED:
        return None, None
    actual = next((r for r in rows if r.id == estimate.superseded_by_id), None)
    base = next((r for r in reversed(rows) if r.read_on < estimate.read_on and r.status is not
                 ReadingStatus.SUPERSEDED and r.reading_type is not ReadingType.ESTIMATED), None)
    if actual is None or base is None or actual.read_on > pair.current.read_on or actual.read_on <= base.read_on:
        return None, None
    used = _units(base.value, actual.value, register)
    estimated = _units(base.value, estimate.value, register)
    if used is None or estimated is None:
        return None, None
    share = Decimal((estimate.read_on - base.read_on).days) / Decimal((actual.read_on - base.read_on).days)
    step = Decimal(1).scaleb(-register.decimals)
    units = (used * share).quantize(step, ROUND_HALF_UP)
    interpolated = (base.value + units) % (Decimal(10) ** register.digits)
    kwh = (units - estimated) * register.multiplier
    if not kwh:
        return None, None
    readings = ReadingPair(register.code, estimate.value, ReadingType.ESTIMATED.value, estimate.read_on,
                           interpolated, "interpolated", estimate.read_on, register.multiplier, estimated=True,
                           meter_number=pair.meter)
    reason = (f"the actual reading of {actual.read_on.isoformat()} replaces the estimate of "
              f"{estimate.read_on.isoformat()}")
    return Correction(kwh, reason, register.usage, readings, base.read_on, estimate.read_on), interpolated


def _average_daily(history: list[tuple[Decimal, date, date]]) -> Decimal | None:
    """Active kWh a day over the year before the month, from its registers' history (28 days at least)."""
    if not history:
        return None
    first, last = min(h[1] for h in history), max(h[2] for h in history)
    if (last - first).days < 28:
        return None
    return sum((h[0] for h in history), Decimal(0)) / (last - first).days


def _estimates_in_a_row(rows: list[_Reading], current: _Reading) -> int:
    count = 0
    for r in reversed(rows):
        if r.read_on > current.read_on or r.status is ReadingStatus.SUPERSEDED or r.reading_type not in READ_TYPES:
            continue
        if r.reading_type is not ReadingType.ESTIMATED:
            break
        count += 1
    return count
