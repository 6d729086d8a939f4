"""Invoice documents as a job of their own: issued bills without a document, in batches any worker takes.

Never part of the calculation: a billing run prices, records and issues; this job renders afterwards,
so a slow or failing renderer cannot hold a bill back. A batch is idempotent (bills that already have
a document are skipped), so a redelivered task, a second queueing or two workers on the same ids
store each document once.
"""
from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from celery import shared_task
from sqlalchemy import event
from sqlalchemy.orm import Session, selectinload

from models.audit.recorder import Actor
from models.base import db
from models.billing.documents import Utility, store_documents
from models.billing.entities import Bill, BillDocument, BillStatus
from models.billing.operations import ISSUED_KEY
from models.customers.entities import Account
from models.errors import DomainError
from models.premises.entities import ServicePoint
from models.transactions import transaction

log = logging.getLogger(__name__)
ACTOR = Actor(None, "invoice documents")
BATCH_SIZE = 200       # a few seconds of one worker's time: small enough to spread, large enough per commit


def _without_document():
    return ~sa.exists().where(BillDocument.bill_id == Bill.id)


def document_batches(session: Session, *, period: date | None = None, run_id: int | None = None,
                     batch_size: int = BATCH_SIZE) -> list[list[int]]:
    """The ids of issued bills (invoices and credit notes) without a document, in batches; of one period
    (its first day) or one billing run, or all of them."""
    query = sa.select(Bill.id).where(Bill.status == BillStatus.ISSUED, _without_document()).order_by(Bill.id)
    if period is not None:
        query = query.where(Bill.period == period.replace(day=1))
    if run_id is not None:
        query = query.where(Bill.run_id == run_id)
    ids = list(session.scalars(query))
    return [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]


def queue_documents(session: Session, *, period: date | None = None, run_id: int | None = None,
                    utility: Utility | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Send one `billing.render_documents` task per batch; the number of bills queued. The caller passes
    the issuer from its configuration (workflows never read Flask's)."""
    batches = document_batches(session, period=period, run_id=run_id, batch_size=batch_size)
    issuer = {"name": utility.name, "address": utility.address} if utility else None
    for batch in batches:
        render_documents.delay(batch, issuer)
    return sum(len(batch) for batch in batches)


def render_bills(session: Session, bill_ids: list[int], utility: Utility | None = None) -> int:
    """Documents for those of the bills that are issued and have none yet; the number stored."""
    bills = session.scalars(
        sa.select(Bill).where(Bill.id.in_(bill_ids), Bill.status == BillStatus.ISSUED, _without_document())
        .options(selectinload(Bill.lines), selectinload(Bill.contract), selectinload(Bill.cancels),
                 selectinload(Bill.account).selectinload(Account.customer),
                 selectinload(Bill.service_point).selectinload(ServicePoint.property))).all()
    store_documents(session, bills, utility)
    return len(bills)


def render_batch(bill_ids: list[int], utility: Utility | None = None) -> int:
    """One commit for the batch; when it fails (a racing worker stored some of these first, a bill the
    renderer cannot take) the bills are taken one by one, so that one bill cannot keep the rest back."""
    try:
        with transaction(ACTOR):
            return render_bills(db.session, bill_ids, utility)
    except Exception as exc:  # noqa: BLE001  rolled back whole; retried bill by bill below
        log.info("document batch of %d bills failed (%s); storing them one by one", len(bill_ids), exc)
    stored = 0
    for bill_id in bill_ids:
        try:
            with transaction(ACTOR):
                stored += render_bills(db.session, [bill_id], utility)
        except DomainError as exc:
            log.warning("no document for bill %s: %s", bill_id, exc)
        except Exception:  # noqa: BLE001  logged with its trace; the next queue_documents offers it again
            log.exception("rendering the document of bill %s failed", bill_id)
    return stored


@shared_task(name="billing.render_documents")
def render_documents(bill_ids: list[int], utility: dict | None = None) -> int:
    """`utility`: {"name", "address"} of the issuer (the caller's app config); the defaults without it."""
    return render_batch([int(i) for i in bill_ids], Utility(**utility) if utility else None)


_issuer: dict | None = None


def _queue_issued(session: Session) -> None:
    ids = session.info.pop(ISSUED_KEY, None)
    if not ids:
        return
    for start in range(0, len(ids), BATCH_SIZE):
        try:
            render_documents.delay(ids[start:start + BATCH_SIZE], _issuer)
        except Exception:  # noqa: BLE001  the bills are issued; the sweep below renders what was not queued
            log.exception("queueing the documents of %d issued bills failed", len(ids))
            return


def _forget_issued(session: Session, *args) -> None:
    session.info.pop(ISSUED_KEY, None)


def queue_documents_after_commit(issuer: dict | None = None) -> None:
    """Every committed transaction that issued bills (models.billing.operations.note_issued) queues their
    documents, whatever issued them: a run's chunk, a clerk releasing a held bill, a credit note. A rollback
    forgets them. Install once per process (create_app does, except with eager tasks: there the render
    would run inside the commit)."""
    global _issuer
    _issuer = issuer
    if not event.contains(Session, "after_commit", _queue_issued):
        event.listen(Session, "after_commit", _queue_issued)
        event.listen(Session, "after_soft_rollback", _forget_issued)


@shared_task(name="billing.render_missing_documents", ignore_result=True)
def render_missing_documents() -> int:
    """A sweep (Celery beat): issued bills still without a document (a lost message, a worker that died) are
    queued again."""
    with transaction(ACTOR):
        return queue_documents(db.session, utility=Utility(**_issuer) if _issuer else None)
