"""A real `cms run` server on a free port, for the tests that need one (browser, concurrency)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CMS = Path(sys.executable).parent / "cms"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(env: dict) -> Iterator[str]:
    """Serve the instance `env` points at; yields its URL once the login page answers."""
    port = free_port()
    process = subprocess.Popen([CMS, "run", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


COMPLAINT_AWAITING_RESPONSE = """
import sqlalchemy as sa
from models.audit.recorder import Actor
from models.base import db
from models.premises.entities import ServicePoint
from models.process.entities import HumanTask, TaskState
from models.requests.entities import RequestType
from models.transactions import transaction
from models.users.entities import User
from portal import create_app
from workflows.customer_requests import open_customer_request
from workflows.runtime import complete_task

with create_app().app_context(), transaction(Actor(None, "test set-up")):
    clerk = db.session.scalar(sa.select(User).where(User.email == "clerk@example.com"))
    spn = db.session.scalar(sa.select(ServicePoint.spn).order_by(ServicePoint.id).limit(1))
    request = open_customer_request(db.session, RequestType.COMPLAINT, spn=spn, description="billed twice")
    task = db.session.scalar(sa.select(HumanTask).where(HumanTask.object_id == request.id,
                                                        HumanTask.object_type == "customer_request",
                                                        HumanTask.state == TaskState.OPEN))
    complete_task(db.session, task.id, clerk, {"findings": "read twice"})
"""


def add_complaint_awaiting_response(env: dict) -> None:
    """A complaint investigated and waiting for its answer (an open, unclaimed "Respond to customer" task),
    whatever the demo's random walk left open."""
    subprocess.run([sys.executable, "-c", COMPLAINT_AWAITING_RESPONSE], env=env, cwd=ROOT, check=True,
                   capture_output=True)
