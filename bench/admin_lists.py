"""Admin list views with a search term at demo scale: median and p95 response times.

Usage: python bench/admin_lists.py [--service-points 100000] [--runs 30]
Builds (once) a demo database of the given size in bench/out/, then times GET requests through
Flask's test client (the full stack minus the network: routing, auth, query, template).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    ("service points", "/admin/admin_service_points/?search={spn}"),
    ("meters", "/admin/admin_meters/?search={meter}"),
    ("customers", "/admin/admin_customers/?search={name}"),
    ("service points, page 1 no search", "/admin/admin_service_points/"),
]


def ensure_database(folder: Path, service_points: int) -> None:
    marker = folder / f"loaded-{service_points}"
    if marker.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("cms.sqlite3*"):
        f.unlink()
    cms = Path(sys.executable).parent / "cms"
    env = {**os.environ, "CMS_INSTANCE_PATH": str(folder)}
    subprocess.run([cms, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([cms, "demo-data", "--service-points", str(service_points), "--seed", "1",
                    "--bill-months", "0"], env=env, check=True)
    marker.touch()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service-points", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    folder = ROOT / "bench" / "out" / f"admin-{args.service_points}"
    ensure_database(folder, args.service_points)
    os.environ["CMS_INSTANCE_PATH"] = str(folder)
    sys.path.insert(0, str(ROOT))
    from portal import create_app
    app = create_app()
    client = app.test_client()
    login = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    client.post("/login", data={"email": "admin@example.com", "password": "watt-admin", "csrf_token": token})
    with app.app_context():
        from sqlalchemy import text

        from models.base import db
        pick = "SELECT {col} FROM {table} WHERE id = {n} % (SELECT MAX(id) FROM {table}) + 1"
        terms = {
            "spn": db.session.scalar(text(pick.format(col="spn", table="service_points", n=54321))),
            "meter": db.session.scalar(text(pick.format(col="number", table="meters", n=12345))),
            "name": db.session.scalar(text("SELECT name FROM customers WHERE id = 777")).split()[0],
        }
    print(f"admin list views, {args.service_points:,} service points, SQLite, {args.runs} runs each")
    for label, template in CASES:
        url = template.format(**terms)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        rows = response.text.count('name="rowid"')
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"  {label:<34} {url:<58} rows={rows:<3} median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
