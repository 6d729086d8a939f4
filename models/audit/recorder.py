"""Records who changed which business row, when, and each changed field's old and new value.

A session listener writes the events in the same transaction as the change (so a rolled-back
change leaves no trail). Who acts comes from `acting_as` (CLI, Celery) or from the provider the
web layer registers; models never look at the request themselves.

A value is kept bounded: binary content (an uploaded file) is recorded as its size and SHA-256, never
itself, and text is cut at TEXT_LIMIT characters, so the trail stays readable and a large upload
costs the audit a line.
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from models.audit.entities import AuditAction, AuditEvent
from models.base import db
from models.clock import now_utc


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str


SYSTEM = Actor(None, "system")
TEXT_LIMIT = 2000      # characters of one audited value
_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)
_provider: Callable[[], Actor | None] = lambda: None  # noqa: E731  replaced by the web layer


# RETURNING makes SQLAlchemy send the rows as multi-row INSERTs (insertmanyvalues); without it psycopg's
# executemany runs a pipeline, which cost a payment post an eighth of its CPU for two or three events.
_INSERT_EVENTS = sa.insert(AuditEvent).returning(AuditEvent.id)


def set_actor_provider(provider: Callable[[], Actor | None]) -> None:
    global _provider
    _provider = provider


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get() or _provider() or SYSTEM


def acting_name() -> str:
    """Who operations record as having done something (`by`): always the audit trail's actor."""
    return current_actor().name


def _plain(value, numeric: bool = False):
    if numeric and value is not None:
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value):,} bytes sha256:{hashlib.sha256(value).hexdigest()}>"
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return _bounded(value if isinstance(value, str) else str(value))


def _bounded(text: str) -> str:
    if len(text) <= TEXT_LIMIT:
        return text
    return f"{text[:TEXT_LIMIT]}… ({len(text):,} characters)"


def _audited_columns(obj):
    """(attribute, is numeric) of the columns worth auditing: secrets and login bookkeeping are not."""
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if column.info.get("audit", True):
            yield attr.key, isinstance(column.type, sa.Numeric) and not isinstance(column.type, sa.Float)


def _changes(obj, action: AuditAction) -> dict:
    state = inspect(obj)
    out = {}
    for key, numeric in _audited_columns(obj):
        hist = state.attrs[key].history
        if action is AuditAction.INSERT:
            value = getattr(obj, key)
            if value is not None:
                out[key] = [None, _plain(value, numeric)]
        elif action is AuditAction.DELETE:
            old = hist.unchanged[0] if hist.unchanged else (hist.deleted[0] if hist.deleted else None)
            out[key] = [_plain(old, numeric), None]
        elif hist.has_changes():
            raw_old, raw_new = hist.deleted[0] if hist.deleted else None, hist.added[0] if hist.added else None
            old, new = _plain(raw_old, numeric), _plain(raw_new, numeric)
            # a change past the cut of two long texts still counts
            if old != new or isinstance(raw_old, str) and isinstance(raw_new, str) and raw_old != raw_new:
                out[key] = [old, new]
    return out


def _entity_id(obj) -> str:
    # identity keys of new rows are not assigned until after flush; the primary key attributes are
    return ",".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj))


def _collect(session: Session, flush_context, instances) -> None:
    rows = []
    groups = ((session.new, AuditAction.INSERT), (session.dirty, AuditAction.UPDATE),
              (session.deleted, AuditAction.DELETE))
    for objects, action in groups:
        for obj in objects:
            # Only our own tables: kombu's broker and Celery's result backend use SQLAlchemy sessions too.
            if isinstance(obj, AuditEvent) or not isinstance(obj, db.Model):
                continue
            if action is AuditAction.UPDATE and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action is AuditAction.UPDATE and not changes:
                continue
            rows.append((obj, action, changes))
    if rows:
        session.info.setdefault("audit_pending", []).extend(rows)


def _write(session: Session, flush_context) -> None:
    rows = session.info.pop("audit_pending", [])
    if not rows:
        return
    actor = current_actor()
    at = now_utc()
    values = [
        {"at": at, "actor_id": actor.id, "actor": actor.name, "entity": obj.__table__.name,
         "entity_id": _entity_id(obj), "action": action, "changes": changes}
        for obj, action, changes in rows
    ]
    session.connection().execute(_INSERT_EVENTS, values)


def record_inserts(session: Session, groups: list[tuple[sa.Table, list[dict]]]) -> None:
    """The events the session listener writes for new rows, for rows inserted without the ORM (a hot path's
    few rows, each with its `id`): every audited value that is set, in one statement for all the groups. The
    id is the event's entity_id, as the listener's; the values the listener would have left to column defaults
    (a received_at) are recorded, since these rows carry them."""
    actor, at, values = current_actor(), now_utc(), []
    for table, rows in groups:
        audited = [(c.key, isinstance(c.type, sa.Numeric) and not isinstance(c.type, sa.Float))
                   for c in table.columns if c.info.get("audit", True) and not c.primary_key]
        values += [{"at": at, "actor_id": actor.id, "actor": actor.name, "entity": table.name,
                    "entity_id": str(row["id"]), "action": AuditAction.INSERT,
                    "changes": {key: [None, _plain(row[key], numeric)] for key, numeric in audited
                                if row.get(key) is not None}} for row in rows]
    if values:
        session.connection().execute(_INSERT_EVENTS, values)


def record_bulk(session: Session, entity: str, summary: dict) -> None:
    """One event for a bulk load whose rows bypass the ORM (demo data, conversion imports)."""
    actor = current_actor()
    session.connection().execute(_INSERT_EVENTS, [{
        "at": now_utc(), "actor_id": actor.id, "actor": actor.name, "entity": entity,
        "entity_id": "*", "action": AuditAction.BULK,
        "changes": {key: _bounded(value) if isinstance(value, str) else value for key, value in summary.items()}}])


def install(session_class=Session) -> None:
    """Listen on every session; idempotent."""
    if not event.contains(session_class, "before_flush", _collect):
        # Column history is complete in before_flush; ids of new rows exist only after the flush.
        event.listen(session_class, "before_flush", _collect)
        event.listen(session_class, "after_flush", _write)
