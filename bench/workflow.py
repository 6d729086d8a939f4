"""Workflow engine at scale: completing a human task (load state, run, save) and the worklist page,
with 10,000 open customer-request instances.

Usage: python bench/workflow.py [--instances 10000] [--runs 200]
The open instances are cloned from one real instance with Core inserts (each clone gets its own
request row, instance row and human task), then tasks are completed through the real runtime,
one commit each, as the worklist's POST would.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import cms, prepare  # noqa: E402  bench/instance.py

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    prepare("workflow")
    cms("demo-data", "--service-points", "500", "--bill-months", "0", "--requests", "0")
    import sqlalchemy as sa

    from models.base import db
    from models.process.entities import HumanTask, ProcessInstance
    from models.requests.entities import CustomerRequest, RequestType
    from models.users.entities import User
    from portal import create_app
    from workflows.customer_requests import open_customer_request
    from workflows.runtime import complete_task
    from workflows.shipped import deploy_shipped

    app = create_app()
    with app.app_context():
        deploy_shipped(db.session)
        spn = db.session.scalar(sa.select(sa.text("spn")).select_from(sa.text("service_points")).limit(1))
        template = open_customer_request(db.session, RequestType.NEW_CONNECTION, spn=spn)
        db.session.commit()
        instance = db.session.scalar(sa.select(ProcessInstance))
        task = instance.tasks[0]
        started = time.perf_counter()
        requests, instances, tasks = [], [], []
        for i in range(2, args.instances + 1):
            requests.append({c.name: getattr(template, c.key) for c in CustomerRequest.__table__.columns}
                            | {"id": i, "number": f"REQ-2026-{i:06d}"})
            instances.append({c.name: getattr(instance, c.key) for c in ProcessInstance.__table__.columns}
                             | {"id": i, "object_id": i})
            tasks.append({c.name: getattr(task, c.key) for c in HumanTask.__table__.columns}
                         | {"id": i, "instance_id": i, "object_id": i, "priority": random.randrange(10, 90),
                            "object_label": f"REQ-2026-{i:06d} new connection"})
        for table, rows in ((CustomerRequest, requests), (ProcessInstance, instances), (HumanTask, tasks)):
            for start in range(0, len(rows), 2000):
                db.session.execute(sa.insert(table.__table__), rows[start:start + 2000])
        db.session.commit()
        print(f"workflow engine, {args.instances:,} open customer-request instances (cloned in "
              f"{time.perf_counter() - started:.1f} s), SQLite")

        ids = random.Random(1).sample(range(1, args.instances + 1), args.runs)
        times = []
        for task_id in ids:
            begin = time.perf_counter()
            clerk = db.session.scalar(sa.select(User).where(User.email == "clerk@example.com"))
            complete_task(db.session, task_id, clerk, {"feasible": "true", "review_note": "bench"})
            db.session.commit()
            times.append((time.perf_counter() - begin) * 1000)
            db.session.expunge_all()
        times.sort()
        print(f"  complete a human task (load, validate, run to next wait incl. 3 service tasks, save, commit): "
              f"median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * .95) - 1]:.1f} ms "
              f"({len(times)} runs)")

    client = app.test_client()
    login = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    client.post("/login", data={"email": "clerk@example.com", "password": "watt-clerk", "csrf_token": token})
    for label, url in (("worklist, all I may see", "/worklist/?queue=all"),
                       ("worklist, unclaimed, sorted by priority", "/worklist/?queue=unclaimed&sort=-priority,due"),
                       ("worklist, search a request number", "/worklist/?queue=all&q=REQ-2026-00777"),
                       ("worklist with a task open beside it", "/worklist/?queue=all&task=4242")):
        assert client.get(url).status_code == 200
        times = []
        for _ in range(30):
            begin = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - begin) * 1000)
        times.sort()
        print(f"  {label:<42} median {statistics.median(times):6.1f} ms, p95 {times[28]:6.1f} ms")


if __name__ == "__main__":
    main()
