"""The customers' credit pays their new bills: a payment's unallocated part (an overpayment, a cancelled bill's
payment) is allocated once the next bill is issued, by a beat task that is safe to run any time."""
from __future__ import annotations

from celery import shared_task

from models.audit.recorder import Actor
from models.base import db
from models.collection.operations import allocate_credit
from models.collection.queries import customers_with_credit
from models.transactions import transaction

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
