"""Status history shared by every business object that a process moves."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.process.entities import StatusChange


def record_status_change(session: Session, object_type: str, object_id: int, from_status: str | None,
                         to_status: str, by: str, note: str | None = None,
                         instance_id: int | None = None) -> StatusChange:
    change = StatusChange(object_type=object_type, object_id=object_id, from_status=from_status,
                          to_status=to_status, by=by, note=note, instance_id=instance_id)
    session.add(change)
    session.flush()
    return change


def status_history(session: Session, object_type: str, object_id: int) -> list[StatusChange]:
    return list(session.scalars(
        sa.select(StatusChange).where(StatusChange.object_type == object_type, StatusChange.object_id == object_id)
        .order_by(StatusChange.at, StatusChange.id)))
