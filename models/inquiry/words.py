"""Keeping the name and address word index (models.inquiry.entities.SearchWord) in step with customers
and properties, however they are written: through the ORM (a flush), through Core executemany on a
session (the demo loader and bulk imports), or before this index existed (`rebuild_search_words`)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from models.customers.entities import Customer
from models.inquiry.entities import CUSTOMER, PROPERTY, SearchWord
from models.premises.entities import Property

WORD_LENGTH = 40
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower case without accents: "Sïti RAHAYU" and "siti rahayu" are the same to a clerk."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words_of(*texts: str | None) -> set[str]:
    return {w[:WORD_LENGTH] for text in texts for w in _WORD.findall(fold(text))}


def _texts(kind: str, row) -> tuple:
    get = row.get if isinstance(row, dict) else (lambda key: getattr(row, key, None))
    if kind == CUSTOMER:
        return (get("name"),)
    return get("address"), get("city")


_KINDS = {Customer.__table__: CUSTOMER, Property.__table__: PROPERTY}
_MODELS = {Customer: CUSTOMER, Property: PROPERTY}


def _write(connection_or_session, kind: str, rows: Iterable) -> None:
    rows = list(rows)
    if not rows:
        return
    ids = [r["id"] if isinstance(r, dict) else r.id for r in rows]
    table = SearchWord.__table__
    execute = connection_or_session.execute
    for start in range(0, len(ids), 500):
        execute(sa.delete(table).where(table.c.kind == kind, table.c.object_id.in_(ids[start:start + 500])))
    values = [{"word": w, "kind": kind, "object_id": i} for r, i in zip(rows, ids, strict=True)
              for w in words_of(*_texts(kind, r))]
    if values:
        execute(sa.insert(table), values)


def _after_flush(session: Session, _context) -> None:
    changed: dict[str, list] = {CUSTOMER: [], PROPERTY: []}
    for obj in list(session.new) + list(session.dirty):
        kind = _MODELS.get(type(obj))
        if kind and obj.id is not None:
            changed[kind].append(obj)
    gone = [(k, o.id) for o in session.deleted if (k := _MODELS.get(type(o)))]
    connection = session.connection()
    for kind, objs in changed.items():
        _write(connection, kind, objs)
    table = SearchWord.__table__
    for kind, object_id in gone:
        connection.execute(sa.delete(table).where(table.c.kind == kind, table.c.object_id == object_id))


def _core_inserts(state) -> sa.Result | None:
    """A Core insert of customer or property rows on a session (the demo loader): index what it wrote."""
    statement = state.statement
    if not (state.is_insert and isinstance(statement, sa.Insert)):
        return None
    kind = _KINDS.get(statement.table)
    if kind is None or not state.parameters:
        return None
    result = state.invoke_statement()
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters]
    if all("id" in r for r in rows):
        _write(state.session.connection(), kind, rows)
    return result


def index_inserted(session: Session, table: sa.Table, rows: list[dict]) -> None:
    """Index customer or property rows a bulk load wrote past the session (models.base.insert_rows, whose
    executemany and COPY no session event sees); other tables are left alone."""
    kind = _KINDS.get(table)
    if kind is not None and rows and all("id" in r for r in rows):
        _write(session.connection(), kind, rows)


def rebuild_search_words(session: Session, chunk: int = 20_000) -> int:
    """Index every customer name and property address again (after a load that bypassed the session)."""
    session.execute(sa.delete(SearchWord.__table__))
    count = 0
    for kind, query in ((CUSTOMER, sa.select(Customer.id, Customer.name)),
                        (PROPERTY, sa.select(Property.id, Property.address, Property.city))):
        last = 0
        while True:
            model = Customer if kind == CUSTOMER else Property
            rows = [r._asdict() for r in session.execute(
                query.where(model.id > last).order_by(model.id).limit(chunk))]
            if not rows:
                break
            _write(session, kind, rows)
            last, count = rows[-1]["id"], count + len(rows)
    session.flush()
    return count


def install(session_class=Session) -> None:
    """Keep the index on every session (idempotent)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "do_orm_execute", _core_inserts)


# On import (models.schema imports this module with the tables): every session of every entry point,
# the CLI's bulk loads included, keeps the index; there is no second place to remember to call it.
install()
