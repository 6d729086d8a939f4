"""Running processes: deploy, start, complete human tasks, deliver messages, fire timers, retry.

Every function flushes and never commits: the caller (request, CLI, Celery task) is the edge.
The instance row keeps SpiffWorkflow's serialized state; ready user tasks become HumanTask rows.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.clock import business_zone, now_utc, today
from models.errors import DomainError
from models.process.entities import HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState
from models.process.queries import definition_version
from models.statuses import check_transition, move_status
from models.users.entities import RoleName, User
from workflows import objects
from workflows.engine import SERIALIZER, ParsedProcess, deserialize, parse_definition, serialize
from workflows.forms import validate_form
from workflows.service_tasks import RuntimeContext

_parsed: dict[int, ParsedProcess] = {}   # definitions never change once deployed
TIMER_EVENTS = {"DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition"}
P = InstanceStatus
# What a process owner may do by hand: completing and failing are the engine's, and an instance in error
# runs again only through a retry, which runs the failed step again.
BY_HAND = {P.RUNNING: {P.SUSPENDED, P.CANCELLED}, P.SUSPENDED: {P.RUNNING, P.CANCELLED}, P.ERROR: {P.CANCELLED}}


def checksum(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


def deploy_definition(session: Session, xml: bytes, key: str | None = None,
                      process_id: str | None = None) -> tuple[ProcessDefinition, bool]:
    """Validate and store a new version; the same file again returns the current version unchanged."""
    parsed = parse_definition(xml, process_id)
    key = key or parsed.process_id
    latest = definition_version(session, key)
    digest = checksum(xml)
    if latest is not None and latest.checksum == digest:
        return latest, False
    definition = ProcessDefinition(key=key, version=(latest.version + 1) if latest else 1, name=parsed.name,
                                   bpmn_process_id=parsed.process_id, bpmn_xml=xml.decode("utf-8"),
                                   checksum=digest, deployed_by=acting_name())
    session.add(definition)
    session.flush()
    _parsed[definition.id] = parsed
    return definition, True


def parsed_definition(definition: ProcessDefinition) -> ParsedProcess:
    if definition.id not in _parsed:
        _parsed[definition.id] = parse_definition(definition.bpmn_xml.encode("utf-8"), definition.bpmn_process_id)
    return _parsed[definition.id]


# ---------------------------------------------------------------- instances
def start_instance(session: Session, key: str, object_type: str | None = None,
                   object_id: int | None = None, data: dict | None = None) -> ProcessInstance:
    definition = definition_version(session, key)
    if definition is None:
        raise DomainError(f"no process '{key}' is deployed", "key")
    parsed = parsed_definition(definition)
    instance = ProcessInstance(definition=definition, object_type=object_type, object_id=object_id,
                               status=InstanceStatus.RUNNING, state="", serializer_version=SERIALIZER.VERSION,
                               started_by=acting_name(), waiting_messages=[])
    session.add(instance)
    session.flush()
    context = RuntimeContext(session, instance, start_instance)
    workflow = parsed.new_workflow(context)
    # Seed data on the start task: data set on the workflow itself is not visible to tasks.
    start = workflow.get_next_task(state=SpiffState.READY)
    start.data.update({"object_type": object_type, "object_id": object_id, **(data or {})})
    instance.state = serialize(workflow)
    _advance(session, instance, workflow, context, instance.state)
    return instance


def _load(session: Session, instance: ProcessInstance) -> tuple[BpmnWorkflow, RuntimeContext]:
    context = RuntimeContext(session, instance, start_instance)
    return deserialize(instance.state, context), context


def _failing_element(workflow: BpmnWorkflow, exc: Exception) -> str | None:
    task = getattr(exc, "task", None)
    if task is None:
        errored = workflow.get_tasks(state=SpiffState.ERROR)
        task = errored[0] if errored else None
    return task.task_spec.bpmn_id if task is not None else None


def _advance(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, context: RuntimeContext,
             state_before: str) -> None:
    """Run engine steps. A failure undoes the step's side effects and parks the instance in error,
    keeping the state from before the step so that a retry runs it again."""
    savepoint = session.begin_nested()
    try:
        workflow.refresh_timers()
        workflow.do_engine_steps()
        _sync_tasks(session, instance, workflow)
        savepoint.commit()
    except (SpiffWorkflowException, DomainError) as exc:
        savepoint.rollback()
        move_status(session, instance, InstanceStatus.ERROR, what=f"process {instance}", note=str(exc),
                    instance_id=instance.id)
        instance.error_message = str(exc)
        instance.error_element = _failing_element(workflow, exc)
        instance.state = state_before
        session.flush()
        return
    instance.error_message = instance.error_element = None
    _record_waiting(instance, workflow)
    if workflow.is_completed():
        move_status(session, instance, InstanceStatus.COMPLETED, what=f"process {instance}", instance_id=instance.id)
        instance.ended_at = now_utc()
    instance.state = serialize(workflow)
    session.flush()


def _record_waiting(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    messages, due = set(), []
    for task in workflow.get_tasks(state=SpiffState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        # An event-based gateway waits on several definitions at once.
        for event in getattr(definition, "event_definitions", None) or ([definition] if definition else []):
            kind = type(event).__name__
            if kind == "MessageEventDefinition":
                messages.add(event.name)
            elif kind in TIMER_EVENTS:
                value = task.internal_data.get("event_value")
                value = value.get("next") if isinstance(value, dict) else value
                if value:
                    moment = datetime.fromisoformat(value)
                    # A date written without a zone in the BPMN is the utility's local time.
                    due.append(moment if moment.tzinfo else moment.replace(tzinfo=business_zone()))
    instance.waiting_messages = sorted(messages)
    instance.next_timer_due = min(due) if due else None
    ready = workflow.get_tasks(state=SpiffState.READY | SpiffState.WAITING)
    activity = next((t.task_spec for t in ready if t.task_spec.bpmn_id), None)
    name = (activity.bpmn_name or activity.bpmn_id) if activity else None
    if name != instance.current_activity:
        instance.current_activity = name
        instance.waiting_since = now_utc()


def _sync_tasks(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    parsed = parsed_definition(instance.definition)
    ready = {str(t.id): t for t in workflow.get_tasks(state=SpiffState.READY, manual=True)}
    open_tasks = {t.spiff_task_id: t for t in instance.tasks if t.state is TaskState.OPEN}
    for spiff_id, human in open_tasks.items():
        if spiff_id not in ready:
            human.state = TaskState.CANCELLED
    key_data = None
    for spiff_id, task in ready.items():
        if spiff_id in open_tasks:
            continue
        if key_data is None:
            key_data = objects.describe(session, instance.object_type, instance.object_id)
        spec = task.task_spec
        extensions = getattr(spec, "extensions", {}) or {}
        due_in = extensions.get("due_in_days")
        session.add(HumanTask(
            instance=instance, spiff_task_id=spiff_id, bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
            process_key=instance.definition.key, lane=spec.lane, role=parsed.roles.get(spec.bpmn_id, "clerk"),
            priority=int(extensions.get("priority", task.data.get("priority", 50))),
            due_on=(today() + timedelta(days=int(due_in))) if due_in else None,
            object_type=instance.object_type, object_id=instance.object_id, **key_data))


# ---------------------------------------------------------------- people
def may_work(user: User, task: HumanTask) -> bool:
    return user.has_role(task.role) or user.has_role(RoleName.ADMIN.value)


def complete_task(session: Session, task_id: int, user: User, data: dict,
                  expected_version: int | None = None) -> HumanTask:
    """Complete a human task with validated form data and run the process on to its next wait."""
    # Locked and re-read: a second completion waits for the first, then is told who did it (PostgreSQL).
    task = session.get(HumanTask, task_id, with_for_update=True, populate_existing=True)
    if task is None:
        raise DomainError(f"no task {task_id}", "task")
    if task.state is not TaskState.OPEN:
        who = f" by {session.get(User, task.completed_by_id).email}" if task.completed_by_id else ""
        raise DomainError(f"task '{task.name}' is already {task.state.value}{who}", "task")
    if expected_version is not None and task.lock_version != expected_version:
        raise DomainError(f"task '{task.name}' changed since you opened it (claimed or reassigned); reload it",
                          "task")
    if not may_work(user, task):
        raise DomainError(f"task '{task.name}' belongs to role {task.role}", "task")
    if task.claimed_by_id not in (None, user.id):
        raise DomainError(f"task '{task.name}' is claimed by someone else", "task")
    if task.instance.status is not InstanceStatus.RUNNING:
        raise DomainError(f"process {task.instance} is {task.instance.status.value}", "task")
    run_task(session, task, data, user.id)
    if task.claimed_by_id is None:
        task.claimed_by_id, task.claimed_at = user.id, task.completed_at
    return task


def run_task(session: Session, task: HumanTask, data: dict, completed_by_id: int | None) -> None:
    """Complete an open task of a running instance with validated form data and run the process on, with no
    check of who may: complete_task's own step, and a result that arrives from outside the worklist (the
    field crew's order, workflows.collection)."""
    instance = task.instance
    workflow, context = _load(session, instance)
    spiff_task = workflow.get_task_from_id(UUID(task.spiff_task_id))
    values = validate_form(getattr(spiff_task.task_spec, "form", None), data)
    spiff_task.data.update(values)
    spiff_task.run()
    # If a later step fails, the instance keeps this state: the task's work is done, the step is retried.
    state_before = serialize(workflow)
    task.state = TaskState.COMPLETED
    task.completed_by_id = completed_by_id
    task.completed_at = now_utc()
    task.form_data = {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v)
                      for k, v in values.items()}
    _advance(session, instance, workflow, context, state_before)


def claim_task(session: Session, task: HumanTask, user: User) -> None:
    if task.state is not TaskState.OPEN:
        raise DomainError(f"task '{task.name}' is already {task.state.value}", "task")
    if not may_work(user, task):
        raise DomainError(f"task '{task.name}' belongs to role {task.role}", "task")
    if task.claimed_by_id not in (None, user.id):
        raise DomainError(f"task '{task.name}' is already claimed by someone else", "task")
    task.claimed_by_id, task.claimed_at = user.id, now_utc()
    session.flush()


def unclaim_task(session: Session, task: HumanTask, user: User) -> None:
    if task.claimed_by_id != user.id and not user.has_role(RoleName.PROCESS_OWNER.value):
        raise DomainError(f"task '{task.name}' is not yours to release", "task")
    task.claimed_by_id = task.claimed_at = None
    session.flush()


def reassign_task(session: Session, task: HumanTask, to: User, by: User) -> None:
    if not (by.has_role(RoleName.PROCESS_OWNER.value) or by.has_role(RoleName.ADMIN.value)):
        raise DomainError("only process owners reassign tasks", "task")
    if task.state is not TaskState.OPEN:
        raise DomainError(f"task '{task.name}' is already {task.state.value}", "task")
    if not may_work(to, task):
        raise DomainError(f"{to.email} does not have role {task.role}", "assignee")
    task.claimed_by_id, task.claimed_at = to.id, now_utc()
    session.flush()


# ---------------------------------------------------------------- events
def deliver_message(session: Session, name: str, object_type: str, object_id: int,
                    payload: dict | None = None) -> int:
    """Deliver a message (payment_received, field_work_done, ...) to the instances of an object waiting
    for it; returns how many caught it."""
    instances = session.scalars(sa.select(ProcessInstance).where(
        ProcessInstance.object_type == object_type, ProcessInstance.object_id == object_id,
        ProcessInstance.status == InstanceStatus.RUNNING)).all()
    waiting = [i for i in instances if name in (i.waiting_messages or [])]
    if not waiting:
        raise DomainError(f"no process of {object_type} #{object_id} is waiting for message '{name}'", "message")
    for instance in waiting:
        workflow, context = _load(session, instance)
        # The payload lands in the task data under the message's name.
        workflow.catch(BpmnEvent(MessageEventDefinition(name), {"payload": payload or {}, "result_var": name}))
        state_before = serialize(workflow)
        _advance(session, instance, workflow, context, state_before)
    return len(waiting)


def due_timer_instances(session: Session, now: datetime | None = None) -> list[int]:
    return list(session.scalars(sa.select(ProcessInstance.id).where(
        ProcessInstance.status == InstanceStatus.RUNNING, ProcessInstance.next_timer_due <= (now or now_utc()))
        .order_by(ProcessInstance.next_timer_due)))


def fire_timers(session: Session, instance_id: int) -> bool:
    """Wake one instance whose timer is due; idempotent (nothing due, nothing happens)."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or instance.status is not InstanceStatus.RUNNING:
        return False
    if instance.next_timer_due is None or instance.next_timer_due > now_utc():
        return False
    state_before = instance.state
    workflow, context = _load(session, instance)
    _advance(session, instance, workflow, context, state_before)
    return True


def retry_instance(session: Session, instance: ProcessInstance) -> ProcessInstance:
    if instance.status is not InstanceStatus.ERROR:
        raise DomainError(f"process {instance} is {instance.status.value}, not in error", "instance")
    move_status(session, instance, InstanceStatus.RUNNING, what=f"process {instance}", note="retried",
                instance_id=instance.id)
    state_before = instance.state
    workflow, context = _load(session, instance)
    _advance(session, instance, workflow, context, state_before)
    return instance


def set_instance_status(session: Session, instance: ProcessInstance, target: InstanceStatus, reason: str) -> None:
    """Suspend, resume or cancel, with a reason."""
    if not (reason or "").strip():
        raise DomainError("a reason is required", "reason")
    check_transition(BY_HAND, instance.status, target, f"process {instance}")
    move_status(session, instance, target, what=f"process {instance}", note=reason, instance_id=instance.id)
    resumed = target is InstanceStatus.RUNNING
    instance.error_message = None if resumed else f"{target.value} by {acting_name()}: {reason}"
    if target is InstanceStatus.CANCELLED:
        instance.ended_at = now_utc()
        for task in instance.tasks:
            if task.state is TaskState.OPEN:
                task.state = TaskState.CANCELLED
    session.flush()


def task_form(task: HumanTask) -> list[dict]:
    """The user task's form fields (from the BPMN version the instance runs on)."""
    from workflows.forms import describe_form
    spec = parsed_definition(task.instance.definition).spec.task_specs.get(task.bpmn_id)
    return describe_form(getattr(spec, "form", None))


def instance_picture(instance: ProcessInstance) -> dict:
    """What the monitor draws: completed and current elements, and the process data."""
    workflow = deserialize(instance.state)
    done, current = set(), set()
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.state == SpiffState.COMPLETED:
            done.add(bpmn_id)
        elif task.state in (SpiffState.READY, SpiffState.WAITING, SpiffState.STARTED, SpiffState.ERROR):
            current.add(bpmn_id)
    data = workflow.last_task.data if workflow.last_task else {}
    return {"completed": sorted(done - current), "current": sorted(current),
            "data": {k: v for k, v in data.items() if not k.startswith("_")}}


def retry_failed(session: Session, message: str) -> list[tuple[int, str]]:
    """Retry every instance in error with this message; report what each one did next."""
    report = []
    for instance in session.scalars(sa.select(ProcessInstance).where(
            ProcessInstance.status == InstanceStatus.ERROR, ProcessInstance.error_message == message)):
        retry_instance(session, instance)
        if instance.status is InstanceStatus.ERROR:
            outcome = f"error again: {instance.error_message}"
        else:
            outcome = instance.status.value + (f" at {instance.current_activity}" if instance.current_activity else "")
        report.append((instance.id, outcome))
    return report
