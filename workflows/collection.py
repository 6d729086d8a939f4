"""Dunning on the collection process: the daily beat starts it for service points with overdue bills and
posts late-payment penalties; payments tell the running processes (`on_payments`); arrangements pause them
and a missed instalment resumes them; the crew's result on a disconnection or reconnection order moves its case
on (`on_field_results`), whichever page or API ended the order. Every function flushes and never commits: the
caller is the edge."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from celery import shared_task
from sqlalchemy import event
from sqlalchemy.orm import Session

from models.audit.recorder import Actor, current_actor
from models.base import db
from models.clock import today
from models.collection.arrangements import create_arrangement, review_arrangements
from models.collection.cases import OPEN, PROCESS, cases, in_collection, known_outside, with_accounts
from models.collection.dunning import contract_overdue, overdue_contracts
from models.collection.dunning_entities import ArrangementStatus, DebtAction, PaymentArrangement
from models.collection.operations import PAID_KEY
from models.collection.penalties import post_penalties
from models.contracts.entities import Contract
from models.customers.entities import Account
from models.process.entities import HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus, ServiceOrderType
from models.service_orders.operations import FIELD_RESULTS_KEY
from models.transactions import transaction
from models.users.entities import User
from workflows.runtime import deliver_message, run_task, set_instance_status, start_instance

MESSAGE = "payment_received"


def open_case(session: Session, service_point_id: int) -> ProcessInstance | None:
    return session.scalar(cases().where(ProcessInstance.object_id == service_point_id))


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
    rows = session.execute(with_accounts(cases(ProcessInstance, Contract.id))
                           .where(Account.customer_id.in_(customer_ids)).order_by(ProcessInstance.id))
    return [(instance, contract_id) for instance, contract_id in rows]


# Built once: the commit of every payment not known to be outside collection asks it.
_IN_COLLECTION = in_collection(sa.bindparam("customer_ids", expanding=True))


def on_payments(session: Session, customer_ids: list[int]) -> PaymentOutcome:
    """After post_payment, in the same transaction: arrangements of these customers are reviewed (paid off:
    completed and their case resumed), and each running case whose service point no longer owes anything
    overdue hears `payment_received` (a partial payment leaves dunning where it is). Every commit that posted
    payments calls it (workflows.credits); a caller that calls it itself is not called again for them."""
    session.info.get(PAID_KEY, set()).difference_update(customer_ids)
    outcome = PaymentOutcome()
    # Only those with an active arrangement or an open case have anything to hear; a payment's allocation has
    # read that most are in neither (models.collection.cases).
    customer_ids = sorted(set(customer_ids) - known_outside(session))
    if customer_ids:
        customer_ids = list(session.connection().execute(_IN_COLLECTION, {"customer_ids": customer_ids}).scalars())
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


# ---------------------------------------------------------------- the crew's results
# The user task of the case that waits for the crew's result on each kind of order.
FIELD_TASKS = {ServiceOrderType.DISCONNECTION: "ut_disconnect", ServiceOrderType.RECONNECTION: "ut_reconnect"}
NOTE_LIMIT = 500       # the tasks' field_note maxlength


def _waiting_task(session: Session, order: ServiceOrder) -> HumanTask | None:
    """The open task of the running case that ordered this service order and waits for its result."""
    return session.scalar(
        sa.select(HumanTask).join(DebtAction, DebtAction.instance_id == HumanTask.instance_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(DebtAction.service_order_id == order.id, HumanTask.bpmn_id == FIELD_TASKS[order.order_type],
               HumanTask.state == TaskState.OPEN, ProcessInstance.status == InstanceStatus.RUNNING)
        # Locked and re-read: a clerk completing the same task from the worklist waits, then finds it done.
        .limit(1).with_for_update(of=HumanTask).execution_options(populate_existing=True))


def _complete_for_crew(session: Session, task: HumanTask, data: dict) -> None:
    """The case's task completed with the crew's result, without the worklist's role and claim checks: the result
    comes from the field, whoever holds the task."""
    actor = current_actor()
    run_task(session, task, data, actor.id if actor.id is not None and session.get(User, actor.id) else None)


def on_field_results(session: Session, order_ids: list[int]) -> list[int]:
    """Disconnection and reconnection orders that ended (on their own page, the admin, the API, a task): each
    one a running collection case waits for completes the case's task with the crew's result (disconnected or
    not, the field note), so the case moves on and its task does not ask again. A failed reconnection leaves
    the case waiting (the crew goes again). Returns the cases moved on. Every commit that ended such orders
    calls it (tell_field_results_before_commit); a caller that calls it itself is not called again for them."""
    session.info.get(FIELD_RESULTS_KEY, set()).difference_update(order_ids)
    moved = []
    for order_id in sorted(order_ids):
        order = session.get(ServiceOrder, order_id)
        if order is None or order.order_type not in FIELD_TASKS:
            continue
        done = order.status is ServiceOrderStatus.COMPLETED
        if not done and (order.status is not ServiceOrderStatus.FAILED
                         or order.order_type is ServiceOrderType.RECONNECTION):
            continue
        task = _waiting_task(session, order)
        if task is None:
            continue
        data = {"field_note": (order.result or "")[:NOTE_LIMIT]}
        if order.order_type is ServiceOrderType.DISCONNECTION:
            data["disconnected"] = "true" if done else "false"
        _complete_for_crew(session, task, data)
        moved.append(task.instance_id)
    return moved


def _tell_field_results(session: Session) -> None:
    ended = session.info.pop(FIELD_RESULTS_KEY, None)
    if ended:
        on_field_results(session, sorted(ended))


def _forget_field_results(session: Session, _previous=None) -> None:
    session.info.pop(FIELD_RESULTS_KEY, None)


def tell_field_results_before_commit() -> None:
    """Every transaction that ended disconnection or reconnection orders tells their collection cases before
    it commits, whichever edge ended them. Install once per process (create_app does)."""
    if not event.contains(Session, "before_commit", _tell_field_results):
        event.listen(Session, "before_commit", _tell_field_results)
        event.listen(Session, "after_soft_rollback", _forget_field_results)


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
