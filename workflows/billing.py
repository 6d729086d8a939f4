"""Billing runs on Celery workers: one task per chunk, taken by any number of workers, idempotent.

`launch_billing_run` (the CLI and the billing page) fixes the run and queues `billing.dispatch`, which
queues one `billing.run_chunk` per chunk. A chunk's bills are written in one transaction
(models.billing.runs): a worker killed mid-chunk leaves nothing of it, and taken again (a redelivery, or
`resume`) it bills every contract once. On the embedded SQLite broker a message a killed worker had taken is gone
(kombu marks it delivered when it hands it out): `cms billing resume RUN_ID` queues what is left.
Held bills start the bill_exception process in the chunk's own transaction.
"""
from __future__ import annotations

import gc
import logging
from datetime import date, datetime
from datetime import time as day_time

import sqlalchemy as sa
from celery import shared_task

from models import clock
from models.audit.recorder import Actor
from models.base import db, reading_only
from models.billing.documents import Utility
from models.billing.entities import BillingChunk, BillingRun, RunStatus
from models.billing.runs import (
    ChunkOutcome,
    begin_billing_run,
    bill_chunk,
    fail_chunk,
    note_attempt,
    pending_chunks,
    prepare_chunk,
    resume_billing_run,
    start_billing_run,
)
from models.transactions import ConcurrentChange, DatabaseBusy, transaction
from models.types import add_months
from workflows.billing_documents import document_batches, render_batch
from workflows.billing_exceptions import start_bill_exceptions

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5        # takings of one chunk (crashes included) before it is failed for a person to look at


def run_actor(run_id: int) -> Actor:
    return Actor(None, f"billing run {run_id}")


def launch_billing_run(period: date, routes: list[str] | None = None, chunk_size: int = 500,
                       actor: Actor | None = None, queue: bool = True, cycles: list[str] | None = None) -> int:
    """Start a run (its scope and chunks, committed) and queue its dispatch; returns the run's id.
    A refusal (an unknown route...) is a DomainError. `actor` None keeps the signed-in user."""
    with transaction(actor):
        run = start_billing_run(db.session, period, routes, chunk_size, cycles)
        run_id, total = run.id, run.total
    if queue and total:
        dispatch.delay(run_id)
    return run_id


def queue_chunks(run_id: int) -> int:
    """Queue every chunk of the run not yet done (again: a chunk done is never billed twice)."""
    with transaction(run_actor(run_id)):
        run = db.session.get(BillingRun, run_id)
        if run is None:
            return 0
        if run.status is RunStatus.QUEUED:
            begin_billing_run(db.session, run)
        ids = pending_chunks(db.session, run_id)
    for chunk_id in ids:
        run_chunk.delay(chunk_id)
    return len(ids)


def resume_run(run_id: int, actor: Actor | None = None, queue: bool = True) -> list[int]:
    """Chunks not done go pending again and are queued (or, `queue` False, left for the caller to bill)."""
    with transaction(actor):
        ids = resume_billing_run(db.session, run_id)
    if queue:
        for chunk_id in ids:
            run_chunk.delay(chunk_id)
    return ids


_heap_frozen = False


def _freeze_startup_heap() -> None:
    """Once per process: the application's start-up objects (Flask, SQLAlchemy's metadata, the BPMN
    engine) out of the garbage collector's sight. A chunk makes tens of thousands of short-lived objects,
    and each full collection walked that whole heap: a third of the CPU time of a chunk went there."""
    global _heap_frozen
    if not _heap_frozen:
        gc.collect()
        gc.freeze()
        _heap_frozen = True


def bill_chunk_now(chunk_id: int, amount_limits=None) -> ChunkOutcome | None:
    """A task's work, in this process: count the attempt (committed first, so a crash still counts); gather
    and price (reads only); then write the bills, start the exception process of the held ones and issue
    the others in one transaction, which a crash rolls back whole."""
    _freeze_startup_heap()
    with transaction(Actor(None, "billing run")):
        run_id = db.session.scalar(sa.select(BillingChunk.run_id).where(BillingChunk.id == chunk_id))
        attempts = note_attempt(db.session, chunk_id) if run_id else None
    if attempts is None:
        return None         # unknown, done or failed: nothing to do
    if attempts > MAX_ATTEMPTS:
        with transaction(run_actor(run_id)):
            fail_chunk(db.session, chunk_id, f"taken {attempts - 1} times without finishing")
        return None
    # Reads first, in a transaction of their own declared read-only, so that other workers write
    # meanwhile on either engine (SQLite begins it deferred: no write lock while gathering and pricing).
    with reading_only(), transaction(run_actor(run_id)):
        prepared = prepare_chunk(db.session, chunk_id, amount_limits=amount_limits)
    if prepared is None:
        return None
    with transaction(run_actor(run_id)):
        outcome = bill_chunk(db.session, chunk_id, amount_limits=amount_limits, on_held=start_exceptions,
                             prepared=prepared)
    return outcome


def start_exceptions(session, bill_ids: list[int]) -> None:
    """The bill_exception process for each held bill. Its failure (the process not deployed...) must not
    undo the billing: the bills stay held, and start_bill_exceptions(session) later starts what is missing."""
    try:
        with session.begin_nested():
            start_bill_exceptions(session, bill_ids)
    except Exception:  # noqa: BLE001  logged; the held bills are kept
        log.exception("starting the bill_exception process for %d held bills failed", len(bill_ids))


def bill_months_here(periods: list[date], actor: Actor, utility: Utility | None = None) -> dict:
    """Bill whole months one after another in this process, oldest first (the demo's history, a first
    installation's back-billing), then render the documents of the last month's issued bills."""
    counts = {"months": 0, "issued": 0, "held": 0, "errors": 0, "documents": 0}
    for period in sorted(periods):
        # Each month is billed on the 3rd of the next (or today, when that is later): issue and due dates
        # as they would have been, so the history ages like a real one.
        billed_on = datetime.combine(add_months(period, 1).replace(day=3), day_time(6, 30), clock.business_zone())
        with clock.back_to(billed_on):
            run_id = launch_billing_run(period, None, actor=actor, queue=False)
            chunk_ids = pending_chunks(db.session, run_id)
            db.session.rollback()
            for chunk_id in chunk_ids:
                outcome = bill_chunk_now(chunk_id)
                if outcome is not None:
                    counts["issued"] += outcome.billed
                    counts["held"] += outcome.held
                    counts["errors"] += len(outcome.errors)
        counts["months"] += 1
    if periods:
        batches = document_batches(db.session, period=max(periods))
        db.session.rollback()
        counts["documents"] = sum(render_batch(ids, utility) for ids in batches)
    return counts


def fail_chunk_now(chunk_id: int, reason: str) -> None:
    run_id = db.session.scalar(sa.select(BillingChunk.run_id).where(BillingChunk.id == chunk_id))
    db.session.rollback()
    with transaction(run_actor(run_id or 0)):
        fail_chunk(db.session, chunk_id, reason)


@shared_task(name="billing.dispatch", acks_late=True, ignore_result=True)
def dispatch(run_id: int) -> int:
    """Queue the run's chunks; sent once a run is started (idempotent: done chunks stay done)."""
    return queue_chunks(run_id)


@shared_task(name="billing.run_chunk", bind=True, acks_late=True, ignore_result=True, max_retries=5)
def run_chunk(self, chunk_id: int) -> dict | None:
    """Bill one chunk. A busy database or a concurrent change is retried; any other failure fails the chunk
    (and its run) with the reason, for `cms billing resume` once it is fixed."""
    try:
        outcome = bill_chunk_now(chunk_id)
    except (DatabaseBusy, ConcurrentChange) as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=min(30, 2 ** self.request.retries)) from exc
        fail_chunk_now(chunk_id, str(exc))
        raise
    except Exception as exc:
        log.exception("billing chunk %s failed", chunk_id)
        fail_chunk_now(chunk_id, f"{type(exc).__name__}: {exc}")
        raise
    if outcome is None:
        return None
    return {"chunk": chunk_id, "billed": outcome.billed, "held": outcome.held, "skipped": outcome.skipped,
            "errors": len(outcome.errors)}


@shared_task(name="billing.start_missing_exceptions", ignore_result=True)
def start_missing_exceptions() -> int:
    """Give every held bill without a review its bill_exception process: a chunk whose process start failed
    (the process not deployed then) keeps its bills held, and this hourly sweep catches them up."""
    with transaction(Actor(None, "billing sweep")):
        return len(start_bill_exceptions(db.session))
