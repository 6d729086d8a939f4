"""The request edge: run one operation, commit once, or roll back whole and tell the user why."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, has_request_context, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from models.base import db
from models.errors import DomainError

BUSY = "The database is busy with other work; try again in a moment."
STALE = "Someone else saved a change to this record a moment ago; reload it and check before trying again."
# SQLITE_BUSY, SQLITE_LOCKED (extended codes keep these in the low byte); PostgreSQL's serialization
# failure, deadlock and lock timeout: each means "the same request again will probably succeed".
_SQLITE_BUSY = {5, 6}
_PG_RETRY = {"40001", "40P01", "55P03"}


def reads_only() -> bool:
    """A GET page only reads: on SQLite its transaction need not take the write lock."""
    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")


def retry_reason(exc: Exception) -> str | None:
    """The user's message when `exc` says "try again" (a busy database, a concurrent change); else None."""
    if isinstance(exc, StaleDataError):
        return STALE
    if not isinstance(exc, OperationalError):
        return None
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if (code is not None and code & 0xFF in _SQLITE_BUSY) or getattr(exc.orig, "sqlstate", None) in _PG_RETRY:
        return BUSY
    return None


def commit_or_flash(action: Callable[[], object], success: str | Callable[[object], str | tuple[str, str]]) -> bool:
    """Run `action`; on success commit and flash `success` (text, or built from the action's result,
    optionally as (text, category));
    on a DomainError roll back everything it did and flash the reason. Returns whether it succeeded."""
    try:
        result = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    except StaleDataError:
        db.session.rollback()
        flash(STALE, "error")
        return False
    message = success(result) if callable(success) else success
    message, category = message if isinstance(message, tuple) else (message, "success")
    flash(message, category)
    return True
