"""Billing runs: a month's contracts cut into chunks that any number of workers bill independently.

- `start_billing_run` fixes the scope once (active postpaid contracts of the routes and billing cycles, due
  this month by their cycle, registered before the month ends, not terminated before it starts, without a
  live bill for it) and writes the chunks. Routes
  whose reading cycle for the month is still open are refused by name and nothing of them is billed.
- `bill_chunk` bills one chunk inside the caller's transaction: gathered in a few queries, priced (pure),
  checked, written in bulk (bills, lines, status history, misc charges, invoice numbers), so a chunk
  either commits whole or leaves nothing. It is idempotent: a chunk done is not billed again, and the
  unique (contract, month) index makes a second live bill impossible, so a contract another run billed
  meanwhile is skipped. When the bulk write is refused, each contract is written under its own SAVEPOINT
  and only the one at fault is recorded in the chunk's errors.
- Run counters move by atomic UPDATE ... SET done = done + n; the chunk that brings `done` to `total`
  moves the run to done.

The bulk writer writes exactly the rows `record_bill` + `issue_bill` (models.billing.operations) would:
the same bill columns and lines, a StatusChange none -> draft and draft -> held or issued per bill, gapless
numbers drawn as one block per chunk, the due date of `due_date`. The audit trail gets one bulk event per
chunk (models.audit.recorder.record_bulk), as the other bulk loads do.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name, record_bulk
from models.base import insert_rows, new_ids
from models.billing.checks import hold_reasons, unpriceable
from models.billing.cycles import due_in, parse_cycles
from models.billing.entities import (
    Bill,
    BillingChunk,
    BillingRun,
    BillKind,
    BillLine,
    BillStatus,
    ChunkStatus,
    InvoiceCounter,
    MiscCharge,
    RunStatus,
)
from models.billing.gather import BillFacts, Gathered, gather_contracts, month_bounds
from models.billing.inputs import ACTIVE_USAGES, PricingError
from models.billing.numbering import WIDTH
from models.billing.operations import INVOICE_SERIES, due_date, note_issued
from models.billing.pricing import PricedBill, price_bill
from models.clock import now_utc, today
from models.contracts.entities import Contract, ContractType, ContractVersion
from models.errors import DomainError, describe_integrity_error
from models.premises.entities import ReadingRoute, ServicePoint
from models.readings.entities import CycleStatus, ReadingCycle
from models.statuses import StatusChange, begin_status, check_move, move_status
from models.tariffs.entities import PaymentMode, Tariff

log = logging.getLogger(__name__)
LIVE_BILL_INDEX = "uq_bills_contract_period_live"


@dataclass
class Plan:
    """One contract's bill, priced and checked, ready to write (or the reason it cannot be)."""

    contract_id: int
    facts: BillFacts | None = None
    priced: PricedBill | None = None
    reasons: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class ChunkOutcome:
    chunk: BillingChunk
    billed: int = 0                 # issued
    held: int = 0
    skipped: int = 0                # billed meanwhile (another run): never twice
    errors: dict[int, str] = field(default_factory=dict)
    held_bill_ids: list[int] = field(default_factory=list)
    issued_bill_ids: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)     # gather, price, write
    already_done: bool = False


def start_billing_run(session: Session, period: date, routes: list[str] | None = None,
                      chunk_size: int = 500, cycles: list[str] | None = None) -> BillingRun:
    """Fix a run's scope for the month of `period` and split it into chunks (queued, not yet billed):
    the contracts of `routes` (all when empty) whose billing cycle is one of `cycles` (all when empty) and
    that are due this month (models.billing.cycles)."""
    if chunk_size < 1:
        raise DomainError("must be at least 1", "chunk_size")
    start, end = month_bounds(period)
    chosen = parse_cycles(cycles)
    codes = sorted({c.strip() for c in routes or () if c and c.strip()}) or None
    query = sa.select(ReadingRoute.code, ReadingRoute.id)
    known = dict(session.execute(query.where(ReadingRoute.code.in_(codes)) if codes else query).all())
    unknown = [c for c in codes or () if c not in known]
    if unknown:
        raise DomainError(f"unknown route{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}", "routes")
    still_open = session.scalars(
        sa.select(ReadingRoute.code).join(ReadingCycle, ReadingCycle.route_id == ReadingRoute.id)
        .where(ReadingCycle.period == start, ReadingCycle.status == CycleStatus.OPEN,
               ReadingCycle.billing_cycle.in_(chosen) if chosen else sa.true(),
               ReadingRoute.id.in_(known.values()) if codes else sa.true())).all()
    refused = {code: f"the reading cycle for {start:%Y-%m} is still open" for code in sorted(set(still_open))}
    live = sa.exists().where(Bill.contract_id == Contract.id, Bill.period == start, Bill.kind == BillKind.INVOICE,
                             Bill.status != BillStatus.CANCELLED)
    postpaid = sa.exists().where(
        ContractVersion.contract_id == Contract.id, ContractVersion.valid_from < end,
        sa.or_(ContractVersion.valid_to.is_(None), ContractVersion.valid_to > start),
        ContractVersion.contract_type != ContractType.PREPAID,
        ContractVersion.tariff_id.in_(sa.select(Tariff.id).where(Tariff.payment_mode == PaymentMode.POSTPAID)))
    scope = (sa.select(Contract.id).join(ServicePoint, ServicePoint.id == Contract.service_point_id)
             .where(Contract.registered_on < end,
                    sa.or_(Contract.terminated_on.is_(None), Contract.terminated_on >= start), postpaid, ~live,
                    due_in(start, end, chosen))
             .order_by(Contract.id))
    refused_ids = [known[c] for c in refused]
    if codes:
        scope = scope.where(ServicePoint.route_id.in_([i for c, i in known.items() if c not in refused]))
    elif refused_ids:
        scope = scope.where(sa.or_(ServicePoint.route_id.is_(None), ServicePoint.route_id.not_in(refused_ids)))
    ids = list(session.scalars(scope))
    run = BillingRun(period=start, routes=codes, cycles=[c.value for c in chosen] or None, total=len(ids), done=0,
                     held=0, errors=0, by=acting_name(), refused_routes=refused or None)
    session.add(run)
    begin_status(session, run, RunStatus.QUEUED)
    if ids:
        session.execute(sa.insert(BillingChunk), [
            {"run_id": run.id, "sequence": n, "contract_ids": ids[i:i + chunk_size], "status": ChunkStatus.PENDING,
             "attempts": 0, "billed": 0, "held": 0}
            for n, i in enumerate(range(0, len(ids), chunk_size), start=1)])
    else:
        begin_billing_run(session, run)
        _finish(session, run, "nothing to bill")
    session.flush()
    return run


def begin_billing_run(session: Session, run: BillingRun) -> None:
    """Queued (or failed and resumed) to running; the rate counts from the first start."""
    move_status(session, run, RunStatus.RUNNING, what=str(run))
    run.started_at = run.started_at or now_utc()
    session.flush()


def _finish(session: Session, run: BillingRun, note: str | None = None) -> None:
    move_status(session, run, RunStatus.DONE, what=str(run), note=note)
    run.finished_at = now_utc()


def note_attempt(session: Session, chunk_id: int) -> int | None:
    """Count one more taking of a chunk (committed by the caller before billing, so a worker that dies
    mid-chunk still leaves its attempt behind); None when the chunk is settled or unknown."""
    t = BillingChunk.__table__
    return session.execute(sa.update(t).where(t.c.id == chunk_id, t.c.status.in_(["pending", "running"]))
                           .values(attempts=t.c.attempts + 1).returning(t.c.attempts)).scalar_one_or_none()


@dataclass
class PreparedChunk:
    """A chunk gathered and priced (reads only), waiting to be written by bill_chunk."""

    chunk_id: int
    plans: list[Plan]
    seconds: dict[str, float]


def prepare_chunk(session: Session, chunk_id: int, *, amount_limits=None) -> PreparedChunk | None:
    """Gather, price and check a chunk's bills without writing anything; None when it is settled.

    A worker may run this in a transaction of its own, outside the write lock, and hand the result to
    bill_chunk: what it read may be a moment old by then, as any bill's inputs are once it is priced."""
    row = session.execute(sa.select(BillingChunk.status, BillingChunk.contract_ids, BillingRun.period)
                          .join(BillingRun, BillingRun.id == BillingChunk.run_id)
                          .where(BillingChunk.id == chunk_id)).first()
    if row is None or row.status not in (ChunkStatus.PENDING, ChunkStatus.RUNNING):
        return None
    ids = list(row.contract_ids)
    clock = time.perf_counter()
    gathered = gather_contracts(session, ids, row.period)
    seconds = {"gather": time.perf_counter() - clock}
    clock = time.perf_counter()
    plans = [plan_bill(gathered[cid], amount_limits) for cid in ids]
    seconds["price"] = time.perf_counter() - clock
    return PreparedChunk(chunk_id, plans, seconds)


def bill_chunk(session: Session, chunk_id: int, *, amount_limits=None,
               on_held: Callable[[Session, list[int]], None] | None = None,
               prepared: PreparedChunk | None = None) -> ChunkOutcome | None:
    """Bill one chunk in the caller's transaction (from `prepared` when given, else gathered here).
    None when another worker holds it (PostgreSQL).

    `on_held(session, bill_ids)` runs once the chunk's held bills are written (the bill_exception process
    starts there). Rows shared between workers are locked late and in one order, invoice counter then
    run, so that workers never deadlock and hold them only for the chunk's last statements."""
    chunk = session.scalars(sa.select(BillingChunk).where(BillingChunk.id == chunk_id)
                            .with_for_update(skip_locked=True).execution_options(populate_existing=True)
                            ).one_or_none()
    if chunk is None:
        return None
    if chunk.status not in (ChunkStatus.PENDING, ChunkStatus.RUNNING):
        return ChunkOutcome(chunk, billed=chunk.billed, held=chunk.held, already_done=True)
    run = session.get(BillingRun, chunk.run_id)
    if chunk.status is ChunkStatus.PENDING:
        move_status(session, chunk, ChunkStatus.RUNNING, what=f"chunk {chunk.sequence} of {run}", record=False)
    chunk.started_at = now_utc()
    ids = list(chunk.contract_ids)
    if prepared is None or prepared.chunk_id != chunk_id:
        prepared = prepare_chunk(session, chunk_id, amount_limits=amount_limits)
    clock = time.perf_counter()
    outcome = _write(session, run, chunk, prepared.plans)
    exceptions = 0.0
    if outcome.held_bill_ids and on_held is not None:
        started = time.perf_counter()
        on_held(session, outcome.held_bill_ids)
        exceptions = time.perf_counter() - started
    _issue(session, outcome.issued_bill_ids)
    chunk.billed, chunk.held = outcome.billed, outcome.held
    chunk.errors = {str(cid): reason for cid, reason in outcome.errors.items()} or None
    move_status(session, chunk, ChunkStatus.DONE, what=f"chunk {chunk.sequence} of {run}", record=False)
    chunk.finished_at = now_utc()
    session.flush()
    _settle(session, run, chunk, len(ids), outcome.held, len(outcome.errors))
    outcome.seconds = {**prepared.seconds, "write": time.perf_counter() - clock - exceptions}
    if exceptions:
        outcome.seconds["exceptions"] = exceptions
    chunk.seconds = {stage: round(seconds, 6) for stage, seconds in outcome.seconds.items()}
    return outcome


def plan_bill(gathered: Gathered, amount_limits=None) -> Plan:
    """Price and check one contract's gathered inputs (no database)."""
    if gathered.error:
        return Plan(gathered.contract_id, error=gathered.error)
    facts = gathered.facts
    try:
        priced = price_bill(gathered.inputs)
    except PricingError as exc:
        # Held with the reason, never a crash: the clerk sees what is missing (a tariff version...).
        return Plan(gathered.contract_id, facts, _unpriced(gathered), [unpriceable(exc), *facts.notes])
    except Exception as exc:  # noqa: BLE001  one contract's fault must not stop the chunk
        log.exception("pricing the bill of contract %s failed", gathered.contract_id)
        return Plan(gathered.contract_id, error=f"could not be priced: {exc!r}"[:500])
    return Plan(gathered.contract_id, facts, priced, hold_reasons(priced, facts, amount_limits))


def _unpriced(gathered: Gathered) -> PricedBill:
    inputs, zero = gathered.inputs, Decimal(0)
    kwh = sum((s.quantity for s in inputs.quantities if s.usage in ACTIVE_USAGES), zero)
    return PricedBill(inputs.period_start, inputs.period_end, (), (), zero, zero, zero, zero, kwh, zero)


def _write(session: Session, run: BillingRun, chunk: BillingChunk, plans: list[Plan]) -> ChunkOutcome:
    outcome = ChunkOutcome(chunk, errors={p.contract_id: p.error for p in plans if p.error})
    todo = [p for p in plans if not p.error]
    billed = _already_billed(session, run, [p.contract_id for p in todo])
    outcome.skipped = sum(1 for p in todo if p.contract_id in billed)
    todo = [p for p in todo if p.contract_id not in billed]
    written: list[tuple[Plan, int]] = []
    # COPY (PostgreSQL) raises the driver's own errors, not SQLAlchemy's wrappers
    dbapi = session.get_bind().dialect.dbapi
    refused, integrity = (IntegrityError, DataError, dbapi.IntegrityError, dbapi.DataError), \
        (IntegrityError, dbapi.IntegrityError)
    try:
        with session.begin_nested():
            written = _insert(session, run, todo)
    except refused:
        # A racing run billed one of them, or one row is refused: one savepoint each, so the rest bill.
        for plan in todo:
            try:
                with session.begin_nested():
                    written += _insert(session, run, [plan])
            except integrity as exc:
                wrapped = exc if isinstance(exc, IntegrityError) else IntegrityError("COPY", None, exc)
                if _billed_meanwhile(wrapped):
                    outcome.skipped += 1
                else:
                    outcome.errors[plan.contract_id] = f"could not be stored: {describe_integrity_error(wrapped)}"
            except refused as exc:
                outcome.errors[plan.contract_id] = f"could not be stored: {getattr(exc, 'orig', exc)}"[:500]
    for plan, bill_id in written:
        (outcome.held_bill_ids if plan.reasons else outcome.issued_bill_ids).append(bill_id)
    outcome.billed, outcome.held = len(outcome.issued_bill_ids), len(outcome.held_bill_ids)
    if written:
        record_bulk(session, "bills", {"rows": len(written), "issued": outcome.billed, "held": outcome.held,
                                       "source": f"{run}, chunk {chunk.sequence}"})
    return outcome


def _already_billed(session: Session, run: BillingRun, contract_ids: list[int]) -> set[int]:
    return set(session.scalars(sa.select(Bill.contract_id).where(
        Bill.contract_id.in_(contract_ids), Bill.period == run.period, Bill.kind == BillKind.INVOICE,
        Bill.status != BillStatus.CANCELLED)))


def _billed_meanwhile(exc: IntegrityError) -> bool:
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:
        return diag.constraint_name == LIVE_BILL_INDEX
    return "bills.contract_id, bills.period" in str(exc.orig)


def _insert(session: Session, run: BillingRun, plans: list[Plan]) -> list[tuple[Plan, int]]:
    """Bills as record_bill writes them: draft, or held with its reasons (issued afterwards, per chunk)."""
    if not plans:
        return []
    check_move(BillStatus.DRAFT, BillStatus.HELD, "a bill")
    now, by = now_utc(), acting_name()
    bills = Bill.__table__
    ids = new_ids(session, bills, len(plans))
    written = list(zip(plans, ids, strict=True))
    replaced = _cancelled_bills(session, run.period, [plan.facts.contract_id for plan in plans])
    insert_rows(session, bills, [_bill_row(run.id, run.period, plan, now, bill_id, replaced)
                                 for plan, bill_id in written])
    lines = [{"bill_id": bill_id, "sequence": n, "kind": line.kind.value, "label": line.label,
              "tariff_version_id": line.version_id, "quantity": line.quantity, "unit": line.unit, "rate": line.rate,
              "amount": line.amount, "covers_from": line.covers_from, "covers_to": line.covers_to,
              "split": line.split, "readings": [r.as_json() for r in line.readings] or None,
              "explanation": line.explain()[:500]}
             for plan, bill_id in written for n, line in enumerate(plan.priced.lines, start=1)]
    insert_rows(session, BillLine.__table__, lines)
    changes = [_change(bill_id, None, BillStatus.DRAFT, None) for _, bill_id in written]
    changes += [_change(bill_id, BillStatus.DRAFT, BillStatus.HELD, "; ".join(plan.reasons))
                for plan, bill_id in written if plan.reasons]
    misc = [{"m_id": charge_id, "m_bill": bill_id} for plan, bill_id in written
            for charge_id in plan.facts.misc_charge_ids]
    if misc:
        charges = MiscCharge.__table__
        session.execute(sa.update(charges).where(charges.c.id == sa.bindparam("m_id"))
                        .values(bill_id=sa.bindparam("m_bill")), misc)
    insert_rows(session, StatusChange.__table__, changes, {"at": now, "by": by, "instance_id": None,
                                                           "object_type": "bill"})
    return written


def _issue(session: Session, bill_ids: list[int]) -> None:
    """Number, date and issue the chunk's drafts, as issue_bill does one by one. On PostgreSQL the invoice
    counter's row stays locked from here to the commit: this is the chunk's last work."""
    if not bill_ids:
        return
    check_move(BillStatus.DRAFT, BillStatus.ISSUED, "a bill")
    bills, day = Bill.__table__, today()
    numbers = list(zip(bill_ids, draw_invoice_numbers(session, INVOICE_SERIES, day.year, len(bill_ids)), strict=True))
    terms = {"status": BillStatus.ISSUED, "issued_on": day, "due_on": due_date(day)}
    if session.get_bind().dialect.name == "postgresql":
        # One UPDATE from two arrays: an executemany costs PostgreSQL a round trip per bill, and a
        # VALUES list a new statement (parsed and planned again) per chunk size.
        issued = sa.select(sa.func.unnest(sa.bindparam("b_ids", type_=ARRAY(sa.Integer))).label("id"),
                           sa.func.unnest(sa.bindparam("b_numbers", type_=ARRAY(sa.String))).label("number")
                           ).subquery("issued")
        session.execute(sa.update(bills).where(bills.c.id == issued.c.id).values(number=issued.c.number, **terms),
                        {"b_ids": [i for i, _ in numbers], "b_numbers": [n for _, n in numbers]})
    else:       # SQLite has no arrays; an executemany there is in-process anyway
        session.execute(sa.update(bills).where(bills.c.id == sa.bindparam("b_id"))
                        .values(number=sa.bindparam("b_number"), **terms),
                        [{"b_id": bill_id, "b_number": number} for bill_id, number in numbers])
    insert_rows(session, StatusChange.__table__, [_change(i, BillStatus.DRAFT, BillStatus.ISSUED, None)
                                                   for i in bill_ids],
                {"at": now_utc(), "by": acting_name(), "instance_id": None, "object_type": "bill"})
    note_issued(session, bill_ids)


def _cancelled_bills(session: Session, period: date, contract_ids: list[int]) -> dict[int, int]:
    """The latest cancelled invoice of each contract for the period: the bill a new one is the rebill of."""
    rows = session.execute(sa.select(Bill.contract_id, sa.func.max(Bill.id)).where(
        Bill.period == period, Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.CANCELLED,
        Bill.contract_id.in_(contract_ids)).group_by(Bill.contract_id))
    return dict(rows.all())


def _bill_row(run_id: int, period: date, plan: Plan, now, bill_id: int, replaced: dict[int, int]) -> dict:
    facts, priced = plan.facts, plan.priced
    return {"id": bill_id, "number": None, "kind": BillKind.INVOICE,
            "status": BillStatus.HELD if plan.reasons else BillStatus.DRAFT,
            "contract_id": facts.contract_id, "service_point_id": facts.service_point_id,
            "account_id": facts.account_id, "run_id": run_id, "period": period,
            "period_start": priced.period_start, "period_end": priced.period_end, "tariff_code": facts.tariff_code,
            "tariff_class": facts.tariff_class, "power_va": facts.power_va, "kwh": priced.kwh,
            "jam_nyala": priced.jam_nyala, "estimated": priced.estimated, "subtotal": priced.subtotal,
            "taxes": priced.taxes + priced.stamp_duty,
            "total": priced.total, "hold_reasons": list(plan.reasons) or None, "issued_on": None, "due_on": None,
            "cancels_id": None, "rebill_of_id": replaced.get(facts.contract_id), "cancel_reason": None,
            "created_at": now}


def _change(bill_id: int, previous: BillStatus | None, target: BillStatus, note: str | None) -> dict:
    return {"object_id": bill_id, "from_status": previous.value if previous else None, "to_status": target.value,
            "note": note[:500] if note else None}


def draw_invoice_numbers(session: Session, series: str, year: int, count: int) -> list[str]:
    """`count` consecutive numbers in one UPDATE ... RETURNING (as next_invoice_number draws one): gapless,
    since a rolled-back chunk rolls its block back with it."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(InvoiceCounter).values(series=series, year=year, last_number=0)
                    .on_conflict_do_nothing(index_elements=["series", "year"]))
    last = session.execute(
        sa.update(InvoiceCounter).where(InvoiceCounter.series == series, InvoiceCounter.year == year)
        .values(last_number=InvoiceCounter.last_number + count).returning(InvoiceCounter.last_number)
        .execution_options(synchronize_session=False)).scalar_one()
    return [f"{series}-{year}-{n:0{WIDTH}d}" for n in range(last - count + 1, last + 1)]


def _settle(session: Session, run: BillingRun, chunk: BillingChunk, done: int, held: int, errors: int) -> None:
    """Add a chunk's counts in one atomic UPDATE; the chunk that completes the count finishes the run.
    A run nobody dispatched (billed in the foreground) starts with its first chunk."""
    t = BillingRun.__table__
    row = session.execute(sa.update(t).where(t.c.id == run.id)
                          .values(done=t.c.done + done, held=t.c.held + held, errors=t.c.errors + errors)
                          .returning(t.c.done, t.c.total)).one()
    session.refresh(run)      # the row is ours until the commit (PostgreSQL locks it at the UPDATE)
    if run.status is RunStatus.QUEUED:
        run.started_at = chunk.started_at
        begin_billing_run(session, run)
    if row.done >= row.total and run.status is RunStatus.RUNNING:
        _finish(session, run)
    session.flush()


def fail_chunk(session: Session, chunk_id: int, reason: str) -> BillingChunk | None:
    """A chunk that kept failing: failed with the reason, and its run with it (resuming takes it again)."""
    chunk = session.get(BillingChunk, chunk_id, with_for_update=True, populate_existing=True)
    if chunk is None or chunk.status in (ChunkStatus.DONE, ChunkStatus.FAILED):
        return chunk
    what = f"chunk {chunk.sequence}"
    if chunk.status is ChunkStatus.PENDING:
        move_status(session, chunk, ChunkStatus.RUNNING, what=what, record=False)
    move_status(session, chunk, ChunkStatus.FAILED, what=what, record=False)
    chunk.errors, chunk.finished_at = {"chunk": reason[:500]}, now_utc()
    run = session.get(BillingRun, chunk.run_id, with_for_update=True, populate_existing=True)
    if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        move_status(session, run, RunStatus.FAILED, what=str(run), note=f"{what}: {reason}"[:500])
    session.flush()
    return chunk


def resume_billing_run(session: Session, run_id: int) -> list[int]:
    """Every chunk not done goes pending again and the run runs; returns the chunk ids to take."""
    run = session.get(BillingRun, run_id, with_for_update=True, populate_existing=True)
    if run is None:
        raise DomainError(f"there is no billing run {run_id}", "run")
    if run.status is RunStatus.DONE:
        raise DomainError(f"{run} is done: nothing to resume", "run")
    pending = []
    for chunk in session.scalars(sa.select(BillingChunk).where(BillingChunk.run_id == run.id,
                                                               BillingChunk.status != ChunkStatus.DONE)
                                 .order_by(BillingChunk.sequence)):
        if chunk.status is not ChunkStatus.PENDING:
            move_status(session, chunk, ChunkStatus.PENDING, what=f"chunk {chunk.sequence}", record=False)
            chunk.errors = None
        pending.append(chunk.id)
    if run.status in (RunStatus.QUEUED, RunStatus.FAILED):
        begin_billing_run(session, run)
    session.flush()
    return pending


def pending_chunks(session: Session, run_id: int) -> list[int]:
    return list(session.scalars(sa.select(BillingChunk.id).where(
        BillingChunk.run_id == run_id, BillingChunk.status.in_([ChunkStatus.PENDING, ChunkStatus.RUNNING]))
        .order_by(BillingChunk.sequence)))


STAGES = ("gather", "price", "write", "exceptions")


def run_progress(session: Session, run_id: int | BillingRun, error_limit: int = 100) -> dict:
    """What the run page shows: done of total, rate, time left, errors; by tariff class once done.
    Plain values (datetimes, Decimals in the summary): JSON as Flask's provider writes them."""
    run = run_id if isinstance(run_id, BillingRun) else session.get(BillingRun, run_id, populate_existing=True)
    if run is None:
        raise DomainError(f"there is no billing run {run_id}", "run")
    chunks = session.execute(sa.select(BillingChunk.sequence, BillingChunk.status, BillingChunk.billed,
                                       BillingChunk.errors, BillingChunk.seconds)
                             .where(BillingChunk.run_id == run.id).order_by(BillingChunk.sequence)).all()
    stages = Counter()
    for c in chunks:
        stages.update(c.seconds or {})
    by_status = Counter(c.status.value for c in chunks)
    billed = sum(c.billed for c in chunks)
    errors = [{"contract_id": int(key) if key.isdigit() else None, "chunk": c.sequence, "reason": reason}
              for c in chunks for key, reason in (c.errors or {}).items()]
    end = run.finished_at or now_utc()
    elapsed = (end - run.started_at).total_seconds() if run.started_at else 0.0
    rate = run.done / elapsed if elapsed > 0 else 0.0
    left = run.total - run.done
    progress = {
        "id": run.id, "period": f"{run.period:%Y-%m}", "status": run.status.value, "routes": run.routes,
        "cycles": run.cycles,
        "refused_routes": run.refused_routes or {}, "total": run.total, "done": run.done, "billed": billed,
        "held": run.held, "errors": run.errors, "skipped": max(0, run.done - billed - run.held - run.errors),
        "percent": round(100 * run.done / run.total, 1) if run.total else 100.0,
        "rate": round(rate, 1), "seconds_left": round(left / rate) if rate and left else (0 if not left else None),
        "chunks": {s.value: by_status.get(s.value, 0) for s in ChunkStatus}, "error_list": errors[:error_limit],
        # CPU-side seconds per stage summed over the chunks billed (several workers: more than the wall time)
        "stages": {stage: round(stages[stage], 3) for stage in STAGES if stage in stages},
        "started_at": run.started_at, "finished_at": run.finished_at, "summary": None}
    if run.status is RunStatus.DONE:
        progress["summary"] = run_summary(session, run.id)
    return progress


def run_summary(session: Session, run_id: int) -> list[dict]:
    """Bills and amounts by tariff class: issued and held, kWh, subtotal, taxes, total."""
    rows = session.execute(
        sa.select(Bill.tariff_class, Bill.status, sa.func.count(), sa.func.sum(Bill.kwh), sa.func.sum(Bill.subtotal),
                  sa.func.sum(Bill.taxes), sa.func.sum(Bill.total))
        .where(Bill.run_id == run_id, Bill.kind == BillKind.INVOICE)
        .group_by(Bill.tariff_class, Bill.status).order_by(Bill.tariff_class)).all()
    out: dict[str, dict] = {}
    for tariff_class, status, count, kwh, subtotal, taxes, total in rows:
        entry = out.setdefault(tariff_class, {"tariff_class": tariff_class, "bills": 0, "issued": 0, "held": 0,
                                              "kwh": Decimal(0), "subtotal": Decimal(0), "taxes": Decimal(0),
                                              "total": Decimal(0)})
        entry["bills"] += count
        entry[status.value] = entry.get(status.value, 0) + count
        for key, value in (("kwh", kwh), ("subtotal", subtotal), ("taxes", taxes), ("total", total)):
            entry[key] += Decimal(value or 0)
    return list(out.values())
