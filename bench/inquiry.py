"""The inquiry at demo scale: every search path and the service point view (first paint and each section),
median and p95 through Flask's test client (routing, auth, queries, templates; no network).

Usage: python bench/inquiry.py [--service-points 100000] [--months 24] [--runs 30] [--database-url URL] [--reuse]
Loads `cms demo-data --service-points N --months M --bill-months 0` into bench/out/inquiry-N[-Mm] (or the given
database) unless --reuse, then times GET /inquiry/?q=... per path and GET /inquiry/<spn>[/sections/<key>].
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.instance import cms, prepare  # noqa: E402


def timed(client, url: str, runs: int) -> tuple[float, float, int]:
    status = client.get(url).status_code
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service-points", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24, help="months of reading history (the issue: two years)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true", help="keep the database loaded by an earlier run")
    args = parser.parse_args()
    folder = (f"inquiry-{args.service_points}" + (f"-{args.months}m" if args.months != 24 else "")
              + ("-postgresql" if args.database_url else ""))
    prepare(folder, args.database_url, fresh=not args.reuse)
    if not args.reuse:
        started = time.perf_counter()
        cms("demo-data", "--service-points", str(args.service_points), "--bill-months", "0",
            "--months", str(args.months))
        print(f"loaded {args.service_points:,} service points with {args.months} months of readings in "
              f"{time.perf_counter() - started:.0f} s")
    from sqlalchemy import text

    from models.base import db
    from portal import create_app
    app = create_app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as c:
                c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        one = lambda sql: db.session.execute(text(sql)).first()  # noqa: E731
        sp_id = args.service_points * 2 // 3
        row = one(f"SELECT sp.spn, c.customer_no, cu.name, cu.phone, p.address, cu.id FROM service_points sp "
                  f"JOIN contracts c ON c.service_point_id = sp.id JOIN accounts a ON a.id = c.account_id "
                  f"JOIN customers cu ON cu.id = a.customer_id JOIN properties p ON p.id = sp.property_id "
                  f"WHERE sp.id = {sp_id}")
        spn, customer_no, name, phone, address, customer_id = row
        meter = one(f"SELECT m.number FROM installations i JOIN meters m ON m.id = i.meter_id "
                    f"WHERE i.service_point_id = {sp_id} AND i.removed_on IS NULL")
        ident = one(f"SELECT number FROM identity_documents WHERE customer_id = {customer_id}")
        bank = one("SELECT number FROM bank_accounts ORDER BY id LIMIT 1 OFFSET 1000")
        dialect = db.engine.dialect.name
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text).group(1)
    signed_in = client.post("/login", data={"email": "clerk@example.com", "password": "watt-clerk",
                                            "csrf_token": token})
    if signed_in.status_code != 302 or "/login" in signed_in.headers.get("Location", "/login"):
        # Another instance folder (its own password salt) than the one that loaded the database: every page
        # would answer with a redirect to the login, timed as if it were the page.
        sys.exit(f"the demo clerk cannot sign in (HTTP {signed_in.status_code}): load the database with the instance "
                 f"folder bench/out/{folder}, or copy the loading one's password_salt and secret_key into it")
    cases = [("SPN", spn), ("SPN/serial", f"{spn}/1"), ("ID Pelanggan", customer_no),
             ("meter number", meter[0] if meter else "none"), ("ID number", ident[0] if ident else "none"),
             ("bank account", bank[0] if bank else "none"), ("phone", phone), ("name (2 words)", name),
             ("name (1 word prefix)", name.split()[0][:4]), ("address", " ".join(address.split()[:3]))]
    print(f"inquiry, {args.service_points:,} service points, {dialect}, {args.runs} runs each (list=1: no redirect)")
    for label, term in cases:
        median, p95, status = timed(client, f"/inquiry/?list=1&q={term}", args.runs)
        print(f"  search {label:<22} {term[:34]:<36} {status} median {median:6.1f} ms  p95 {p95:6.1f} ms")
    from models.inquiry.overview import SECTIONS
    for label, url in [("view (first paint)", f"/inquiry/{spn}"), ("timeline", f"/inquiry/{spn}/timeline")] + [
            (f"section {k}", f"/inquiry/{spn}/sections/{k}") for k in SECTIONS]:
        median, p95, status = timed(client, url, args.runs)
        print(f"  {label:<30} {status} median {median:6.1f} ms  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:
        print(exc.stdout, exc.stderr)
        raise
