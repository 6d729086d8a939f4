"""Worklist queries: the four queues, their live counts, filters and multi-key sorting."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.clock import now_utc, today
from models.process.entities import HumanTask, ProcessDefinition, SavedFilter, TaskState
from models.users.entities import RoleName, User

QUEUES = ("mine", "unclaimed", "all", "completed")
SORTABLE = {"due": HumanTask.due_on, "priority": HumanTask.priority, "age": HumanTask.created_at,
            "name": HumanTask.name, "customer": HumanTask.customer_name, "amount": HumanTask.amount,
            "process": HumanTask.process_key}
DEFAULT_SORT = "due,-priority,age"
PAGE_SIZE = 50


@dataclass
class TaskFilter:
    queue: str = "unclaimed"
    process: str | None = None
    q: str | None = None
    due: str | None = None          # overdue | today | week
    min_priority: int | None = None
    older_than_days: int | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    extra: dict = field(default_factory=dict)


def user_roles(user: User) -> list[str]:
    roles = [r.name for r in user.roles]
    return [r.value for r in RoleName] if RoleName.ADMIN.value in roles else roles


def _queue(user: User, queue: str):
    roles = user_roles(user)
    if queue == "mine":
        return sa.and_(HumanTask.state == TaskState.OPEN, HumanTask.claimed_by_id == user.id)
    if queue == "unclaimed":
        return sa.and_(HumanTask.state == TaskState.OPEN, HumanTask.claimed_by_id.is_(None), HumanTask.role.in_(roles))
    if queue == "completed":
        return sa.and_(HumanTask.state == TaskState.COMPLETED, HumanTask.completed_by_id == user.id)
    return sa.and_(HumanTask.state == TaskState.OPEN, HumanTask.role.in_(roles))


def queue_counts(session: Session, user: User) -> dict[str, int]:
    counts = {}
    for queue in QUEUES:
        counts[queue] = session.scalar(sa.select(sa.func.count()).select_from(HumanTask).where(_queue(user, queue)))
    return counts


def _order(sort: str):
    clauses = []
    for key in (sort or DEFAULT_SORT).split(","):
        descending = key.startswith("-")
        column = SORTABLE.get(key.lstrip("-"))
        if column is not None:
            clauses.append(column.desc().nulls_last() if descending else column.asc().nulls_last())
    return clauses + [HumanTask.id]


def task_query(user: User, f: TaskFilter):
    conditions = [_queue(user, f.queue)]
    if f.process:
        conditions.append(HumanTask.process_key == f.process)
    if f.q:
        like = f"%{f.q.strip()}%"
        conditions.append(sa.or_(HumanTask.name.ilike(like), HumanTask.object_label.ilike(like),
                                 HumanTask.customer_name.ilike(like), HumanTask.spn.ilike(like),
                                 HumanTask.address.ilike(like)))
    if f.due == "overdue":
        conditions.append(HumanTask.due_on < today())
    elif f.due == "today":
        conditions.append(HumanTask.due_on == today())
    elif f.due == "week":
        conditions.append(HumanTask.due_on <= today() + timedelta(days=7))
    if f.min_priority is not None:
        conditions.append(HumanTask.priority >= f.min_priority)
    if f.older_than_days:
        conditions.append(HumanTask.created_at <= now_utc() - timedelta(days=f.older_than_days))
    return sa.select(HumanTask).where(*conditions).order_by(*_order(f.sort))


def find_tasks(session: Session, user: User, f: TaskFilter) -> tuple[list[HumanTask], int]:
    query = task_query(user, f)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(PAGE_SIZE).offset((max(f.page, 1) - 1) * PAGE_SIZE)).all()
    return list(rows), total


def visible_filters(session: Session, user: User) -> list[SavedFilter]:
    return list(session.scalars(sa.select(SavedFilter).where(sa.or_(
        SavedFilter.owner_id == user.id, SavedFilter.shared_with_role.in_(user_roles(user))))
        .order_by(SavedFilter.name)))


def process_keys(session: Session) -> list[str]:
    return list(session.scalars(sa.select(HumanTask.process_key).distinct().order_by(HumanTask.process_key)))


def tasks_of(session: Session, instance_id: int) -> list[HumanTask]:
    return list(session.scalars(sa.select(HumanTask).where(HumanTask.instance_id == instance_id)))


def definition_version(session: Session, key: str, version: int | None = None) -> ProcessDefinition | None:
    """The definition's given version, or its latest without one."""
    query = sa.select(ProcessDefinition).where(ProcessDefinition.key == key)
    query = query.where(ProcessDefinition.version == version) if version else query
    return session.scalar(query.order_by(ProcessDefinition.version.desc()).limit(1))
