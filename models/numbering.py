"""Human-readable document numbers (REQ-2026-000123) derived from the row id, so never duplicated."""
from __future__ import annotations

import uuid

from sqlalchemy.orm import Session


def assign_number(session: Session, obj, prefix: str, year: int) -> str:
    obj.number = f"tmp-{uuid.uuid4().hex[:16]}"   # unique placeholder until the id exists
    session.add(obj)
    session.flush()
    obj.number = f"{prefix}-{year}-{obj.id:06d}"
    session.flush()
    return obj.number
