"""Users and roles, in the shape Flask-Security-Too's SQLAlchemy datastore expects."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_security import RoleMixin, UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.types import UTCDateTime


class RoleName(enum.StrEnum):
    ADMIN = "admin"
    PROCESS_OWNER = "process_owner"
    CLERK = "clerk"
    CASHIER = "cashier"
    ACCOUNTANT = "accountant"


ROLE_DESCRIPTIONS = {
    RoleName.ADMIN: "Maintains reference data and users; may do everything",
    RoleName.PROCESS_OWNER: "Designs and deploys processes; works as a clerk",
    RoleName.CLERK: "Customer service, cashier, store keeper, meter reading office",
    RoleName.CASHIER: "The cashier's counter: posts payments, prints receipts, closes their own day",
    RoleName.ACCOUNTANT: "Accounting pages, journal exports, trial balance; reads collection, posts nothing",
}

roles_users = sa.Table(
    "roles_users", db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role_id", sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model, RoleMixin):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    permissions: Mapped[list[str] | None] = mapped_column(sa.JSON)
    update_datetime: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    def __str__(self) -> str:
        return self.name


class User(db.Model, UserMixin):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    password: Mapped[str | None] = mapped_column(sa.String(255), info={"audit": False})
    active: Mapped[bool] = mapped_column(default=True)
    fs_uniquifier: Mapped[str] = mapped_column(sa.String(64), unique=True, info={"audit": False})
    fs_token_uniquifier: Mapped[str | None] = mapped_column(sa.String(64), unique=True, info={"audit": False})
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})
    current_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})
    last_login_ip: Mapped[str | None] = mapped_column(sa.String(64), info={"audit": False})
    current_login_ip: Mapped[str | None] = mapped_column(sa.String(64), info={"audit": False})
    login_count: Mapped[int | None] = mapped_column(info={"audit": False})
    # Wrong passwords in a row; the lock they lead to is audited, each single failure is not.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0", info={"audit": False})
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    create_datetime: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    update_datetime: Mapped[datetime] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc, info={"audit": False})

    roles: Mapped[list[Role]] = relationship(secondary=roles_users, backref="users")

    def __str__(self) -> str:
        return self.email

    def is_locked(self, form_error: list[str] | None = None) -> bool:
        """Flask-Security asks this after the password was verified: a lock refuses even the right one."""
        locked = self.locked_until is not None and self.locked_until > now_utc()
        if locked and form_error is not None:
            # replaced by the generic failure message, so a right guess on a locked account looks like a wrong one
            form_error.append("account locked")
        return locked
