"""Test fixtures: a frozen clock, one migrated database per run, one rolled-back transaction per test.

CMS_TEST_DATABASE_URL selects PostgreSQL (make test sets it for the second run); SQLite otherwise.
CMS_TEST_TODAY (a local date, or date and time) is the day the whole suite runs on; by default today at
06:30 in the utility's zone, when UTC still says yesterday. make test also runs it on hostile dates.
"""
from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
import time_machine
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from models import clock as app_clock
from models.base import db as _db
from models.process.entities import HumanTask, TaskState
from models.requests.entities import RequestType
from models.requests.operations import register_request
from portal import create_app
from tests.factories import Factory
from workflows.runtime import complete_task, start_instance
from workflows.shipped import deploy_shipped

pytest_plugins = ["tests.bills_to_pay"]     # issued bills to pay (collection, accounting, inquiry)


def _suite_instant() -> datetime:
    zone = app_clock.business_zone()
    chosen = os.environ.get("CMS_TEST_TODAY", "").strip() or app_clock.today().isoformat()
    return app_clock.parse_local_instant(chosen, zone)


SUITE_INSTANT = _suite_instant()
# A UTC destination: time-machine would otherwise set TZ for this process and the ones it starts, and
# code that wrongly uses the machine's local time would pass by luck.
_travel = time_machine.travel(SUITE_INSTANT.astimezone(UTC), tick=True)
_traveller: time_machine.Traveller | None = None


def pytest_configure(config):
    global _traveller
    _traveller = _travel.start()
    # Processes a test starts (the live server, workers, the CLI) begin their own clock at the same
    # instant; this process keeps an unshifted application clock under time-machine.
    os.environ["CMS_CLOCK_START"] = SUITE_INSTANT.astimezone(app_clock.business_zone()).isoformat()
    app_clock.configure(start="")


def pytest_unconfigure(config):
    if _traveller is not None:
        _travel.stop()


def pytest_report_header(config):
    local = SUITE_INSTANT.astimezone(app_clock.business_zone())
    return (f"application clock frozen at {local:%Y-%m-%d %H:%M} {local.tzname()} ({SUITE_INSTANT:%Y-%m-%d %H:%M} "
            f"UTC); reproduce with CMS_TEST_TODAY={local:%Y-%m-%dT%H:%M}")


class SuiteClock:
    """The test's clock: starts at the suite's instant and ticks; `to(day)` travels to a local day."""

    instant = SUITE_INSTANT

    def to(self, day: date | datetime, at: time = time(6, 30)) -> None:
        moment = day if isinstance(day, datetime) else datetime.combine(day, at, app_clock.business_zone())
        _traveller.move_to(moment.astimezone(UTC))


@pytest.fixture(autouse=True)
def clock():
    """Every test starts at the suite's instant, whatever the one before did with the clock."""
    _traveller.move_to(SUITE_INSTANT.astimezone(UTC))
    return SuiteClock()


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("CMS_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return worker_database(url, worker) if worker else url


def worker_database(url: str, worker: str) -> str:
    """Each pytest-xdist worker gets its own PostgreSQL database beside the configured one."""
    base = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def reset_schema(url: str) -> None:
    """PostgreSQL keeps its database between runs: start from an empty schema."""
    if not url.startswith("postgresql"):
        return
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()


def suite_app(url: str, **overrides):
    """An app in this process as the suite needs it: eager Celery, this process's unshifted application clock
    (the environment's CMS_CLOCK_START is for the processes tests start), cheap real argon2. create_app
    configures the process-wide clock and makes its Celery app the default: a test that builds a second app
    sets the suite's Celery app back (tests/models/test_sqlite_transactions.py)."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "CELERY_ALWAYS_EAGER": True,
                       "CMS_CLOCK_START": "",
                       "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {"argon2__rounds": 1, "argon2__memory_cost": 1024},
                       **overrides})


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = database_url(tmp_path_factory)
    reset_schema(url.replace("postgresql://", "postgresql+psycopg://", 1))
    os.environ["CMS_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = suite_app(url)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def db(request, app):
    """Every test runs in a transaction that is rolled back; commits inside become savepoints.

    Requests made by a test reuse its app context and so its session (Flask pushes no new one).
    """
    if "no_db" in request.keywords:
        yield None
        return
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        # A plain Session: Flask-SQLAlchemy's own ignores `bind` and would take a fresh connection.
        _db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
                                     scopefunc=_app_ctx_id)
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def make(db):
    return Factory(db.session)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


@pytest.fixture
def login(client, make):
    """Sign a client in as a new user of the given role (through the real login form)."""
    def _login(role: str = "admin"):
        user, password = make.user(role=role)
        response = client.post("/login", data={"email": user.email, "password": password,
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 302, response.text
        return user
    return _login


@pytest.fixture
def shipped(db):
    return {d.key: d for d in deploy_shipped(db.session)}


@pytest.fixture
def request_process(db, make, shipped):
    """Register a request of a type and start the customer request process for it."""
    def _start(request_type=RequestType.NEW_CONNECTION):
        contract = make.contract()
        request = register_request(db.session, request_type, customer_id=contract.account.customer_id,
                                   service_point_id=contract.service_point_id)
        instance = start_instance(db.session, "customer_request", "customer_request", request.id,
                                  {"request_type": request_type.value})
        return request, instance
    return _start


@pytest.fixture
def work(db):
    """Complete the open human task with this BPMN id as a user of the task's role."""
    def _work(instance, bpmn_id, user, **data):
        task = db.session.scalar(sa.select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.bpmn_id == bpmn_id, HumanTask.state == TaskState.OPEN))
        open_ids = [t.bpmn_id for t in instance.tasks if t.state is TaskState.OPEN]
        assert task is not None, f"no open task {bpmn_id}; open: {open_ids}"
        return complete_task(db.session, task.id, user, data)
    return _work
