"""Changing an account after it exists: the roles it holds and a password an administrator sets.

(Creating one is models.users.operations.create_user; locking, activating and deactivating live there too.)
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_security import hash_password
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.users.entities import Role, User
from models.users.operations import check_password, end_sessions


def set_roles(session: Session, user: User, roles: Iterable[Role]) -> None:
    roles = list(roles)
    if not roles:
        raise DomainError("choose at least one role", "roles")
    if set(roles) != set(user.roles):   # the same roles again are no change, and no audit event
        user.roles = roles
    session.flush()


def set_password(session: Session, user: User, password: str, field: str = "password") -> None:
    """The rules every password meets; the user's sessions end, as when users change their own."""
    check_password(password, user.email, user.full_name, field=field)
    user.password = hash_password(password)
    end_sessions(user)
    session.flush()
