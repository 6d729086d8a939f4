"""Many people at once on the embedded SQLite database: a real `cms run` server and real `cms` commands.

A transaction that read and then wrote once failed as soon as another connection had committed (WAL's
SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out): simultaneous logins and completions answered 500.
The edges' answers to a busy database (503, never a 500 page that fails itself) run in the ordinary suite.
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from models.clock import today
from portal.cli import cli
from tests.conftest import csrf_token
from tests.integration.visitors import Visitor, all_at_once
from tests.live import add_complaint_awaiting_response, live_server

ROOT = Path(__file__).resolve().parents[2]
CMS = Path(sys.executable).parent / "cms"
CLERK = ("clerk@example.com", "watt-clerk")
PEOPLE = 20


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("concurrency")
    env = {**os.environ, "CMS_INSTANCE_PATH": str(folder), "CMS_DATABASE_URL": f"sqlite:///{folder / 'cms.sqlite3'}"}
    for args in (["db", "upgrade"], ["demo-data", "--service-points", "40", "--seed", "4",
                                     "--bill-months", "0", "--requests", "12",
                                     "--as-of", today().replace(day=1).isoformat()]):
        subprocess.run([CMS, *args], env=env, cwd=ROOT, check=True, capture_output=True)
    add_complaint_awaiting_response(env)
    return env


@pytest.fixture(scope="module")
def server(env):
    with live_server(env) as url:
        yield url


def database(env) -> sqlite3.Connection:
    return sqlite3.connect(env["CMS_DATABASE_URL"].removeprefix("sqlite:///"))


@pytest.fixture(scope="module")
def logins(server):
    """The same clerk signing in from PEOPLE browsers at once: their answers, and the browsers."""
    visitors = [Visitor(server) for _ in range(PEOPLE)]
    tokens = [v.token("/login") for v in visitors]
    statuses = all_at_once([
        lambda v=v, t=t: v.send("/login", {"email": CLERK[0], "password": CLERK[1], "csrf_token": t})[0]
        for v, t in zip(visitors, tokens, strict=True)])
    return statuses, visitors


@pytest.mark.integration
@pytest.mark.no_db
def test_simultaneous_logins_all_succeed(logins):
    assert logins[0] == [302] * PEOPLE


@pytest.mark.integration
@pytest.mark.no_db
def test_simultaneous_completions_of_one_task_record_one(logins, server, env):
    with database(env) as db:
        task_id, version = db.execute(
            "SELECT id, lock_version FROM human_tasks WHERE state = 'open' AND bpmn_id = 'ut_respond' "
            "AND claimed_by_id IS NULL ORDER BY id LIMIT 1").fetchone()
    visitors = logins[1]
    tokens = [v.token(f"/worklist/?task={task_id}") for v in visitors]
    answers = all_at_once([
        lambda v=v, t=t: v.send(f"/worklist/{task_id}/complete", {"response": "Done.", "lock_version": version,
                                                                   "csrf_token": t})
        for v, t in zip(visitors, tokens, strict=True)])
    assert sorted(status for status, _ in answers) == [302] + [422] * (PEOPLE - 1)
    refused = [body for status, body in answers if status == 422]
    assert all("is already completed by clerk@example.com" in body for body in refused)
    with database(env) as db:
        assert db.execute("SELECT t.state, u.email FROM human_tasks t JOIN users u ON u.id = t.completed_by_id "
                          "WHERE t.id = ?", (task_id,)).fetchone() == ("completed", CLERK[0])


@pytest.mark.integration
@pytest.mark.no_db
def test_the_same_reading_file_imported_twice_at_once(env, tmp_path):
    with database(env) as db:
        rows = db.execute(
            "SELECT m.number, r.code, MAX(x.value) FROM registers r JOIN meters m ON m.id = r.meter_id "
            "JOIN installations i ON i.meter_id = m.id AND i.removed_on IS NULL "
            "JOIN readings x ON x.register_id = r.id "
            "GROUP BY r.id HAVING MAX(x.read_on) < ? ORDER BY r.id LIMIT 30", (today().isoformat(),)).fetchall()
    assert len(rows) == 30
    file = tmp_path / "readings.csv"
    file.write_text("meter,register,date,value,type,note\n" + "".join(
        f"{meter},{register},{today().isoformat()},{int(value) + 7},actual,\n" for meter, register, value in rows))
    runs = all_at_once([lambda: subprocess.run([CMS, "import", "readings", str(file)], env=env, cwd=ROOT,
                                               capture_output=True, text=True)] * 2)
    assert [run.returncode for run in runs] == [0, 0], [run.stderr[-1500:] for run in runs]
    assert not any("Traceback" in run.stderr for run in runs)
    imported = sorted(re.search(r"imported (\d+) reading", run.stdout).group(1) for run in runs)
    assert imported == ["0", "30"], [run.stdout for run in runs]


def busy_error() -> sa.exc.OperationalError:
    """A real SQLITE_BUSY: a second connection wanting the write lock another one holds."""
    with tempfile.TemporaryDirectory() as folder:
        holder = sqlite3.connect(f"{folder}/busy.sqlite3", isolation_level=None)
        waiter = sqlite3.connect(f"{folder}/busy.sqlite3", isolation_level=None, timeout=0)
        holder.execute("BEGIN IMMEDIATE")
        try:
            waiter.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return sa.exc.OperationalError("BEGIN IMMEDIATE", (), exc)
        finally:
            holder.close()
            waiter.close()
    raise AssertionError("the database was not busy")


@pytest.fixture
def busy(db):
    """From its call on, flushes fail (as on a busy database, unless told otherwise), leaving the session
    to be rolled back."""
    session, errors = db.session(), []

    def fail(*_):
        raise errors[0]

    def start(error: Exception | None = None):
        errors.append(error or busy_error())
        sa.event.listen(session, "after_flush", fail)
    yield start
    if sa.event.contains(session, "after_flush", fail):
        sa.event.remove(session, "after_flush", fail)


def test_a_busy_database_answers_503_and_the_page_still_renders(client, login, busy):
    user = login("clerk")
    busy()
    page = client.post("/worklist/filters", data={"name": "mine", "csrf_token": csrf_token(client, "/worklist/")})
    assert page.status_code == 503 and page.headers["Retry-After"] == "2"
    assert "The database is busy with other work; try again in a moment." in page.text
    assert "Nothing was saved" in page.text and user.email in page.text


def test_a_busy_database_answers_json_to_json_requests(client, login, busy):
    login("clerk")
    busy()
    answer = client.post("/worklist/filters", data={"name": "mine", "csrf_token": csrf_token(client, "/worklist/")},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 503
    assert answer.json == {"code": 503, "status": "Service Unavailable",
                           "message": "The database is busy with other work; try again in a moment."}


def test_a_busy_database_ends_a_command_with_one_line(app, busy):
    busy()
    result = app.test_cli_runner().invoke(cli, ["users", "create", "rina@example.com", "--role", "clerk",
                                                "--password", "s3cret-pass"])
    assert result.exit_code == 1
    assert result.output == "Error: The database is busy with other work; try again in a moment.\n"


def test_a_concurrent_change_answers_409(client, login, busy):
    login("clerk")
    busy(StaleDataError("UPDATE statement on table 'saved_filters' expected to update 1 row(s); 0 were matched."))
    page = client.post("/worklist/filters", data={"name": "mine", "csrf_token": csrf_token(client, "/worklist/")})
    assert page.status_code == 409 and "Someone else saved a change to this record a moment ago" in page.text


def test_any_other_database_failure_still_renders_the_500_page(app, client, login, busy, monkeypatch):
    user = login("clerk")
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    busy(sa.exc.OperationalError("INSERT", (), sqlite3.OperationalError("disk I/O error")))
    page = client.post("/worklist/filters", data={"name": "mine", "csrf_token": csrf_token(client, "/worklist/")})
    assert page.status_code == 500 and user.email in page.text
