"""The one transaction edge: every entry point (request, admin action, CLI command, Celery task) runs its
work inside `transaction(actor)`, which commits once or rolls back whole.

Whatever refused the work comes out as a Refusal: a DomainError (a business rule's own, a database
constraint named by its field), or a RetryLater (a concurrent change, a busy database), which is no
fault of the input, so a form that shows its DomainErrors beside the fields lets it pass to the app's
409/503 answer. The caller only decides how to tell its user: a flash, a JSON 4xx, a CLI error, a
failed task.

The edge also sets the acting user, once: the audit trail and the operations that record who did
something (`acting_name()`) read the same actor, so they cannot disagree.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from models.audit.recorder import Actor, acting_as
from models.base import db
from models.errors import Refusal, describe_integrity_error

BUSY = "The database is busy with other work; try again in a moment."
STALE = "Someone else saved a change to this record a moment ago; reload it and check before trying again."
# SQLITE_BUSY, SQLITE_LOCKED (extended codes keep these in the low byte); PostgreSQL's serialization
# failure, deadlock and lock timeout: each means "the same work again will probably succeed".
_SQLITE_BUSY = {5, 6}
_PG_RETRY = {"40001", "40P01", "55P03"}


class RetryLater(Refusal):
    """Nothing was saved, and the same work again will likely succeed."""


class ConcurrentChange(RetryLater):
    """Someone else changed the same rows first: nothing was saved; reload and decide again (HTTP 409)."""


class DatabaseBusy(RetryLater):
    """The database could not take the write now: nothing was saved; the same work again will likely
    succeed (HTTP 503 with Retry-After)."""


def retry_reason(exc: BaseException) -> str | None:
    """The user's message when `exc` says "try again" (a busy database, a concurrent change); else None."""
    if isinstance(exc, StaleDataError | ConcurrentChange):
        return STALE
    if isinstance(exc, DatabaseBusy):
        return BUSY
    if not isinstance(exc, OperationalError):
        return None
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if (code is not None and code & 0xFF in _SQLITE_BUSY) or getattr(exc.orig, "sqlstate", None) in _PG_RETRY:
        return BUSY
    return None


def as_refusal(exc: BaseException) -> Refusal | None:
    """The Refusal a failed unit of work means to its user, or None for a genuine fault (a bug,
    a lost connection), which must stay an error with its trace."""
    if isinstance(exc, Refusal):
        return exc
    if isinstance(exc, IntegrityError):
        return describe_integrity_error(exc)
    reason = retry_reason(exc)
    if reason == STALE:
        return ConcurrentChange(reason)
    if reason == BUSY:
        return DatabaseBusy(reason)
    return None


@contextlib.contextmanager
def transaction(actor: Actor | None = None) -> Iterator[None]:
    """Run the block as one unit of work: commit at its end, or roll back everything it did.

    A refusal leaves as a Refusal (see `as_refusal`); any other exception passes unchanged,
    after the rollback. `actor` becomes the acting user for the block; None keeps the current one
    (the signed-in user of a request).
    """
    with acting_as(actor) if actor is not None else contextlib.nullcontext():
        try:
            yield
            db.session.commit()
        except BaseException as exc:
            db.session.rollback()
            refusal = as_refusal(exc)
            if refusal is None or refusal is exc:
                raise
            raise refusal from exc
