"""API tokens: one per client (a payment partner, a script), each named, expiring and revocable on its own.

Only the SHA-256 of a token is stored: the token is shown once when created, and a copy of the
database opens nothing. The tokens are 256 random bits, so a plain (unsalted) hash is enough: there is
nothing to guess that a salt would protect.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.errors import DomainError
from models.types import UTCDateTime
from models.users.entities import User

# A recognisable prefix lets secret scanners (and people) tell a leaked Watt CMS token at a glance.
TOKEN_PREFIX = "wcms_"
NAME_LENGTH = 100
# Writing the last use on every call would turn each API read into a write; a minute is precise enough.
LAST_USE_PRECISION = timedelta(minutes=1)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, info={"audit": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def state(self, at: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= at else "active"

    def __str__(self) -> str:
        return f"{self.name} ({self.user.email})"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(session: Session, user: User, name: str, days: int, max_days: int) -> tuple[ApiToken, str]:
    """A new token for `user`, valid `days` days (at most `max_days`); returns it with its secret,
    which is never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise DomainError("give the token a name that says who uses it, e.g. 'bank BCA payment partner'", "name")
    if len(name) > NAME_LENGTH:
        raise DomainError(f"must have at most {NAME_LENGTH} characters", "name")
    if not 1 <= days <= max_days:
        raise DomainError(f"must be between 1 and {max_days} days (CMS_TOKEN_MAX_AGE_DAYS)", "days")
    if not user.active:
        raise DomainError(f"user {user.email} is deactivated", "email")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = now_utc()
    token = ApiToken(user=user, name=name, secret_hash=hash_secret(secret), created_at=now,
                     expires_at=now + timedelta(days=days))
    session.add(token)
    session.flush()
    return token, secret


# Built once, with its user and the user's roles: every API call needs all three (the role check).
_TOKEN_BY_HASH = (sa.select(ApiToken).where(ApiToken.secret_hash == sa.bindparam("secret_hash"))
                  .options(joinedload(ApiToken.user).joinedload(User.roles)))


def find_usable_token(session: Session, secret: str, max_age: timedelta) -> ApiToken | None:
    """The token this secret belongs to, if it still opens the API: not revoked, not expired, its user
    active. `max_age` also bounds tokens made before CMS_TOKEN_MAX_AGE_DAYS was lowered."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalars(_TOKEN_BY_HASH, {"secret_hash": hash_secret(secret)}).unique().one_or_none()
    return token if token is not None and token_is_usable(token, max_age) else None


def token_is_usable(token: ApiToken, max_age: timedelta) -> bool:
    """Not revoked, not expired, its user active (the token and its user as read, maybe a few seconds ago)."""
    now = now_utc()
    if token.revoked_at is not None or not token.user.active:
        return False
    return token.expires_at > now and token.created_at + max_age > now


def last_use_is_stale(token: ApiToken) -> bool:
    return token.last_used_at is None or token.last_used_at <= now_utc() - LAST_USE_PRECISION


def record_token_use(session: Session, token_id: int) -> None:
    """A plain UPDATE: the last use is bookkeeping, not a change for the audit trail."""
    session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now_utc()))


def list_api_tokens(session: Session, user: User | None = None) -> list[ApiToken]:
    query = sa.select(ApiToken).join(ApiToken.user).order_by(User.email, ApiToken.id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.scalars(query))


def revoke_api_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise DomainError(f"no API token with id {token_id}", "id")
    if token.revoked_at is not None:
        raise DomainError(f"token {token_id} ({token.name}) was already revoked", "id")
    token.revoked_at = now_utc()
    session.flush()
    return token


def revoke_user_api_tokens(session: Session, user: User) -> int:
    """Every token of the user that is not yet revoked stops working; returns how many."""
    now = now_utc()
    tokens = session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    count = 0
    for token in tokens:
        token.revoked_at = now
        count += 1
    session.flush()
    return count
