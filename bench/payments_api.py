"""Payments posted through POST /api/v1/payments on PostgreSQL with gunicorn (target: 300 payments/s, p99 < 100 ms).

Usage: python bench/payments_api.py [--database-url URL] [--bills 30000] [--history 12] [--users 40] [--rate 9]
                                   [--seconds 30] [--workers 3] [--threads 2] [--worker-class gthread]
                                   [--worker-connections N] [--token-cache-seconds S] [--warm-up 400] [--probe 200]
                                   [--profile N]

A fresh schema (default: the database cms_bench_pay) gets `--bills` customers, each with an account, a contract,
`--history` months of invoices they paid (a payment and its allocation each) and one issued, unpaid invoice (plain
inserts, no audit). A clerk's API token is created; gunicorn serves `wsgi:app` on loopback; `--warm-up` posts (not
counted) warm its workers; then locust (headless, bench/locustfile_payments.py) runs `--users` users for
`--seconds`, each posting at most `--rate` payments per second (an offered load of users x rate), every post a new
Idempotency-Key and reference paying a distinct open bill in full. Printed: payments/s, p50/p95/p99, failures.
Then the database is checked: every accepted post (a 201 and its payment id) is exactly one posted payment with
that reference, and nothing else was posted.

`--profile N` skips the load run: N posts through the Flask test client in this one process under cProfile.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import ROOT, prepare  # noqa: E402  bench/instance.py

DEFAULT_URL = "postgresql+psycopg://cms:cms@127.0.0.1:5432/cms_bench_pay"
BATCH = 10_000
BIN = Path(sys.executable).parent


def load_open_bills(db, count: int, as_of: date, per_customer: int = 1, paid_before: int = 0) -> list[str]:
    """`count` customers, each with one account and contract and `per_customer` issued, unpaid monthly invoices
    (Rp 103,000, the oldest due first, numbered INV-9000-0000001 on, as a statement's remittance names them);
    before those, `paid_before` months of invoices paid in full (a payment and its allocation each), so that the
    tables a post reads and writes hold a history, as in a running utility. Plain inserts (no ORM, no audit).
    Returns the numbers of the open bills."""
    import sqlalchemy as sa

    from models.billing.entities import Bill
    from models.clock import now_utc
    from models.collection.entities import Payment, PaymentAllocation
    from models.contracts.entities import Contract, ContractVersion
    from models.customers.entities import Account, Customer
    from models.premises.entities import Property, ServicePoint
    from models.tariffs.entities import Tariff
    from models.types import add_months

    tariff_id = db.session.scalar(sa.select(Tariff.id).limit(1))
    first = as_of.replace(day=1)
    periods = [add_months(first, -n) for n in range(per_customer, 0, -1)]
    paid_periods = [add_months(periods[0], -n) for n in range(paid_before, 0, -1)]
    numbers: list[str] = []
    bill_id, payment_id, at = 0, 0, now_utc()
    for start in range(1, count + 1, BATCH):
        conn = db.session.connection()
        ids = range(start, min(start + BATCH, count + 1))
        conn.execute(sa.insert(Customer), [{"id": i, "name": f"Customer {i}"} for i in ids])
        conn.execute(sa.insert(Account), [{"id": i, "customer_id": i, "account_no": f"A{i:09d}", "payer_name": "x",
                                           "billing_address": "Jl. x"} for i in ids])
        conn.execute(sa.insert(Property), [{"id": i, "address": f"Jl. {i}", "city": "Bandung"} for i in ids])
        conn.execute(sa.insert(ServicePoint), [{"id": i, "spn": f"P{i:09d}", "property_id": i,
                                                "created_on": date(2020, 1, 1)} for i in ids])
        conn.execute(sa.insert(Contract), [{"id": i, "service_point_id": i, "serial": 1, "customer_no": f"{i:012d}",
                                            "account_id": i, "registered_on": date(2020, 1, 1)} for i in ids])
        conn.execute(sa.insert(ContractVersion), [{"contract_id": i, "version_no": 1, "valid_from": date(2020, 1, 1),
                                                   "tariff_id": tariff_id, "contracted_power_va": 1300} for i in ids])
        rows, payments, allocations = [], [], []
        for i in ids:
            for n, period in enumerate(paid_periods + periods):
                bill_id += 1
                number = f"INV-{9000 + n - len(paid_periods)}-{i:07d}"
                due_on = min(period + timedelta(days=20), as_of)
                rows.append({"id": bill_id, "number": number, "contract_id": i, "service_point_id": i,
                             "account_id": i, "period": period, "period_start": period,
                             "period_end": add_months(period, 1), "tariff_code": "R-1/TR 1300",
                             "tariff_class": "R-1", "power_va": 1300, "subtotal": 100000, "taxes": 3000,
                             "total": 103000, "issued_on": period, "due_on": due_on, "kind": "invoice",
                             "status": "issued"})
                if n >= len(paid_periods):
                    numbers.append(number)
                    continue
                payment_id += 1
                paid_on = due_on - timedelta(days=3)
                payments.append({"id": payment_id, "channel": "partner", "method": "transfer",
                                 "reference": f"HIST-{number}", "customer_id": i, "amount": 103000,
                                 "paid_on": paid_on, "status": "posted", "by": "bench", "received_at": at})
                allocations.append({"payment_id": payment_id, "bill_id": bill_id, "amount": 103000,
                                    "allocated_on": paid_on, "allocated_at": at})
        conn.execute(sa.insert(Bill), rows)
        if payments:
            conn.execute(sa.insert(Payment), payments)
            conn.execute(sa.insert(PaymentAllocation), allocations)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("bills", "payments", "payment_allocations"):     # explicit ids: the sequences follow
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
        db.session.commit()
        # A running utility's tables are vacuumed and analyzed: without this, autovacuum visits the fresh rows
        # (and their first readers set their hint bits) during the measured load.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return numbers


def setup(database_url: str | None, bills: int, history: int = 0) -> tuple[object, list[str], str]:
    """A fresh instance with the catalogue, the open bills and a clerk's API token."""
    prepare("payments-api-postgresql" if database_url else "payments-api", database_url)
    os.environ["CMS_API_RATE_LIMIT"] = "1000000/minute"      # one partner's token makes every call
    from models.audit.recorder import Actor
    from models.base import db
    from models.clock import today
    from models.tariffs.catalogue import load_pln_catalogue
    from models.transactions import transaction
    from models.users.operations import create_user
    from models.users.tokens import create_api_token
    from portal import create_app

    app = create_app()
    with app.app_context():
        with transaction(Actor(None, "bench")):
            load_pln_catalogue(db.session)
        started = time.perf_counter()
        numbers = load_open_bills(db, bills, today(), paid_before=history)
        print(f"{db.engine.dialect.name}: {bills:,} customers with an open bill and {history} paid before loaded "
              f"in {time.perf_counter() - started:.0f} s")
        with transaction(Actor(None, "bench")):
            user = create_user(db.session, "partner@example.com", "clerk", "bench-partner-password-1")
            _, secret = create_api_token(db.session, user, "bench payment partner", 30, 90)
    return app, numbers, secret


def payment_body(bill_number: str, reference: str, paid_on: str) -> dict:
    """A partner's post paying a loaded open bill in full (bench/locustfile_payments.py sends the same)."""
    return {"bill_number": bill_number, "amount": "103000.00", "channel": "partner", "reference": reference,
            "paid_on": paid_on}


def profile(app, numbers: list[str], secret: str, count: int) -> None:
    import cProfile
    import pstats

    from models.clock import today
    with app.app_context():
        paid_on = today().isoformat()
    client = app.test_client()
    headers = {"Authentication-Token": secret}

    def post(i: int) -> int:
        return client.post("/api/v1/payments", json=payment_body(numbers[i], f"PROF-{i}", paid_on),
                           headers={**headers, "Idempotency-Key": f"PROF-{i}"}).status_code
    for i in range(20):                     # warm up (imports, caches, the pool)
        status = post(i)
        assert status == 201, status
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(20 + count, 20 + 2 * count):
        post(i)
    print(f"{count} posts in one process: {(time.perf_counter() - started) / count * 1000:.2f} ms each, "
          f"{(time.process_time() - cpu) / count * 1000:.2f} ms of this process's CPU (the test client's included)")
    profiler = cProfile.Profile(time.thread_time)     # CPU: waits on PostgreSQL left out
    started = time.perf_counter()
    profiler.enable()
    for i in range(20, 20 + count):
        post(i)
    profiler.disable()
    spent = time.perf_counter() - started
    print(f"{count} posts in one process: {spent / count * 1000:.2f} ms each (under the profiler)")
    stats = pstats.Stats(profiler)
    dump = Path(tempfile.gettempdir()) / "payments_api.prof"
    stats.dump_stats(dump)
    print(f"profile written to {dump} (python -m pstats)")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return                           # it answers (401 without a token)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def post_headers(secret: str, reference: str) -> dict:
    return {"Content-Type": "application/json", "Authentication-Token": secret, "Idempotency-Key": reference}


def warm_up(host: str, secret: str, bills: list[str], paid_on: str, run_id: str, connections: int) -> None:
    """Pay `bills` (references WARM-..., outside the run's check) over `connections` at once before the measured
    run: each worker's first posts open its connections and prepare its statements (0.5 s answers for the
    first two seconds of a cold run, a p99 of their own), which a server in service did long ago."""
    from concurrent.futures import ThreadPoolExecutor

    def post(i: int) -> int:
        reference = f"WARM-{run_id}-{i}"
        body = json.dumps(payment_body(bills[i], reference, paid_on)).encode()
        request = urllib.request.Request(f"{host}/api/v1/payments", data=body, method="POST",
                                         headers=post_headers(secret, reference))
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        statuses = list(pool.map(post, range(len(bills))))
    if statuses.count(201) != len(bills):
        raise SystemExit(f"warm-up: {len(bills) - statuses.count(201)} of {len(bills)} posts were not accepted")
    if bills:
        print(f"warm-up: {len(bills)} posts over {connections} connections in {time.perf_counter() - started:.1f} s")


def probe(host: str, secret: str, bills: list[str], paid_on: str, run_id: str) -> None:
    """Pay `bills` one after another over one keep-alive connection (references PROBE-..., outside the run's
    check): what a post takes with nothing else to wait for."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(host)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    spent = []
    for i, number in enumerate(bills):
        reference = f"PROBE-{run_id}-{i}"
        body = json.dumps(payment_body(number, reference, paid_on))
        started = time.perf_counter()
        connection.request("POST", "/api/v1/payments", body=body, headers=post_headers(secret, reference))
        answer = connection.getresponse()
        answer.read()
        spent.append((time.perf_counter() - started) * 1000)
        if answer.status != 201:
            raise SystemExit(f"probe: post {i} answered {answer.status}")
    connection.close()
    if spent:
        spent.sort()
        print(f"probe: {len(spent)} posts one at a time: p50 {spent[len(spent) // 2]:.1f} ms, "
              f"p99 {spent[int(len(spent) * 0.99) - 1]:.1f} ms, max {spent[-1]:.1f} ms")


def run_load(args, app, numbers: list[str], secret: str) -> None:
    from models.clock import today
    with app.app_context():
        paid_on = today().isoformat()
    out = Path(tempfile.mkdtemp(prefix="bench-pay-"))
    warm, numbers = numbers[:args.warm_up], numbers[args.warm_up:]
    alone, numbers = numbers[:args.probe], numbers[args.probe:]
    (out / "bills.txt").write_text("\n".join(numbers))
    run_id = f"{int(time.time())}"
    env = {**os.environ, "CMS_API_RATE_LIMIT": "1000000/minute", "PYTHONPATH": str(ROOT),
           "CMS_API_TOKEN_CACHE_SECONDS": str(args.token_cache_seconds)}
    # A gthread worker accepts every connection it can while the others sleep: locust's keep-alive connections,
    # opened at once, went two thirds to one worker and its two threads, the machine 1.4 cores busy of 2. A
    # cap per worker spreads them (what a proxy's upstream pool does in production).
    connections = args.worker_connections or -(-args.users // args.workers) + 1
    server = subprocess.Popen([BIN / "gunicorn", "-k", args.worker_class, "-w", str(args.workers), "--threads",
                               str(args.threads), "--worker-connections", str(connections),
                               "-b", f"127.0.0.1:{args.port}", "--keep-alive", "30",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        host = f"http://127.0.0.1:{args.port}"
        wait_for(f"{host}/api/v1/payments")
        warm_up(host, secret, warm, paid_on, run_id, args.users)
        probe(host, secret, alone, paid_on, run_id)
        offered = args.users * args.rate
        print(f"gunicorn: {args.workers} {args.worker_class} workers x {args.threads} threads, at most {connections} "
              f"connections each; token cache {args.token_cache_seconds} s; locust: {args.users} users x "
              f"{args.rate}/s, {args.arrivals} (offered {offered}/s at most) for {args.seconds} s")
        locust_env = {**env, "BENCH_PAY_TOKEN": secret, "BENCH_PAY_BILLS": str(out / "bills.txt"),
                      "BENCH_PAY_RUN": run_id, "BENCH_PAY_RATE": str(args.rate), "BENCH_PAY_ARRIVALS": args.arrivals,
                      "BENCH_PAY_ACCEPTED": str(out / "accepted.json"), "BENCH_PAY_PAID_ON": paid_on}
        locust = subprocess.Popen([BIN / "locust", "-f", str(ROOT / "bench" / "locustfile_payments.py"),
                                   "--headless", "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
                                   "-H", host, "--csv", str(out / "run"), "--only-summary", "--loglevel", "WARNING",
                                   "--stop-timeout", "5"], env=locust_env, cwd=ROOT)
        # The steady state, past the start and before the end: what the machine spent on it, by process group.
        time.sleep(min(10, args.seconds / 4))
        first = cpu_snapshot(server.pid, locust.pid)
        time.sleep(max(args.seconds - 2 * min(10, args.seconds / 4), 1))
        last = cpu_snapshot(server.pid, locust.pid)
        locust.wait()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    report(out, run_id, (first, last))


def cpu_snapshot(server_pid: int, locust_pid: int) -> dict:
    """CPU seconds so far of gunicorn (master and workers), locust, and every PostgreSQL process, and of the whole
    machine (busy and all, from /proc/stat), at this moment (time.time(), as locust's history is stamped)."""
    import psutil

    def spent(processes) -> float:
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    def tree(pid: int) -> list:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0)
    return {"at": time.time(), "gunicorn": spent(tree(server_pid)), "locust": spent(tree(locust_pid)),
            "postgres": spent(p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"),
            "machine": busy, "all": sum(machine)}


def posts_between(history: Path, start: float, end: float) -> int:
    """Requests locust completed between two moments, from its per-second history (interpolated)."""
    points = []
    with open(history, newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                points.append((float(row["Timestamp"]), int(row["Total Request Count"])))

    def at(moment: float) -> float:
        before = max((p for p in points if p[0] <= moment), default=points[0])
        after = min((p for p in points if p[0] >= moment), default=points[-1])
        if after[0] == before[0]:
            return before[1]
        return before[1] + (after[1] - before[1]) * (moment - before[0]) / (after[0] - before[0])
    return round(at(end) - at(start))


def report(out: Path, run_id: str, cpu: tuple[dict, dict] | None = None) -> None:
    import sqlalchemy as sa

    from models.base import db
    from models.collection.entities import Payment
    from portal import create_app

    with open(out / "run_stats.csv", newline="") as f:
        total = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    accepted = json.loads((out / "accepted.json").read_text())
    count, failures = int(total["Request Count"]), int(total["Failure Count"])
    print(f"\n{count:,} posts, {failures} failed, {float(total['Requests/s']):.0f} posts/s; p50 {total['50%']} ms, "
          f"p95 {total['95%']} ms, p99 {total['99%']} ms, max {float(total['Max Response Time']):.0f} ms")
    if cpu is not None:
        first, last = cpu
        posts = posts_between(out / "run_stats_history.csv", first["at"], last["at"])
        if posts > 0:
            spent = {k: (last[k] - first[k]) / posts * 1000 for k in ("gunicorn", "postgres", "locust", "machine")}
            cores = (last["machine"] - first["machine"]) / (last["at"] - first["at"])
            print(f"steady state ({posts:,} posts in {last['at'] - first['at']:.0f} s, machine {cores:.2f} cores "
                  f"busy of {os.cpu_count()}): CPU per post {spent['machine']:.2f} ms in all; gunicorn "
                  f"{spent['gunicorn']:.2f} ms, PostgreSQL {spent['postgres']:.2f} ms, locust {spent['locust']:.2f} ms")
    app = create_app()
    with app.app_context():
        rows = db.session.execute(sa.select(Payment.id, Payment.reference, Payment.amount)
                                  .where(Payment.reference.like(f"BENCH-{run_id}-%"))).all()
    by_reference = {}
    for pid, reference, amount in rows:
        by_reference.setdefault(reference, []).append((pid, amount))
    wrong = [r for r, pid in accepted.items() if by_reference.get(r, [(None, None)])[0][0] != pid
             or len(by_reference[r]) != 1]
    extra = set(by_reference) - set(accepted)
    print(f"database: {len(rows):,} payments for {len(accepted):,} accepted posts; {len(wrong)} accepted posts "
          f"without exactly their one payment, {len(extra)} payments nobody was told of "
          f"({'OK' if not wrong and not extra and len(rows) == len(accepted) else 'FAILED'})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--bills", type=int, default=30_000)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--rate", type=float, default=9.0, help="posts per second per user at most")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", help="gunicorn's: gthread, or sync (one request at a "
                        "time, no keep-alive)")
    parser.add_argument("--worker-connections", type=int, default=0, help="connections one worker holds at most "
                        "(default: users / workers, rounded up, + 1)")
    parser.add_argument("--warm-up", type=int, default=400, help="posts before the measured run (not counted)")
    parser.add_argument("--arrivals", choices=("poisson", "paced"), default="poisson",
                        help="poisson: each user's posts at exponential intervals (independent clients); paced: "
                             "locust's constant_throughput, every user in step (a burst of --users posts a period)")
    parser.add_argument("--probe", type=int, default=200, help="posts one at a time after the warm-up (not counted)")
    parser.add_argument("--token-cache-seconds", type=float, default=0, help="CMS_API_TOKEN_CACHE_SECONDS")
    parser.add_argument("--port", type=int, default=5791)
    parser.add_argument("--history", type=int, default=12, help="months each customer paid before")
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()
    os.environ["CMS_API_TOKEN_CACHE_SECONDS"] = str(args.token_cache_seconds)      # the profile's app's too
    app, numbers, secret = setup(args.database_url or None, args.bills, args.history)
    if args.profile:
        profile(app, numbers, secret, args.profile)
        return
    run_load(args, app, numbers, secret)


if __name__ == "__main__":
    main()
