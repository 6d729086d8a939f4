"""A pooled connection is checked before use only after sitting idle (models.base.ping_idle_connections): a
dead one is replaced before the request sees it; one given back a moment ago is used without a round trip."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models.base import db, ping_idle_connections

pytestmark = pytest.mark.no_db          # its own engine and connections, outside the per-test transaction


@pytest.fixture
def engine(app):
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    ping_idle_connections(engine, idle_seconds=60)
    yield engine
    engine.dispose()


def _pings(engine, monkeypatch) -> list:
    pinged, real = [], engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pinged.append(connection) or real(connection))
    return pinged


def test_a_connection_that_died_while_idle_is_replaced_before_use(engine, monkeypatch):
    with engine.connect() as connection:
        record = connection.connection._connection_record
        dead = connection.connection.dbapi_connection
    dead.close()                        # the server went away while it sat in the pool
    record.info["cms.idle_since"] -= 61     # a minute ago
    pinged = _pings(engine, monkeypatch)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT 41 + 1")) == 42
        assert connection.connection.dbapi_connection is not dead
    assert pinged == [dead]


def test_a_connection_given_back_a_moment_ago_is_not_pinged(engine, monkeypatch):
    with engine.connect() as connection:
        connection.scalar(sa.text("SELECT 1"))
    pinged = _pings(engine, monkeypatch)
    for _ in range(3):
        with engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT 2")) == 2
    assert pinged == []
