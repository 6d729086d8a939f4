"""Worklist filters a clerk saves (status history is models.statuses)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.process.entities import SavedFilter


def save_filter(session: Session, owner_id: int, name: str, query: str, shared_with_role: str | None) -> SavedFilter:
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
