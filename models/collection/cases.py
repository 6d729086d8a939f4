"""Which customers dunning has in hand: an open case of the `collection` process on one of their service points, or
an active payment arrangement. Every payment asks (dunning must hear of those customers' payments), and most
payers are in neither, so the answer is read with the payer's credit and open bills (one statement) and kept for
the transaction: the commit's dunning check then asks again only for the customers not known to be outside.

What is known is forgotten as soon as the session writes a case or an arrangement, since either may bring a
customer in (workflows.collection starts cases; arrangements pause them)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from models.base import innermost_transaction
from models.collection.dunning_entities import ArrangementStatus, PaymentArrangement
from models.contracts.entities import Contract, ContractStatus
from models.customers.entities import Account
from models.process.entities import InstanceStatus, ProcessDefinition, ProcessInstance

PROCESS = "collection"
# A case still open: a new one is not started beside it (an instance in error is retried, not replaced).
OPEN = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED, InstanceStatus.ERROR)
_OUTSIDE = "cms.outside_collection"      # session.info: (the transaction, customer ids known to be in no case)


def cases(*columns):
    """The open collection cases (their instances, or `columns`)."""
    return (sa.select(*(columns or (ProcessInstance,))).select_from(ProcessInstance).join(ProcessInstance.definition)
            .where(ProcessDefinition.key == PROCESS, ProcessInstance.object_type == "service_point",
                   ProcessInstance.status.in_(OPEN)))


def with_accounts(statement):
    """Cases joined to the account of their service point's active contract."""
    return (statement.join(Contract, sa.and_(Contract.service_point_id == ProcessInstance.object_id,
                                             Contract.status == ContractStatus.ACTIVE))
            .join(Account, Account.id == Contract.account_id))


def in_collection(customers):
    """The customers among `customers` (ids, or an expanding parameter) with an active arrangement or an open case."""
    arranged = sa.select(PaymentArrangement.customer_id.label("customer_id")).where(
        PaymentArrangement.status == ArrangementStatus.ACTIVE, PaymentArrangement.customer_id.in_(customers))
    dunned = with_accounts(cases(Account.customer_id)).where(Account.customer_id.in_(customers))
    return sa.union(arranged, dunned)


def remember_outside(session: Session, customer_ids) -> None:
    """These customers were read (after their lock) to be in no case and no arrangement."""
    _outside(session).update(customer_ids)


def known_outside(session: Session) -> set[int]:
    """The customers read to be outside collection, unless a case or an arrangement waits to be flushed."""
    if _writes_cases(session):
        return set()
    return set(_outside(session))


def _writes_cases(session: Session) -> bool:
    return any(isinstance(obj, ProcessInstance | PaymentArrangement) for obj in (*session.new, *session.dirty))


def _outside(session: Session) -> set[int]:
    # Per innermost transaction, as the customer locks are: a savepoint's rollback forgets what it read.
    transaction = innermost_transaction(session)
    found = session.info.get(_OUTSIDE)
    if found is None or found[0] is not transaction:
        found = session.info[_OUTSIDE] = (transaction, set())
    return found[1]


@event.listens_for(Session, "before_flush")
def _forget_on_new_cases(session: Session, _flush_context, _instances) -> None:
    if _OUTSIDE in session.info and _writes_cases(session):
        session.info.pop(_OUTSIDE)
