"""Declarative base, the shared Flask-SQLAlchemy handle and engine tuning.

`db` lives here (not in portal/) so that the domain layer never imports the web layer;
portal.create_app calls `db.init_app(app)`.
"""
from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

# Stable constraint names: Alembic migrations and the error translator (models.errors) rely on them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

_reading_only: ContextVar[bool] = ContextVar("reading_only", default=False)


@contextlib.contextmanager
def reading_only() -> Iterator[None]:
    """Declare the transaction begun inside the block read-only (a billing chunk's gather and price), so
    that on SQLite it begins deferred and reads its snapshot while another worker writes. A write inside
    it would have to upgrade the lock and may be refused as busy: only declare what truly reads."""
    token = _reading_only.set(True)
    try:
        yield
    finally:
        _reading_only.reset(token)


def tune_sqlite(engine: Engine, reads_only: Callable[[], bool] = lambda: False) -> None:
    """Make pysqlite behave like a real transactional database.

    pysqlite's legacy transaction handling breaks SAVEPOINT (used by per-test rollback and
    nested operations), and SQLite ignores foreign keys unless asked; WAL and a busy timeout let
    the web process and the Celery worker share the file.

    Transactions take the write lock when they begin (BEGIN IMMEDIATE): a deferred one that has read
    cannot write once another connection committed (SQLITE_BUSY_SNAPSHOT), and no busy timeout waits
    that out, whereas waiting for the lock at BEGIN is what the busy timeout does. SQLite has one
    writer anyway. Work declared read-only (`reads_only`: a GET page; or a `reading_only()` block) begins
    deferred, so that it keeps reading its WAL snapshot while an import holds the lock.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN" if _reading_only.get() or reads_only() else "BEGIN IMMEDIATE")


_IDLE_SINCE = "cms.idle_since"


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only if it sat idle in the pool `idle_seconds` or more.

    SQLAlchemy's pool_pre_ping checks every checkout: a round trip on every request (a twentieth of a payment
    post). A connection given back a moment ago is all but certainly alive, as HikariCP's
    aliveBypassWindowMs assumes; one that died in that moment (the server restarted) fails its request, as a
    connection lost mid-request does, and SQLAlchemy then invalidates the pool, so later checkouts connect anew.
    A dead connection found by the check is replaced before use, and the pool's other connections with it (those
    given back in the last second skip the check), as pre_ping does (InvalidatePoolError: the pool retries)."""
    from sqlalchemy.exc import InvalidatePoolError

    def _now_idle(_dbapi_connection, record, *_args):
        record.info[_IDLE_SINCE] = time.monotonic()

    event.listen(engine, "connect", _now_idle)
    event.listen(engine, "checkin", _now_idle)

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise InvalidatePoolError(str(error)) from error
            raise


def chunks(values, size: int = 2000):
    """`values` (a sequence) in slices of at most `size`: a query names at most so many (PostgreSQL takes at most
    65,535 parameters a statement)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def new_ids(session, table, count: int) -> list[int]:
    """`count` primary keys for rows inserted in bulk without RETURNING (insert_rows, COPY): from the table's
    sequence on PostgreSQL (safe with concurrent writers); on SQLite past the largest, which is safe because a
    transaction that writes holds the database's one write lock from its BEGIN IMMEDIATE (tune_sqlite)."""
    from sqlalchemy import func, select

    if session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        return list(session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count))))
    last = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(last + 1, last + count + 1))


def analyze_if_outgrown(session, tables, added: int) -> None:
    """On PostgreSQL, ANALYZE those of `tables` whose statistics count less than half of the `added` rows this
    transaction wrote to them (less than a third of the table, then). A bulk import plans each of its later
    reads from the statistics of the tables as they were: into empty tables (go-live day), a read of what a
    chunk's customers owe scanned every row the import had written so far, once per chunk. ANALYZE inside the
    transaction counts its own rows; with each run the statistics at least triple, so it runs a few times.

    ANALYZE holds its lock until the transaction ends: another import analysing the same table meanwhile waits
    at most 100 ms and goes on without (a savepoint undoes the wait's setting). The role must own the tables
    (else PostgreSQL only warns, and the import runs with the statistics it had)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    if session.get_bind().dialect.name != "postgresql":
        return
    quote = session.get_bind().dialect.identifier_preparer.format_table
    for table in tables:
        name = quote(table)
        counted = session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
                                 {"name": name})
        if counted is None or added <= 2 * max(counted, 0) + 1000:     # reltuples is -1 for one never analysed
            continue
        try:
            with session.begin_nested():
                before = session.scalar(text("SELECT current_setting('lock_timeout')"))
                session.execute(text("SELECT set_config('lock_timeout', '100ms', true)"))
                session.execute(text(f"ANALYZE {name}"))
                session.execute(text("SELECT set_config('lock_timeout', :before, true)"), {"before": before})
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "55P03":       # lock_not_available: skipped this time
                raise


def insert_once(session, table, row: dict) -> int | None:
    """INSERT the row unless a unique key already holds its values; its id, or None when it was there. On
    PostgreSQL a concurrent insert of the same key waits for the other transaction's end (then answers None if
    that one committed), so that exactly one of many racing posts inserts, and none fails on the key."""
    connection = session.connection()
    return connection.execute(_insert_once_statement(connection.dialect.name, table), row).scalar()


@functools.cache
def _insert_once_statement(dialect: str, table):
    from sqlalchemy.dialects import postgresql, sqlite

    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_nothing().returning(table.c.id)


_ATTACHED = "cms.attached"     # session.info: [(the innermost transaction, object)] attached in it


def attach_inserted(session, cls, values: dict):
    """The persistent object of a row just inserted without the ORM, from the values inserted (no query): the
    caller's answer keeps being an ORM object. Columns not given load on first access. A rollback of the
    transaction it was attached in expunges it, as the ORM does with the objects it inserted."""
    from sqlalchemy.orm import make_transient_to_detached

    obj = cls(**values)
    make_transient_to_detached(obj)
    session.add(obj)
    session.info.setdefault(_ATTACHED, []).append((innermost_transaction(session), obj))
    return obj


def innermost_transaction(session):
    """The savepoint the session is in, else its transaction: what a rollback undoes, locks included."""
    from sqlalchemy.orm import scoped_session

    real = session() if isinstance(session, scoped_session) else session
    return real.get_nested_transaction() or real.get_transaction()


@event.listens_for(Session, "after_soft_rollback")
def _expunge_attached(session, previous_transaction) -> None:
    """A rolled-back transaction's rows are gone: so are the objects attach_inserted made of them (those of the
    transactions inside it included)."""
    kept = []
    for transaction, obj in session.info.get(_ATTACHED, []):
        inner = transaction
        while inner is not None and inner is not previous_transaction:
            inner = inner.parent
        if inner is None:
            kept.append((transaction, obj))
        elif obj in session:
            session.expunge(obj)
    session.info[_ATTACHED] = kept


@event.listens_for(Session, "after_commit")
def _forget_attached(session) -> None:
    session.info.pop(_ATTACHED, None)


def insert_rows(session, table, rows: list[dict], constants: dict | None = None) -> None:
    """executemany of plain rows, with each column's bind processing done once per column instead of
    through the per-row statement machinery: bulk loads (imports of a million readings) need it.
    `constants` are the same for every row (who, when, source) and are converted once; values of
    enum and date columns repeat, so their conversions are remembered."""
    if not rows:
        return
    from sqlalchemy import Date, Enum, insert

    connection = session.connection()
    dialect = connection.dialect
    constants = constants or {}
    keys = list(rows[0]) + [k for k in constants if k not in rows[0]]
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    order = compiled.positiontup if compiled.positional else keys

    def processor(key):
        column_type = table.c[key].type
        process = column_type._cached_bind_processor(dialect)
        if process is None or not isinstance(column_type, Enum | Date):
            return process
        memo = {}

        def remembered(value):
            if value not in memo:
                memo[value] = process(value)
            return memo[value]
        return remembered

    fixed = {k: (v if v is None or processor(k) is None else processor(k)(v)) for k, v in constants.items()}
    plan = [(k, None if k in fixed else processor(k)) for k in order]

    def convert(row):
        values = [fixed[k] if k in fixed else row[k] if p is None or row[k] is None else p(row[k]) for k, p in plan]
        return tuple(values) if compiled.positional else dict(zip(order, values, strict=True))

    if dialect.name == "postgresql":
        # COPY in the session's own transaction: several times faster than executemany for bulk loads.
        quote = dialect.identifier_preparer.quote
        columns = ", ".join(quote(k) for k in order)
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([fixed[k] if k in fixed else row[k] if p is None or row[k] is None else p(row[k])
                                for k, p in plan])
        return
    connection.exec_driver_sql(compiled.string, [convert(row) for row in rows])
