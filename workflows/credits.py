"""Payments reach the rest of collection. The customers' credit pays their new bills: a payment's unallocated
part (an overpayment, a cancelled bill's payment) is allocated once the next bill is issued, by a beat task that
is safe to run any time; and dunning hears of every payment before its transaction commits."""
from __future__ import annotations

from celery import shared_task
from sqlalchemy import event
from sqlalchemy.orm import Session

from models.audit.recorder import Actor
from models.base import db
from models.collection.operations import PAID_KEY, allocate_credit
from models.collection.queries import customers_with_credit
from models.transactions import transaction
from workflows.collection import on_payments

BATCH = 200


@shared_task(name="collection.allocate_credits", ignore_result=True)
def allocate_credits() -> int:
    """Allocate every customer's credit to their open bills, oldest first; the number of allocations made."""
    with transaction(Actor(None, "credit allocation")):
        customer_ids = customers_with_credit(db.session)
    made = 0
    for start in range(0, len(customer_ids), BATCH):
        with transaction(Actor(None, "credit allocation")):
            made += sum(len(allocate_credit(db.session, cid)) for cid in customer_ids[start:start + BATCH])
    return made


def _tell_dunning(session: Session) -> None:
    paying = session.info.pop(PAID_KEY, None)
    if paying:
        # In chunks: a statement of 100,000 lines pays as many customers, more than one query may name
        # (PostgreSQL takes at most 65,535 parameters).
        paying = sorted(paying)
        for start in range(0, len(paying), BATCH * 25):
            on_payments(session, paying[start:start + BATCH * 25])


def _forget(session: Session, _previous=None) -> None:
    session.info.pop(PAID_KEY, None)


def tell_dunning_before_commit() -> None:
    """Every transaction that posted payments tells the customers' collection processes before it commits (a
    cleared debt stops dunning, a disconnected customer gets reconnected), whichever edge posted them.
    Install once per process (create_app does)."""
    if not event.contains(Session, "before_commit", _tell_dunning):
        event.listen(Session, "before_commit", _tell_dunning)
        event.listen(Session, "after_soft_rollback", _forget)
