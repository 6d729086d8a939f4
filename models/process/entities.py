"""Process definitions (versioned BPMN), running instances, human tasks and saved worklist filters."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.objects import business_object
from models.statuses import transitions
from models.types import MONEY, UTCDateTime, enum_type


class InstanceStatus(enum.StrEnum):
    RUNNING = "running"        # waiting for people, messages or timers
    COMPLETED = "completed"
    ERROR = "error"            # an element failed; an admin may retry after a fix
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


P = InstanceStatus
transitions(InstanceStatus, {
    P.RUNNING: {P.COMPLETED, P.ERROR, P.SUSPENDED, P.CANCELLED},
    P.ERROR: {P.RUNNING, P.CANCELLED},          # retried after a fix, or given up
    P.SUSPENDED: {P.RUNNING, P.CANCELLED},
})


class TaskState(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"    # the process moved on without it (timer, cancellation)


class ProcessDefinition(db.Model):
    __tablename__ = "process_definitions"
    __table_args__ = (sa.UniqueConstraint("key", "version", info={
        "field": "version", "message": "this process already has that version"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    bpmn_process_id: Mapped[str] = mapped_column(sa.String(200))
    bpmn_xml: Mapped[str] = mapped_column(sa.Text)
    checksum: Mapped[str] = mapped_column(sa.String(64), index=True)
    deployed_by: Mapped[str] = mapped_column(sa.String(255))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


@business_object("process_instance", "process")
class ProcessInstance(db.Model):
    __tablename__ = "process_instances"
    __table_args__ = (
        sa.Index("ix_process_instances_object", "object_type", "object_id"),
        sa.Index("ix_process_instances_timer", "status", "next_timer_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(sa.ForeignKey("process_definitions.id"), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    status: Mapped[InstanceStatus] = mapped_column(enum_type(InstanceStatus), default=InstanceStatus.RUNNING,
                                                   index=True)
    # SpiffWorkflow's serialized workflow; engine events are audited on their own, not as JSON diffs
    state: Mapped[str] = mapped_column(sa.Text, info={"audit": False})
    serializer_version: Mapped[str] = mapped_column(sa.String(20))
    current_activity: Mapped[str | None] = mapped_column(sa.String(200))
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiting_messages: Mapped[list] = mapped_column(sa.JSON, default=list)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    error_element: Mapped[str | None] = mapped_column(sa.String(200))
    started_by: Mapped[str] = mapped_column(sa.String(255))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic lock: two workers or clerks advancing the same instance cannot both win.
    lock_version: Mapped[int] = mapped_column(default=1, info={"audit": False})

    definition: Mapped[ProcessDefinition] = relationship()
    tasks: Mapped[list[HumanTask]] = relationship(back_populates="instance", order_by="HumanTask.id")

    __mapper_args__ = {"version_id_col": lock_version}

    def __str__(self) -> str:
        return f"#{self.id} {self.definition.key if self.definition else ''}"


class HumanTask(db.Model):
    """A ready user task in the queue of its lane's role, with the business object's key data copied
    in when it is created so that the worklist never has to join its way there."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        sa.Index("ix_human_tasks_queue", "state", "role", "claimed_by_id"),
        sa.UniqueConstraint("instance_id", "spiff_task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(sa.String(36))
    bpmn_id: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(200))
    process_key: Mapped[str] = mapped_column(sa.String(80), index=True)
    lane: Mapped[str | None] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(80))
    state: Mapped[TaskState] = mapped_column(enum_type(TaskState), default=TaskState.OPEN)
    priority: Mapped[int] = mapped_column(sa.SmallInteger, default=50)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    due_on: Mapped[date | None]
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    form_data: Mapped[dict | None] = mapped_column(sa.JSON)
    # The business object's key data, denormalised for a fast worklist.
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    object_label: Mapped[str | None] = mapped_column(sa.String(200))
    customer_name: Mapped[str | None] = mapped_column(sa.String(200))
    spn: Mapped[str | None] = mapped_column(sa.String(20))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    lock_version: Mapped[int] = mapped_column(default=1, info={"audit": False})

    instance: Mapped[ProcessInstance] = relationship(back_populates="tasks")

    __mapper_args__ = {"version_id_col": lock_version}

    def __str__(self) -> str:
        return f"{self.name} ({self.object_label or self.process_key})"


class SavedFilter(db.Model):
    """A worklist query saved by a clerk, optionally shared with everyone of a role."""

    __tablename__ = "saved_filters"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name", info={
        "field": "name", "message": "you already have a filter with this name"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    query: Mapped[str] = mapped_column(sa.String(1000))
    shared_with_role: Mapped[str | None] = mapped_column(sa.String(80))

    def __str__(self) -> str:
        return self.name
