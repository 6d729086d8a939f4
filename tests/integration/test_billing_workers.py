"""Billing runs on real Celery workers over the embedded SQLite broker: a worker killed mid-run (SIGKILL)
and restarted bills every contract exactly once; two runs of one month at once bill each contract once."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.clock import today
from models.types import add_months

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.integration, pytest.mark.no_db]
PERIOD = f"{add_months(today().replace(day=1), -1):%Y-%m}"     # the demo closed last month's cycles


@pytest.fixture
def utility(tmp_path):
    database = tmp_path / "billing.sqlite3"
    env = {**os.environ, "CMS_INSTANCE_PATH": str(tmp_path), "CMS_DATABASE_URL": f"sqlite:///{database}",
           "CMS_RESULT_BACKEND": f"db+sqlite:///{tmp_path / 'results.sqlite3'}",
           "CMS_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"}
    for args in (["db", "upgrade"], ["processes", "deploy-shipped"],
                 ["demo-data", "--service-points", "1200", "--seed", "3", "--bill-months", "0", "--requests", "0"]):
        subprocess.run([BIN / "cms", *args], env=env, cwd=ROOT, check=True, capture_output=True)
    return env, database


def cms(env, *args) -> str:
    return subprocess.run([BIN / "cms", *args], env=env, cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen([BIN / "celery", "-A", "portal.worker", "worker", "--pool=solo", "--loglevel=warning",
                             "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    print(worker.communicate(timeout=60)[0])


def query(database, sql: str):
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def wait_until(condition, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def assert_billed_once(database) -> None:
    contracts, bills, distinct = query(database, "SELECT (SELECT count(DISTINCT contract_id) FROM billing_chunks, "
                                                 "json_each(billing_chunks.contract_ids) JOIN contracts ON "
                                                 "contracts.id = json_each.value), count(*), "
                                                 "count(DISTINCT contract_id) FROM bills")[0]
    assert contracts > 1000 and bills == distinct == contracts
    issued, last = query(database, "SELECT count(*), max(number) FROM bills WHERE status = 'issued'")[0]
    assert last.endswith(f"{issued:07d}")        # gapless: the last number is the count


def test_a_worker_killed_mid_run_loses_nothing_and_bills_nothing_twice(utility):
    env, database = utility
    worker = start_worker(env)
    try:
        run_id = cms(env, "billing", "run", "--period", PERIOD, "--chunk-size", "4").split()[2]
        wait_until(lambda: query(database, "SELECT count(*) FROM billing_chunks WHERE status = 'done'")[0][0] >= 20)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        done, total = query(database, f"SELECT done, total FROM billing_runs WHERE id = {run_id}")[0]
        assert 0 < done < total, "the worker was not killed mid-run"
        worker = start_worker(env)
        cms(env, "billing", "resume", run_id)    # the message the killed worker had taken is gone: queue it again
        wait_until(lambda: query(database, f"SELECT status FROM billing_runs WHERE id = {run_id}")[0][0] == "done")
    finally:
        stop(worker)
    assert_billed_once(database)
    assert query(database, "SELECT max(attempts) FROM billing_chunks")[0][0] >= 1


def test_two_runs_of_one_month_at_once_bill_each_contract_once(utility):
    env, database = utility
    first = cms(env, "billing", "run", "--period", PERIOD, "--chunk-size", "25").split()[2]
    second = cms(env, "billing", "run", "--period", PERIOD, "--chunk-size", "25").split()[2]
    workers = [start_worker(env), start_worker(env)]
    try:
        wait_until(lambda: {s for (s,) in query(database, "SELECT status FROM billing_runs")} == {"done"})
        # each chunk's issued bills queued their documents as it committed: the workers render them all
        wait_until(lambda: query(database, "SELECT (SELECT count(*) FROM bills WHERE status = 'issued') - "
                                           "(SELECT count(*) FROM bill_documents)")[0][0] == 0)
    finally:
        for worker in workers:
            stop(worker)
    assert_billed_once(database)
    billed = dict(query(database, "SELECT run_id, count(*) FROM bills GROUP BY run_id"))
    total = query(database, f"SELECT total FROM billing_runs WHERE id = {first}")[0][0]
    assert sum(billed.values()) == total and set(billed) <= {int(first), int(second)}
