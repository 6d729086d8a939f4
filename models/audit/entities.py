"""The audit trail: one row per insert, update or delete of business data."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db
from models.clock import now_utc
from models.types import UTCDateTime, enum_type


class AuditAction(enum.StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    BULK = "bulk"       # a bulk load (demo data, conversion import) recorded as one event


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    # No foreign key: the trail outlives the user accounts it names.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(sa.String(255))
    entity: Mapped[str] = mapped_column(sa.String(60))
    entity_id: Mapped[str] = mapped_column(sa.String(60))
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    def __str__(self) -> str:
        return f"{self.action.value} {self.entity}#{self.entity_id} by {self.actor}"
