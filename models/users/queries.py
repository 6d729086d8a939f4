"""Lookups of users for the pages: who may be given a task, who did what."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.users.entities import User


def active_users(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.email)))


def user_emails(session: Session) -> dict[int, str]:
    return dict(session.execute(sa.select(User.id, User.email)).all())
