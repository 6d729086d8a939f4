"""Status history shared by every business object that a process moves."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.process.entities import SavedFilter, StatusChange


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


def save_filter(session: Session, owner_id: int, name: str, query: str, shared_with_role: str | None) -> SavedFilter:
    from models.errors import DomainError
    if not (name or "").strip():
        raise DomainError("is required", "name")
    if session.scalar(sa.select(SavedFilter.id).where(SavedFilter.owner_id == owner_id,
                                                      SavedFilter.name == name.strip()[:80])):
        raise DomainError(f"you already have a filter called {name.strip()}", "name")
    saved = SavedFilter(owner_id=owner_id, name=name.strip()[:80], query=query[:1000],
                        shared_with_role=shared_with_role or None)
    session.add(saved)
    session.flush()
    return saved
