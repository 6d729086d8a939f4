"""Users, roles and API tokens."""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_security import hash_password
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from models.clock import now_utc
from models.errors import DomainError
from models.users.entities import ROLE_DESCRIPTIONS, Role, RoleName, User
from models.users.tokens import revoke_user_api_tokens

# NIST SP 800-63B's floor; what keeps out "Password1!" is the guessability check, not more length.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128   # Flask-Security's own limit; zxcvbn's time grows steeply with length
# zxcvbn score 0-4: 2 refuses common passwords and their variants ("p@ssw0rd2024") while passphrases pass.
MIN_PASSWORD_SCORE = 2
LOCK_AFTER_FAILURES = 5
FIRST_LOCK = timedelta(minutes=15)   # doubles with each further failure after the lock ran out
LONGEST_LOCK = timedelta(hours=24)


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
    check_password(password, email, full_name)
    if session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email.lower())):
        raise DomainError(f"a user with e-mail {email} already exists", "email")
    roles = ensure_roles(session)
    user = User(email=email, full_name=full_name, password=hash_password(password), active=True,
                fs_uniquifier=uuid.uuid4().hex, fs_token_uniquifier=uuid.uuid4().hex, roles=[roles[role]])
    session.add(user)
    session.flush()
    return user


def check_password(password: str | None, *user_inputs: str | None, field: str = "password") -> None:
    """Long enough and not easy to guess (zxcvbn, offline); the user's own e-mail and name count as guessable."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"must have at least {MIN_PASSWORD_LENGTH} characters", field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(f"must have at most {MAX_PASSWORD_LENGTH} characters", field)
    result = zxcvbn(password, user_inputs=[u for u in user_inputs if u], max_length=MAX_PASSWORD_LENGTH)
    if result["score"] < MIN_PASSWORD_SCORE:
        warning = result["feedback"]["warning"]
        raise DomainError(f"is too easy to guess{' (' + warning.rstrip('.') + ')' if warning else ''}; "
                          "a few uncommon words make a strong one", field)


def find_user(session: Session, email: str) -> User:
    user = session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise DomainError(f"no user with e-mail {email}", "email")
    return user


def note_failed_login(session: Session, user: User) -> bool:
    """Count a wrong password; the fifth in a row locks the account. Returns whether this one locked it.

    Failures while locked do not count, so an attacker cannot stretch the lock the user waits out.
    """
    now = now_utc()
    if user.is_locked():
        return False
    user.failed_logins = (user.failed_logins or 0) + 1
    locked = user.failed_logins >= LOCK_AFTER_FAILURES
    if locked:
        user.locked_until = now + min(FIRST_LOCK * 2 ** (user.failed_logins - LOCK_AFTER_FAILURES), LONGEST_LOCK)
    session.flush()
    return locked


def note_login(user: User) -> None:
    """A successful login starts the count afresh (flushed with Flask-Security's own login bookkeeping)."""
    user.failed_logins = 0
    if user.locked_until is not None:
        user.locked_until = None


def unlock_user(session: Session, user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


def end_sessions(user: User) -> None:
    """Every browser session and remember-me cookie of the user stops working; API tokens are untouched."""
    user.fs_uniquifier = uuid.uuid4().hex


def deactivate_user(session: Session, user: User) -> int:
    """The user can no longer log in, and every session and API token they hold ends at once.

    Returns how many API tokens were revoked: revoked, not just refused while inactive, so activating
    the user again revives none of them.
    """
    user.active = False
    end_sessions(user)
    user.fs_token_uniquifier = uuid.uuid4().hex   # Flask-Security's own signed tokens, should any remain
    session.flush()
    return revoke_user_api_tokens(session, user)


def activate_user(session: Session, user: User) -> None:
    """Allowed to log in again; sessions and tokens ended at deactivation stay ended."""
    user.active = True
    unlock_user(session, user)
