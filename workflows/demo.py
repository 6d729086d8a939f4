"""Demo requests: a few hundred customer requests driven through the shipped process to every status."""
from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import Actor, acting_as, record_bulk
from models.clock import today
from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.demo.reference import CITIES
from models.inquiry.applicants import Application
from models.meters.entities import Meter, MeterStatus
from models.meters.queries import current_meter_installation
from models.premises.entities import ServicePoint
from models.process.entities import HumanTask, ProcessInstance, TaskState
from models.requests.entities import Channel, RequestType
from models.statuses import StatusChange
from models.tariffs.entities import PaymentMode, Tariff
from models.users.entities import User
from workflows.customer_requests import open_customer_request, register_new_connection
from workflows.runtime import claim_task, complete_task, deliver_message
from workflows.shipped import deploy_shipped

TYPES = [(RequestType.NEW_CONNECTION, 25), (RequestType.POWER_CHANGE, 25), (RequestType.TARIFF_CHANGE, 8),
         (RequestType.CONTRACT_CHANGE, 6), (RequestType.TERMINATION, 6), (RequestType.COMPLAINT, 30)]
ANSWERS = {
    "ut_review": lambda r: {"feasible": r.random() > 0.15, "review_note": r.choice(["", "feeder has capacity",
                                                                                   "transformer overloaded"])},
    "ut_survey": lambda r: {"survey_result": r.choice(["pole within 30 m", "needs new service cable", "meter box ok"]),
                            "connection_fee": str(r.choice([850000, 1250000, 2400000, 5750000]))},
    "ut_approve": lambda r: {"approved": r.random() > 0.1, "approval_note": ""},
    "ut_activate": lambda r: {"contract_start": today().isoformat()},
    "ut_investigate": lambda r: {"findings": r.choice(["meter read correctly", "estimated reading too high",
                                                       "voltage drop in the evening"])},
    "ut_respond": lambda r: {"response": r.choice(["explained the bill", "credit on next bill", "crew sent"])},
}


DEMO = Actor(None, "demo-data")


def _worker(users: dict[str, User], role: str) -> User:
    return users["owner@example.com"] if role == "process_owner" else users["clerk@example.com"]


STREETS = ("Melati", "Kenanga", "Cempaka", "Flamboyan", "Anggrek", "Dahlia", "Teratai", "Sakura")


def _installation(session: Session, request) -> dict | None:
    """The crew's confirmation: the meter already at the service point (a change keeps it), else the next
    one in a store (a new connection); None when the stores are empty (the task stays open)."""
    current = current_meter_installation(session, request.service_point_id)
    if current is not None:
        return {"installed_on": today().isoformat(), "meter_number": current.meter.number}
    number = session.scalar(sa.select(Meter.number).where(Meter.status == MeterStatus.IN_STORE)
                            .order_by(Meter.id).limit(1))
    return {"installed_on": today().isoformat(), "meter_number": number} if number else None


def _applicant(session: Session, rng: random.Random, channel: Channel):
    """A new applicant for a household connection (models.inquiry.applicants), its request and process."""
    city = rng.choice(CITIES)[0]
    name = f"{rng.choice(('Ayu', 'Bima', 'Citra', 'Dimas', 'Eka', 'Fajar'))} {rng.choice(('Lestari', 'Wibowo'))}"
    return register_new_connection(session, Application(
        name=name, doc_number=f"3599{rng.randrange(10 ** 12):012d}", phone=f"0813{rng.randrange(10 ** 8):08d}",
        address=f"Jl. {rng.choice(STREETS)} {rng.randrange(1, 300)}", city=city, tariff="R-1/TR 1300",
        power_va="1300", channel=channel.value, description="demo applicant")).request


def load_demo_requests(session: Session, count: int, seed: int) -> dict[str, int]:
    """The requests are registered by "demo-data" and their tasks worked by the demo's clerk and owner."""
    with acting_as(DEMO):
        return _load(session, count, seed)


def _load(session: Session, count: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    deploy_shipped(session)
    users = {u.email: u for u in session.scalars(sa.select(User))}
    spns = session.scalars(sa.select(ServicePoint.spn).order_by(ServicePoint.id).limit(5000)).all()
    if not spns or "clerk@example.com" not in users:
        return {"customer_requests": 0}
    households = session.scalars(    # power changes go to households: their tariff follows the power
        sa.select(ServicePoint.spn).join(Contract, sa.and_(Contract.service_point_id == ServicePoint.id,
                                                           Contract.status == ContractStatus.ACTIVE))
        .join(ContractVersion, sa.and_(ContractVersion.contract_id == Contract.id, ContractVersion.valid_to.is_(None)))
        .join(Tariff, Tariff.id == ContractVersion.tariff_id)
        .where(Tariff.tariff_class.in_(("R-1", "R-2")), Tariff.payment_mode == PaymentMode.POSTPAID)
        .order_by(ServicePoint.id).limit(5000)).all() or spns
    for _ in range(count):
        request_type = rng.choices([t for t, _ in TYPES], weights=[w for _, w in TYPES])[0]
        channel = rng.choice(list(Channel))
        if request_type is RequestType.NEW_CONNECTION:
            request = _applicant(session, rng, channel)
        else:
            power = rng.choice([1300, 2200, 3500]) if request_type is RequestType.POWER_CHANGE else None
            request = open_customer_request(
                session, request_type, spn=rng.choice(households if power else spns), channel=channel,
                requested_power_va=power)
        for _step in range(rng.randrange(0, 8)):
            if request.status.value == "awaiting_payment":
                if rng.random() < 0.6:
                    deliver_message(session, "payment_received", "customer_request", request.id)
                    continue
                break
            task = session.scalar(sa.select(HumanTask).where(HumanTask.object_id == request.id,
                                                             HumanTask.object_type == "customer_request",
                                                             HumanTask.state == TaskState.OPEN))
            if task is None:
                break
            answer = _installation(session, request) if task.bpmn_id == "ut_install" else ANSWERS[task.bpmn_id](rng)
            if answer is None:
                break
            worker = _worker(users, task.role)
            with acting_as(Actor(worker.id, worker.email)):
                complete_task(session, task.id, worker, answer)
        for task in session.scalars(sa.select(HumanTask).where(HumanTask.object_id == request.id,
                                                               HumanTask.object_type == "customer_request")):
            if task.state is TaskState.OPEN and task.role == "clerk" and rng.random() < 0.3:
                claim_task(session, task, users["clerk@example.com"])
        _age(session, request, timedelta(days=rng.randrange(0, 40), hours=rng.randrange(0, 24)))
    session.flush()
    record_bulk(session, "customer_requests", {"rows": count, "source": f"demo-data seed {seed}"})
    return {"customer_requests": count}


def _age(session: Session, request, delta: timedelta) -> None:
    """Move a demo request's whole history back in time, so that ages and overdue marks look lived-in."""
    request.registered_on -= delta
    request.created_at -= delta
    for change in session.scalars(sa.select(StatusChange).where(StatusChange.object_type == "customer_request",
                                                                StatusChange.object_id == request.id)):
        change.at -= delta
    for instance in session.scalars(sa.select(ProcessInstance).where(
            ProcessInstance.object_type == "customer_request", ProcessInstance.object_id == request.id)):
        instance.started_at -= delta
        if instance.waiting_since:
            instance.waiting_since -= delta
        for task in instance.tasks:
            task.created_at -= delta
            task.claimed_at = task.claimed_at - delta if task.claimed_at else None
            task.completed_at = task.completed_at - delta if task.completed_at else None
            task.due_on = task.due_on - delta if task.due_on else None
