"""Named statuses, and the one way they change.

Each domain registers its enum's transition table next to the enum (`transitions(MeterStatus, {...})`).
`move_status` is the only writer of a business object's status: it checks the move against the table
(a refusal lists the allowed next statuses), assigns it, and records a StatusChange by the acting user
(models.audit.recorder.acting_name), so the status history and the audit trail name the same person.
"""
from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.audit.recorder import acting_name
from models.base import db, insert_once
from models.clock import now_utc
from models.errors import InvalidTransition
from models.objects import type_of
from models.types import UTCDateTime

S = TypeVar("S", bound=enum.Enum)
TRANSITIONS: dict[type[enum.Enum], Mapping[enum.Enum, frozenset]] = {}


def transitions(status: type[S], table: Mapping[S, set[S]]) -> Mapping[S, frozenset[S]]:
    """Register the moves `status` allows: {from: {to, ...}}; a status absent as a key is final."""
    strays = {s for s in table} | {s for targets in table.values() for s in targets}
    if any(not isinstance(s, status) for s in strays):
        raise TypeError(f"the transition table of {status.__name__} names another enum's statuses")
    TRANSITIONS[status] = {source: frozenset(targets) for source, targets in table.items()}
    return TRANSITIONS[status]


def _table(status: type[enum.Enum]) -> Mapping[enum.Enum, frozenset]:
    table = TRANSITIONS.get(status)
    if table is None:
        raise LookupError(f"{status.__name__} has no transition table (models.statuses.transitions)")
    return table


def check_transition(table: Mapping[enum.Enum, set], current: enum.Enum | None, target: enum.Enum,
                     what: str) -> None:
    allowed = table.get(current, set()) if current is not None else {target}
    if target not in allowed:
        options = ", ".join(sorted(s.value for s in allowed)) or "none (final status)"
        raise InvalidTransition(
            f"{what} cannot move from {current.value if current else 'nothing'} to {target.value}; "
            f"allowed next: {options}", "status")


def check_move(current: enum.Enum | None, target: enum.Enum, what: str) -> None:
    """The check move_status makes, for an operation that vets many objects before it moves any."""
    check_transition(_table(type(target)), current, target, what)


class StatusChange(db.Model):
    """One move of a business object from one named status to the next."""

    __tablename__ = "status_changes"
    __table_args__ = (sa.Index("ix_status_changes_object", "object_type", "object_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    from_status: Mapped[str | None] = mapped_column(sa.String(40))
    to_status: Mapped[str] = mapped_column(sa.String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    by: Mapped[str] = mapped_column(sa.String(255))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    instance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_instances.id", ondelete="SET NULL"))

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id}: {self.from_status} -> {self.to_status}"


def move_status(session: Session, obj, target: S, *, what: str, note: str | None = None, record: bool = True,
                instance_id: int | None = None) -> S | None:
    """Move `obj.status` to `target` along the table of target's enum and record the move (unless `record`
    is False); returns the status it left. Does not flush: the operation calling it does.

    `what` names the object in a refusal ("meter 30001"). `record=False` is for statuses whose own rows
    already say who and when (a reading order answered by its reading): the move is still checked.
    """
    previous = obj.status
    check_move(previous, target, what)
    obj.status = target
    if record:
        _record(session, obj, previous, target, note, instance_id)
    return previous


def begin_status(session: Session, obj, first: enum.Enum) -> None:
    """Give a new object its first status, recorded as a move from nothing (whatever a column default put
    there when the object was flushed for its id or number)."""
    _table(type(first))     # a status without a table could never move on
    obj.status = first
    _record(session, obj, None, first, None, None)


def first_status_rows(cls: type, ids: list[int], first: enum.Enum, *, by: str, at: datetime) -> list[dict]:
    """begin_status's records for new objects of `cls` written without the ORM (bulk loads, hot paths): rows of
    status_changes, for the caller to insert."""
    _table(type(first))
    return [{"object_type": type_of(cls).key, "object_id": object_id, "from_status": None, "to_status": first.value,
             "at": at, "by": by, "note": None, "instance_id": None} for object_id in ids]


def insert_once_with_status(session: Session, cls: type, row: dict, first: enum.Enum, *, by: str, at: datetime
                            ) -> tuple[int, dict] | None:
    """insert_once of a new object's row (all its columns but the id) with its first status_changes row:
    (its id, the status row with its id), or None when a unique key already held it. One statement on
    PostgreSQL (the status row is inserted from the new row's RETURNING), for a hot path's every call."""
    [change] = first_status_rows(cls, [0], first, by=by, at=at)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        statement = _insert_with_status(cls.__table__, tuple(row))
        found = connection.execute(statement, {**{f"row_{key}": value for key, value in row.items()},
                                               **{f"change_{key}": change[key] for key in _CHANGE_BOUND}}).one_or_none()
        if found is None:
            return None
        change["object_id"], change["id"] = found
        return found[0], change
    object_id = insert_once(session, cls.__table__, row)
    if object_id is None:
        return None
    change["object_id"] = object_id
    change["id"] = connection.execute(_ADD_CHANGE, [change]).scalar_one()
    return object_id, change


_CHANGE_BOUND = ("object_type", "to_status", "at", "by")
_ADD_CHANGE = sa.insert(StatusChange.__table__).returning(StatusChange.__table__.c.id)


@functools.cache
def _insert_with_status(table: sa.Table, columns: tuple[str, ...]):
    from sqlalchemy.dialects import postgresql

    new = (postgresql.insert(table).values({name: sa.bindparam(f"row_{name}", type_=table.c[name].type)
                                            for name in columns})
           .on_conflict_do_nothing().returning(table.c.id).cte("new_row"))
    changes = StatusChange.__table__
    bound = {name: sa.bindparam(f"change_{name}", type_=changes.c[name].type) for name in _CHANGE_BOUND}
    made = sa.select(bound["object_type"], new.c.id, sa.null(), bound["to_status"], bound["at"], bound["by"],
                     sa.null(), sa.null())
    return (sa.insert(changes).from_select(["object_type", "object_id", "from_status", "to_status", "at", "by",
                                            "note", "instance_id"], made)
            .returning(changes.c.object_id, changes.c.id).add_cte(new))


def _record(session: Session, obj, previous: enum.Enum | None, target: enum.Enum, note: str | None,
            instance_id: int | None) -> None:
    if obj.id is None:      # a new object: the change names it by id
        session.add(obj)
        session.flush()
    session.add(StatusChange(object_type=type_of(obj).key, object_id=obj.id,
                             from_status=previous.value if previous is not None else None, to_status=target.value,
                             by=acting_name(), note=note[:500] if note else None, instance_id=instance_id))


def status_history(session: Session, object_type: str, object_id: int) -> list[StatusChange]:
    return list(session.scalars(
        sa.select(StatusChange).where(StatusChange.object_type == object_type, StatusChange.object_id == object_id)
        .order_by(StatusChange.at, StatusChange.id)))
