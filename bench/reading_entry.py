"""Saving one reading on the entry screen (target: under 50 ms), through the real HTTP path.

Usage: python bench/reading_entry.py [--service-points 20000] [--runs 300] [--database-url URL]
Builds a demo utility (two years of readings per register), opens a fresh reading cycle on the
busiest route and saves readings along it as the entry screen does: POST /readings/orders/<id> with
JSON, the CSRF header and a logged-in clerk; each request judges the reading against the register's
history, writes it and its anomalies, answers the order and commits.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from models.clock import today as clock_today  # noqa: E402

from instance import cms, prepare  # noqa: E402  bench/instance.py


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service-points", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    prepare("reading-entry", args.database_url)
    # The demo stands a month back so this month's cycle is still to be walked.
    cms("demo-data", "--service-points", str(args.service_points), "--bill-months", "0", "--requests", "0",
        "--as-of", (clock_today() - timedelta(days=35)).isoformat())
    import sqlalchemy as sa

    from models.base import db
    from models.premises.entities import ReadingRoute, ServicePoint
    from models.readings.cycles import open_cycle
    from models.readings.entities import Reading
    from portal import create_app

    app = create_app()
    with app.app_context():
        route = db.session.scalar(sa.select(ReadingRoute).join(ServicePoint, ServicePoint.route_id == ReadingRoute.id)
                                  .group_by(ReadingRoute.id).order_by(sa.func.count().desc()).limit(1))
        cycle = open_cycle(db.session, route, clock_today().replace(day=1), clock_today())
        db.session.commit()
        orders = [(o.id, o.previous_value, o.expected_low, o.expected_high) for o in cycle.orders
                  if o.previous_value is not None][:args.runs]
        readings_before = db.session.scalar(sa.select(sa.func.count()).select_from(Reading))
        print(f"{readings_before:,} readings stored; route {route.code} with {len(cycle.orders)} orders; "
              f"{db.engine.dialect.name}")
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": "clerk@example.com", "password": "watt-clerk", "csrf_token": token})
    page = client.get(f"/readings/cycles/{cycle.id}/entry").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    timings = []
    for order_id, previous, low, high in orders:
        value = (low + high) / 2 if low is not None else previous + Decimal(150)
        started = time.perf_counter()
        response = client.post(f"/readings/orders/{order_id}", json={"value": str(int(value))},
                               headers={"X-CSRFToken": token, "Accept": "application/json"})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    timings.sort()
    print(f"  save one reading: median {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms over {len(timings)} saves (target 50 ms)")


if __name__ == "__main__":
    main()
