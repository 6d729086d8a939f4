"""Clerks racing on PostgreSQL: a real `cms run` server on its own PostgreSQL database, real requests.

Two clerks completing the same task at the same moment once got a 500 on PostgreSQL (the second's
commit failed after its check had passed); the second must be told who completed it.
"""
import os
import subprocess
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from models.clock import today
from tests.integration.visitors import Visitor, all_at_once
from tests.live import CMS, ROOT, add_complaint_awaiting_response, live_server

CLERK = ("clerk@example.com", "watt-clerk")
PEOPLE = 8


def postgresql_url() -> str:
    url = os.environ.get("CMS_TEST_POSTGRESQL_URL") or os.environ.get("CMS_TEST_DATABASE_URL") or ""
    assert url.startswith("postgresql"), "set CMS_TEST_POSTGRESQL_URL (make test does, from tests/services.sh)"
    return url


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = make_url(postgresql_url())
    name = f"cms_race_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    folder = tmp_path_factory.mktemp("races")
    env = {**os.environ, "CMS_INSTANCE_PATH": str(folder),
           "CMS_DATABASE_URL": base.set(database=name).render_as_string(hide_password=False)}
    try:
        for args in (["db", "upgrade"], ["demo-data", "--service-points", "30", "--seed", "5",
                                         "--bill-months", "0", "--requests", "10",
                                         "--as-of", today().replace(day=1).isoformat()]):
            subprocess.run([CMS, *args], env=env, cwd=ROOT, check=True, capture_output=True)
        add_complaint_awaiting_response(env)
        yield env
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def one_row(env, sql: str, **params):
    engine = sa.create_engine(env["CMS_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql), params).one()
    finally:
        engine.dispose()


@pytest.mark.integration
@pytest.mark.no_db
def test_clerks_completing_one_task_at_once_on_postgresql(env):
    task_id, version = one_row(env, "SELECT id, lock_version FROM human_tasks WHERE state = 'open' "
                                    "AND bpmn_id = 'ut_respond' AND claimed_by_id IS NULL ORDER BY id LIMIT 1")
    with live_server(env) as url:
        clerks = [Visitor(url) for _ in range(PEOPLE)]
        assert [clerk.log_in(*CLERK) for clerk in clerks] == [302] * PEOPLE
        tokens = [clerk.token(f"/worklist/?task={task_id}") for clerk in clerks]
        answers = all_at_once([
            lambda c=c, t=t: c.send(f"/worklist/{task_id}/complete",
                                    {"response": "Done.", "lock_version": version, "csrf_token": t})
            for c, t in zip(clerks, tokens, strict=True)])
    assert sorted(status for status, _ in answers) == [302] + [422] * (PEOPLE - 1)
    assert all("is already completed by clerk@example.com" in body for status, body in answers if status == 422)
    assert one_row(env, "SELECT t.state, u.email FROM human_tasks t JOIN users u ON u.id = t.completed_by_id "
                        "WHERE t.id = :id", id=task_id) == ("completed", CLERK[0])
