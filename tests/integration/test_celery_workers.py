"""A task travels through a real broker to a real worker process that reaches the database."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from models.clock import today
from tests.workflows.bpmn_samples import timer_process

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.integration, pytest.mark.no_db]


@pytest.fixture
def worker_env(tmp_path):
    env = {**os.environ, "CMS_INSTANCE_PATH": str(tmp_path),
           "CMS_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
           "CMS_RESULT_BACKEND": f"db+sqlite:///{tmp_path / 'results.sqlite3'}"}
    subprocess.run([BIN / "cms", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([BIN / "cms", "demo-data", "--service-points", "3", "--seed", "2", "--requests", "0",
                    "--bill-months", "0"], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    return env


def start_worker(env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [BIN / "celery", "-A", "portal.worker", "worker", "--pool=solo", "--loglevel=warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat", *extra],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    output, _ = worker.communicate(timeout=30)
    print(output)


def run_health_check(env: dict, broker: str) -> dict:
    env = {**env, "CMS_BROKER_URL": broker}
    worker = start_worker(env)
    client = Celery(broker=broker, backend=env["CMS_RESULT_BACKEND"])
    if broker.startswith("sqla+sqlite"):
        client.conf.broker_transport_options = {"connect_args": {"timeout": 30}}
    try:
        return client.send_task("system.health_check").get(timeout=90)
    finally:
        stop(worker)


def test_task_through_worker_on_the_embedded_sqlite_broker(worker_env, tmp_path):
    result = run_health_check(worker_env, f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}")
    assert result == {"database": "sqlite", "customers": 3, "service_points": 3}


def test_task_through_worker_on_redis(worker_env):
    url = os.environ.get("CMS_TEST_REDIS_URL")
    if not url:
        pytest.fail("CMS_TEST_REDIS_URL is not set: run the suite with `make test`, which starts Redis")
    result = run_health_check(worker_env, url)
    assert result == {"database": "sqlite", "customers": 3, "service_points": 3}


def test_bpmn_timer_fires_through_worker_and_beat_on_sqlite_broker(worker_env, tmp_path):
    """A process waits on a one-second timer; the worker's beat wakes it without anyone asking."""
    sample = tmp_path / "timed.bpmn"
    sample.write_bytes(timer_process("PT1S"))
    cms = [BIN / "cms"]
    subprocess.run([*cms, "processes", "deploy", sample], env=worker_env, cwd=ROOT, check=True, capture_output=True)
    started = subprocess.run([*cms, "processes", "start", "timed"], env=worker_env, cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    assert "running" in started
    env = {**worker_env, "CMS_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
           "CMS_TIMER_WAKE_SECONDS": "1"}
    worker = start_worker(env, "--beat", "--schedule", str(tmp_path / "beat-schedule"))
    try:
        status = ""
        for _ in range(60):
            status = subprocess.run([*cms, "processes", "list"], env=worker_env, cwd=ROOT, check=True,
                                    capture_output=True, text=True).stdout
            if "completed 1" in status:
                break
            time.sleep(1)
    finally:
        stop(worker)
    assert "timed\tv1" in status and "completed 1" in status, status


QUEUE_UPLOAD = """
import sys
import sqlalchemy as sa
from portal import create_app
from models.base import db
from models.clock import today
from models.meters.entities import Meter, Register
from workflows.reading_imports import queue_reading_import
app = create_app()
with app.app_context():
    numbers = db.session.scalars(sa.select(Meter.number).join(Register).where(Register.code == "1.8.0")
                                 .where(Meter.status == "installed")).all()
    rows = [f"{n},1.8.0,{today()},{900000 + i},actual," for i, n in enumerate(numbers)]
    text = "meter,register,date,value,type,note\\n" + "\\n".join(rows)
    job = queue_reading_import(db.session, "walk.csv", text.encode())
    db.session.commit()
    print(job.id, len(rows))
"""


def test_uploaded_reading_file_is_imported_by_a_worker_with_its_progress(tmp_path):
    import sqlite3
    from datetime import timedelta
    database = tmp_path / "upload.sqlite3"
    env = {**os.environ, "CMS_INSTANCE_PATH": str(tmp_path), "CMS_DATABASE_URL": f"sqlite:///{database}",
           "CMS_RESULT_BACKEND": f"db+sqlite:///{tmp_path / 'results.sqlite3'}",
           "CMS_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"}
    subprocess.run([BIN / "cms", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([BIN / "cms", "demo-data", "--service-points", "6", "--seed", "2", "--requests", "0",
                    "--bill-months", "0", "--as-of",
                    str(today() - timedelta(days=60))], env=env, cwd=ROOT, check=True, capture_output=True)
    job_id, rows = subprocess.run([sys.executable, "-c", QUEUE_UPLOAD], env=env, cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout.split()
    worker = start_worker(env)
    client = Celery(broker=env["CMS_BROKER_URL"], backend=env["CMS_RESULT_BACKEND"])
    client.conf.broker_transport_options = {"connect_args": {"timeout": 30}}
    try:
        assert client.send_task("readings.import", args=[int(job_id)]).get(timeout=90) == "done"
    finally:
        stop(worker)
    with sqlite3.connect(database) as connection:
        status, total, summary = connection.execute(
            "SELECT status, total, summary FROM reading_imports WHERE id = ?", (job_id,)).fetchone()
        readings = connection.execute("SELECT count(*) FROM readings WHERE source = 'walk.csv'").fetchone()[0]
    assert (status, readings, int(rows) > 0, total) == ("done", int(rows), True, int(rows))
    assert '"orders_answered": ' in summary
