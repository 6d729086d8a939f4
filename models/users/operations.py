"""Users, roles and API tokens."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_security import hash_password
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.users.entities import ROLE_DESCRIPTIONS, Role, RoleName, User

MIN_PASSWORD_LENGTH = 8


def ensure_roles(session: Session) -> dict[str, Role]:
    """The three roles exist (idempotent); returns them by name."""
    roles = {r.name: r for r in session.scalars(sa.select(Role))}
    for name in RoleName:
        if name.value not in roles:
            roles[name.value] = Role(name=name.value, description=ROLE_DESCRIPTIONS[name])
            session.add(roles[name.value])
    session.flush()
    return roles


def create_user(session: Session, email: str, role: str, password: str, full_name: str | None = None) -> User:
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise DomainError(str(exc), "email") from exc
    if role not in {r.value for r in RoleName}:
        raise DomainError(f"unknown role {role!r}; choose one of {', '.join(r.value for r in RoleName)}", "role")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"must have at least {MIN_PASSWORD_LENGTH} characters", "password")
    if session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email.lower())):
        raise DomainError(f"a user with e-mail {email} already exists", "email")
    roles = ensure_roles(session)
    user = User(email=email, full_name=full_name, password=hash_password(password), active=True,
                fs_uniquifier=uuid.uuid4().hex, fs_token_uniquifier=uuid.uuid4().hex, roles=[roles[role]])
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise DomainError(f"no user with e-mail {email}", "email")
    return user


def issue_api_token(user: User) -> str:
    if not user.active:
        raise DomainError(f"user {user.email} is deactivated", "email")
    if not user.fs_token_uniquifier:
        user.fs_token_uniquifier = uuid.uuid4().hex
    return user.get_auth_token()


def revoke_api_tokens(session: Session, user: User) -> None:
    """Every token issued so far stops working; the user's browser sessions are untouched."""
    user.fs_token_uniquifier = uuid.uuid4().hex
    session.flush()
