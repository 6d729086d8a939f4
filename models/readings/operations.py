"""Recording readings one by one (entry screen, telephone) or in bulk (imports), judged alike."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.clock import today
from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.errors import DomainError
from models.meters.entities import Installation, Register, UsageType
from models.readings.entities import (
    INFORMATIONAL,
    AnomalyCode,
    Reading,
    ReadingAnomaly,
    ReadingRule,
    ReadingStatus,
    ReadingType,
)
from models.readings.validation import Limits, judge
from models.tariffs.entities import Tariff

HISTORY_DAYS = 365
RECENT = 8    # latest readings looked at: a stopped meter's run, estimates waiting for an actual reading


@dataclass
class RegisterContext:
    register_id: int
    digits: int
    multiplier: Decimal
    installed_on: date | None
    active_contract: bool
    limits: Limits
    previous: tuple[date, Decimal] | None      # latest reading before the new ones, estimates included
    average_daily: Decimal | None
    zero_run: int
    actual: tuple[date, Decimal] | None = None   # latest reading that is not an estimate
    # estimates after `actual`, which the next actual reading supersedes: (id or key, consumption)
    pending: list = field(default_factory=list)
    tariff_class: str | None = None
    demand: bool = False      # a maximum-demand register: each reading stands alone, it does not accumulate
    today: date = field(default_factory=today)     # once per context, not once per reading


def register_contexts(session: Session, register_ids: list[int]) -> dict:
    """Everything judging a register's next readings needs, in a handful of queries for many registers."""
    out = {}
    for start in range(0, len(register_ids), 900):
        chunk = register_ids[start:start + 900]
        out.update(_contexts(session, chunk))
    return out


def _contexts(session: Session, ids: list[int]) -> dict:
    # Core rows, not ORM ones: this runs over every register of a million-reading import.
    connection = session.connection()
    rules = {r.tariff_class: Limits(r.high_factor, r.low_factor, r.stopped_periods)
             for r in session.scalars(sa.select(ReadingRule))}
    sites = {row.id: row for row in connection.execute(
        sa.select(Register.id, Register.digits, Register.multiplier, Register.usage_type, Installation.installed_on,
                  Contract.status, Tariff.tariff_class)
        .outerjoin(Installation, sa.and_(Installation.meter_id == Register.meter_id, Installation.removed_on.is_(None)))
        .outerjoin(Contract, sa.and_(Contract.service_point_id == Installation.service_point_id,
                                     Contract.status == ContractStatus.ACTIVE))
        .outerjoin(ContractVersion, sa.and_(ContractVersion.contract_id == Contract.id,
                                            ContractVersion.valid_to.is_(None)))
        .outerjoin(Tariff, Tariff.id == ContractVersion.tariff_id)
        .where(Register.id.in_(ids)))}
    ranked = (sa.select(Reading.id, Reading.register_id, Reading.read_on, Reading.value, Reading.consumption,
                        Reading.reading_type,
                        sa.func.row_number().over(partition_by=Reading.register_id,
                                                  order_by=(Reading.read_on.desc(), Reading.id.desc())).label("n"))
              .where(Reading.register_id.in_(ids), Reading.status != ReadingStatus.SUPERSEDED).subquery())
    recent = defaultdict(list)
    depth = max([RECENT] + [limits.stopped_periods + 2 for limits in rules.values()])
    for row in connection.execute(sa.select(ranked).where(ranked.c.n <= depth).order_by(ranked.c.register_id,
                                                                                      ranked.c.n)):
        recent[row.register_id].append(row)
    since = today() - timedelta(days=HISTORY_DAYS)
    # Average per day over the window: consumption after the window's first reading, over the days
    # since that reading (the first reading's own consumption covers days before the window).
    window = (sa.select(Reading.register_id, sa.func.min(Reading.read_on).label("first"))
              .where(Reading.register_id.in_(ids), Reading.read_on >= since,
                     Reading.status != ReadingStatus.SUPERSEDED, Reading.reading_type != ReadingType.ESTIMATED)
              .group_by(Reading.register_id).subquery())
    history = {row.register_id: row for row in connection.execute(
        sa.select(Reading.register_id, sa.func.sum(Reading.consumption).label("used"),
                  sa.func.max(Reading.read_on).label("last"), sa.func.min(window.c.first).label("first"))
        .join(window, window.c.register_id == Reading.register_id)
        .where(Reading.read_on > window.c.first, Reading.consumption.is_not(None),
               Reading.status == ReadingStatus.VALID, Reading.reading_type != ReadingType.ESTIMATED)
        .group_by(Reading.register_id))}
    out = {}
    for register_id in ids:
        site = sites.get(register_id)
        if site is None:
            continue
        rows = recent.get(register_id, [])
        pending = []
        for row in rows:
            if row.reading_type != ReadingType.ESTIMATED:
                break
            pending.append((row.id, Decimal(row.consumption or 0)))
        actuals = [row for row in rows if row.reading_type != ReadingType.ESTIMATED]
        zero_run = 0
        for row in actuals:
            if row.consumption is None or row.consumption != 0:
                break
            zero_run += 1
        past = history.get(register_id)
        average = None
        if past is not None and past.used is not None:
            days = (_day(past.last) - _day(past.first)).days
            average = Decimal(past.used) / days if days >= 28 else None
        out[register_id] = RegisterContext(
            register_id, site.digits, Decimal(site.multiplier), site.installed_on, site.status is not None,
            rules.get(site.tariff_class, Limits()), (_day(rows[0].read_on), Decimal(rows[0].value)) if rows else None,
            average, zero_run, (_day(actuals[0].read_on), Decimal(actuals[0].value)) if actuals else None,
            pending, site.tariff_class, site.usage_type == UsageType.DEMAND)
    return out


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value   # SQLite aggregates give text


@dataclass
class Judged:
    values: dict
    anomalies: list[tuple[AnomalyCode, str]]
    supersedes: list = field(default_factory=list)    # estimates (ids, or keys of ones in the same batch)


def judge_next(context: RegisterContext, read_on: date, value: Decimal, reading_type: ReadingType,
               notes: tuple[AnomalyCode, ...] = ()) -> Judged:
    """Judge a reading against the context and move the context on to it (for several in a row).

    An estimate follows the latest reading; any other reading follows the latest reading that is not an
    estimate and supersedes the estimates in between, keeping the difference as its correction.
    """
    if context.installed_on and read_on < context.installed_on:
        raise DomainError(f"{read_on} is before the meter's installation on {context.installed_on}", "date")
    if read_on > context.today and reading_type is not ReadingType.ESTIMATED:
        raise DomainError(f"{read_on} is in the future", "date")
    if value < 0 or value >= Decimal(10) ** context.digits:
        raise DomainError(f"{value} does not fit a {context.digits}-digit register", "value")
    if context.demand:
        context.previous = context.actual = (read_on, value)
        return Judged({"register_id": context.register_id, "read_on": read_on, "value": value,
                       "reading_type": reading_type, "consumption": value * context.multiplier, "correction": None,
                       "status": ReadingStatus.ANOMALY if notes else ReadingStatus.VALID},
                      [(code, "reader's note") for code in notes])
    estimate = reading_type is ReadingType.ESTIMATED
    # With no actual reading before (imported history that starts with an estimate), the estimate is the base.
    base_is_estimate = estimate or context.actual is None
    previous = context.previous if base_is_estimate else context.actual
    if previous and read_on < previous[0]:
        raise DomainError(f"{read_on} is before the register's latest reading on {previous[0]}", "date")
    days = (read_on - previous[0]).days if previous else None
    verdict = judge(previous[1] if previous else None, value, context.digits, context.multiplier, days,
                    context.average_daily, context.active_contract, context.zero_run, context.limits)
    if estimate:   # an estimate judges nothing: it is the expectation itself
        verdict.anomalies = []
    anomalies = verdict.anomalies + [(code, "reader's note") for code in notes] if notes else verdict.anomalies
    held = bool(anomalies) and any(code not in INFORMATIONAL for code, _ in anomalies)
    values = {"register_id": context.register_id, "read_on": read_on, "value": value,
              "reading_type": reading_type, "consumption": verdict.consumption, "correction": None,
              "status": ReadingStatus.ANOMALY if held else ReadingStatus.VALID}
    supersedes = []
    context.previous = (read_on, value)
    if estimate:
        context.pending.append(((context.register_id, read_on, reading_type), verdict.consumption or Decimal(0)))
    else:
        if not base_is_estimate:
            if context.pending and verdict.consumption is not None:
                values["correction"] = verdict.consumption - sum(used for _, used in context.pending)
            supersedes = [ref for ref, _ in context.pending]
        context.pending = []
        context.actual = (read_on, value)
        context.zero_run = context.zero_run + 1 if verdict.consumption == 0 else 0
    return Judged(values, anomalies, supersedes)


def supersede(session: Session, estimate_ids: list[int], reading_id: int) -> None:
    if estimate_ids:
        session.execute(sa.update(Reading).where(Reading.id.in_(estimate_ids))
                        .values(status=ReadingStatus.SUPERSEDED, superseded_by_id=reading_id))


def record_reading(session: Session, register: Register, read_on: date, value: Decimal, reading_type: ReadingType,
                   source: str | None = None, notes: tuple[AnomalyCode, ...] = ()) -> Reading:
    """One reading from the entry screen or the telephone; a duplicate is refused."""
    if session.scalar(sa.select(Reading.id).where(Reading.register_id == register.id, Reading.read_on == read_on,
                                                  Reading.reading_type == reading_type)):
        raise DomainError(f"register {register.code} already has {article(reading_type.value)} "
                          f"{reading_type.value} reading on {read_on}", "value")
    context = register_contexts(session, [register.id])[register.id]
    judged = judge_next(context, read_on, Decimal(value), reading_type, notes)
    reading = Reading(**judged.values, by=acting_name(), source=source)
    reading.anomalies = [ReadingAnomaly(code=code, detail=detail[:300]) for code, detail in judged.anomalies]
    session.add(reading)
    session.flush()
    supersede(session, judged.supersedes, reading.id)
    return reading
