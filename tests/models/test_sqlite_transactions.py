"""How tune_sqlite begins transactions: writers take the lock at BEGIN, declared readers never do."""
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from models.base import reading_only, tune_sqlite


def _engine(path):
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    tune_sqlite(engine)

    @sa.event.listens_for(engine, "connect")
    def _no_wait(dbapi_connection, _record):      # after tune_sqlite's: a lock is refused at once
        dbapi_connection.execute("PRAGMA busy_timeout=0")
    return engine


def test_a_declared_reader_reads_while_another_connection_holds_the_write_lock(tmp_path):
    engine = _engine(tmp_path / "t.db")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    with engine.connect() as writer:
        writer.begin()
        writer.exec_driver_sql("INSERT INTO t VALUES (2)")   # holds the write lock, uncommitted
        with engine.connect() as reader:
            with reading_only(), reader.begin():
                assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
            try:
                with reader.begin():
                    reader.exec_driver_sql("SELECT 1")
                raise AssertionError("an undeclared transaction began without waiting for the lock")
            except OperationalError as exc:
                assert "locked" in str(exc)
        writer.rollback()
