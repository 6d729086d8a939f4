"""How tune_sqlite begins transactions (writers take the lock at BEGIN, declared readers never do), and what a
migration leaves in the pool."""
import sqlalchemy as sa
from celery import current_app as celery_app
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from models.base import db, reading_only, tune_sqlite
from tests.conftest import suite_app


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


def test_after_migrating_every_pooled_connection_enforces_foreign_keys_and_holds_no_lock(tmp_path, monkeypatch):
    # The migration switches foreign keys off on its connection; that connection goes back to the pool.
    # Once it came back with them off inside an open transaction: cascades silently did nothing.
    monkeypatch.setenv("CMS_INSTANCE_PATH", str(tmp_path))
    suite_celery = celery_app._get_current_object()     # a second app makes its Celery app the default one
    app = suite_app(f"sqlite:///{tmp_path / 'm.db'}")
    suite_celery.set_default()
    with app.app_context():
        upgrade()
        connections = [db.engine.connect() for _ in range(db.engine.pool.size() + 1)]
        driver = [c.connection.driver_connection for c in connections]
        assert [d.execute("PRAGMA foreign_keys").fetchone()[0] for d in driver] == [1] * len(driver)
        assert not any(d.in_transaction for d in driver)
        for c in connections:
            c.close()
        db.engine.dispose()
