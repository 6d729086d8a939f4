"""Dunning on the collection process: the daily beat starts it for service points with overdue bills and
posts late-payment penalties; payments tell the running processes (`on_payments`); arrangements pause them
and a missed instalment resumes them. Every function flushes and never commits: the caller is the edge."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from celery import shared_task
from sqlalchemy.orm import Session

from models.audit.recorder import Actor
from models.base import db
from models.clock import today
from models.collection.arrangements import create_arrangement, review_arrangements
from models.collection.dunning import contract_overdue, overdue_contracts
from models.collection.dunning_entities import ArrangementStatus, PaymentArrangement
from models.collection.operations import PAID_KEY
from models.collection.penalties import post_penalties
from models.contracts.entities import Contract, ContractStatus
from models.customers.entities import Account
from models.process.entities import InstanceStatus, ProcessDefinition, ProcessInstance
from models.transactions import transaction
from workflows.runtime import deliver_message, set_instance_status, start_instance

PROCESS = "collection"
MESSAGE = "payment_received"
# A case still open: a new one is not started beside it (an instance in error is retried, not replaced).
OPEN = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED, InstanceStatus.ERROR)


def _cases():
    return (sa.select(ProcessInstance).join(ProcessInstance.definition)
            .where(ProcessDefinition.key == PROCESS, ProcessInstance.object_type == "service_point",
                   ProcessInstance.status.in_(OPEN)))


def open_case(session: Session, service_point_id: int) -> ProcessInstance | None:
    return session.scalar(_cases().where(ProcessInstance.object_id == service_point_id))


def start_dunning(session: Session, as_of: date | None = None, limit: int | None = None) -> list[int]:
    """Start the collection process for every service point whose active contract owes overdue bills and that
    has no open case yet (idempotent: a second run the same day starts nothing)."""
    as_of = as_of or today()
    busy = (sa.select(ProcessInstance.object_id).join(ProcessInstance.definition)
            .where(ProcessDefinition.key == PROCESS, ProcessInstance.object_type == "service_point",
                   ProcessInstance.status.in_(OPEN)))
    started = []
    for item in overdue_contracts(session, as_of, exclude_service_points=busy)[:limit]:
        instance = start_instance(session, PROCESS, "service_point", item.service_point_id,
                                  {"contract_id": item.contract_id, "customer_id": item.customer_id,
                                   "overdue": str(item.amount)})
        started.append(instance.id)
    return started


def settle_paid_cases(session: Session, as_of: date | None = None) -> list[int]:
    """Running cases waiting for a payment whose service point owes nothing overdue any more hear
    `payment_received`: the safety net for a payment whose edge did not call on_payments (a credit allocated
    later, a write-off)."""
    owing = {o.service_point_id for o in overdue_contracts(session, as_of or today())}
    told = []
    # Ids and waits only: the serialized state of every open case is not read to find the few paid ones.
    waiting = session.execute(sa.select(ProcessInstance.id, ProcessInstance.object_id, ProcessInstance.waiting_messages)
                              .join(ProcessInstance.definition)
                              .where(ProcessDefinition.key == PROCESS, ProcessInstance.object_type == "service_point",
                                     ProcessInstance.status == InstanceStatus.RUNNING)).all()
    for instance_id, service_point_id, messages in waiting:
        if service_point_id not in owing and MESSAGE in (messages or []):
            deliver_message(session, MESSAGE, "service_point", service_point_id, {"cleared": True})
            told.append(instance_id)
    return told


def post_daily_penalties(session: Session, as_of: date | None = None) -> int:
    return len(post_penalties(session, as_of or today()))


@dataclass
class PaymentOutcome:
    told: list[int] = field(default_factory=list)          # instances that heard payment_received
    arrangements_ended: list[int] = field(default_factory=list)


def _customer_cases(session: Session, customer_ids: list[int]) -> list[tuple[ProcessInstance, int]]:
    rows = session.execute(
        _cases().add_columns(Contract.id)
        .join(Contract, sa.and_(Contract.service_point_id == ProcessInstance.object_id,
                                Contract.status == ContractStatus.ACTIVE))
        .join(Account, Account.id == Contract.account_id).where(Account.customer_id.in_(customer_ids))
        .order_by(ProcessInstance.id))
    return [(instance, contract_id) for instance, contract_id in rows]


def on_payments(session: Session, customer_ids: list[int]) -> PaymentOutcome:
    """After post_payment, in the same transaction: arrangements of these customers are reviewed (paid off:
    completed and their case resumed), and each running case whose service point no longer owes anything
    overdue hears `payment_received` (a partial payment leaves dunning where it is). Every commit that posted
    payments calls it (workflows.credits); a caller that calls it itself is not called again for them."""
    session.info.get(PAID_KEY, set()).difference_update(customer_ids)
    outcome = PaymentOutcome()
    if not customer_ids:
        return outcome
    for arrangement in review_arrangements(session, today(), list(customer_ids)):
        outcome.arrangements_ended.append(arrangement.id)
        _resume(session, arrangement)
    for instance, contract_id in _customer_cases(session, list(customer_ids)):
        if instance.status is not InstanceStatus.RUNNING or MESSAGE not in (instance.waiting_messages or []):
            continue
        bills, owed = contract_overdue(session, contract_id)
        if owed <= 0:
            deliver_message(session, MESSAGE, "service_point", instance.object_id, {"cleared": True})
            outcome.told.append(instance.id)
    return outcome


def review_daily_arrangements(session: Session, as_of: date | None = None) -> list[int]:
    """Daily: a missed instalment breaks its arrangement and resumes its case where it paused."""
    ended = review_arrangements(session, as_of or today())
    for arrangement in ended:
        _resume(session, arrangement)
    return [a.id for a in ended]


def _resume(session: Session, arrangement: PaymentArrangement) -> None:
    contract = session.get(Contract, arrangement.contract_id)
    case = open_case(session, contract.service_point_id)
    if case is not None and case.status is InstanceStatus.SUSPENDED:
        why = "kept" if arrangement.status is ArrangementStatus.COMPLETED else "broken"
        set_instance_status(session, case, InstanceStatus.RUNNING, f"{arrangement} {why}")


def make_arrangement(session: Session, contract: Contract, down_payment: Decimal,
                     instalments: list[tuple[date, Decimal]], note: str | None = None) -> PaymentArrangement:
    """Arrange the contract's overdue bills and pause its dunning case (if one runs) while the arrangement
    is kept."""
    arrangement = create_arrangement(session, contract, down_payment, instalments, note)
    case = open_case(session, contract.service_point_id)
    if case is not None and case.status is InstanceStatus.RUNNING:
        set_instance_status(session, case, InstanceStatus.SUSPENDED, f"paused by {arrangement}")
    return arrangement



@shared_task(name="collection.daily_dunning")
def daily_dunning() -> dict:
    """Daily: late-payment penalties, arrangements reviewed (a missed instalment resumes its case), new cases
    for overdue bills. Each step commits on its own and is idempotent, so a rerun repeats nothing."""
    counts = {}
    with transaction(Actor(None, "penalties")):
        counts["penalties"] = post_daily_penalties(db.session)
    with transaction(Actor(None, "arrangements")):
        counts["arrangements_ended"] = len(review_daily_arrangements(db.session))
    with transaction(Actor(None, "dunning")):
        counts["cases_settled"] = len(settle_paid_cases(db.session))
    with transaction(Actor(None, "dunning")):
        counts["cases_started"] = len(start_dunning(db.session))
    return counts
