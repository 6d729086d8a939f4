"""A billing run over the demo utility: bills/s and the time per stage (target: 1,000,000 in 10 minutes).

Usage: python bench/billing_run.py [--service-points 20000] [--database-url URL] [--reuse] [--chunk-size 500]
                                   [--processes N | --celery N [--concurrency 2]] [--profile] [--months 2]
Builds the demo (`cms demo-data --months 2`: last month's readings and the ones before them, its reading
cycles closed), then bills
last month for every route, chunk by chunk as the workers do (workflows.billing.bill_chunk_now: the
attempt, then gather, price, check, write and commit, and the bill_exception process for held bills).
Stages: gather (the queries and their rows), price (pricing and the checks), write (bulk inserts, numbers,
counters), commit. --processes N bills with N processes side by side (chunks dealt out in turn), as N
workers would; --profile prints a cProfile of one process's chunks (sorted by own time).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import cms, prepare  # noqa: E402  bench/instance.py


def bill_chunks(chunk_ids: list[int], profile: bool = False, deferred_reads: bool = False) -> dict:
    """Bill the chunks in this process; the seconds per stage and the outcome counts."""
    import portal
    from models.base import db
    from models.transactions import transaction
    from portal import create_app
    from workflows import billing

    if deferred_reads:
        # What a reads-only declaration in models.base.tune_sqlite would give: the prepare phase begins
        # deferred (no write lock), so processes gather and price while another writes.
        import contextvars
        reading = contextvars.ContextVar("reading", default=False)
        web = portal.reads_only
        portal.reads_only = lambda: reading.get() or web()
        prepare = billing.prepare_chunk

        def prepare_reading(*args, **kw):
            token = reading.set(True)
            try:
                return prepare(*args, **kw)
            finally:
                reading.reset(token)
        billing.prepare_chunk = prepare_reading
    app = create_app()
    totals = Counter()
    holds, errors = Counter(), Counter()
    profiler = cProfile.Profile() if profile else None
    original = transaction

    def timed(actor=None):      # the commit's own time, outside the write stage
        class Edge:
            def __enter__(self):
                self.inner = original(actor)
                return self.inner.__enter__()

            def __exit__(self, *exc):
                started = time.perf_counter()
                result = self.inner.__exit__(*exc)
                totals["commit"] += time.perf_counter() - started
                return result
        return Edge()
    billing.transaction = timed
    with app.app_context():
        if profiler:
            profiler.enable()
        cpu, began = time.process_time(), time.time()
        for chunk_id in chunk_ids:
            outcome = billing.bill_chunk_now(chunk_id)
            if outcome is None:
                continue
            for stage, seconds in outcome.seconds.items():
                totals[stage] += seconds
            totals["bills"] += outcome.billed + outcome.held
            totals["held"] += outcome.held
            totals["skipped"] += outcome.skipped
            totals["errors"] += len(outcome.errors)
            errors.update(reason.split(" (")[0].split(":")[0] for reason in outcome.errors.values())
            if outcome.held_bill_ids:
                import sqlalchemy as sa

                from models.billing.entities import Bill
                for reasons in db.session.scalars(sa.select(Bill.hold_reasons)
                                                  .where(Bill.id.in_(outcome.held_bill_ids))):
                    holds.update(_kind(r) for r in reasons or [])
                db.session.rollback()
        totals["cpu"] += time.process_time() - cpu
        window = (began, time.time())
        if profiler:
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    return {"totals": dict(totals), "holds": dict(holds), "errors": dict(errors), "window": window}


HOLD_KINDS = ("outside the history band", "held back as an anomaly", "zero consumption", "negative consumption",
              "in a row", "limit of", "cannot be priced")


def _kind(reason: str) -> str:
    return next((kind for kind in HOLD_KINDS if kind in reason), reason[:40])


def _worker(args) -> dict:
    return bill_chunks(*args)


def celery_run(args, period, app) -> None:
    """Bill through real Celery workers, as `make run` does: `--celery N` worker processes of `--concurrency C`
    each on the configured broker (the embedded SQLite one unless CMS_BROKER_URL says otherwise). The rate
    is the run's own: contracts settled from its start (the dispatch) to its end, both stamped by the run."""
    import os
    import resource
    import signal
    import subprocess

    from models.audit.recorder import Actor
    from models.base import db
    from models.billing.runs import run_progress
    from workflows.billing import launch_billing_run

    celery = Path(sys.executable).parent / "celery"
    if not os.environ.get("CMS_BROKER_URL"):     # the embedded broker: no message of an earlier run left in it
        for leftover in Path(os.environ["CMS_INSTANCE_PATH"]).glob("broker.sqlite3*"):
            leftover.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = [subprocess.Popen([str(celery), "-A", "portal.worker", "worker", "--loglevel=warning",
                                 f"--concurrency={args.concurrency}", "-n", f"bench{n}@%h", "--without-gossip",
                                 "--without-mingle"], env=os.environ)
               for n in range(args.celery)]
    time.sleep(args.warm_up)        # the workers' start-up (importing the app) is not billing
    with app.app_context():
        run_id = launch_billing_run(period, None, args.chunk_size, actor=Actor(None, "bench"))
        shown = 0.0
        while True:
            time.sleep(2)
            progress = run_progress(db.session, run_id, error_limit=0)
            db.session.rollback()
            if progress["status"] in ("done", "failed"):
                break
            if time.time() - shown > 30:
                shown = time.time()
                print(f"  {progress['done']:,} of {progress['total']:,} at {progress['rate']:,} bills/s", flush=True)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=300)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        progress = run_progress(db.session, run_id, error_limit=0)
        engine = db.engine.dialect.name
        db.session.rollback()
    elapsed = (progress["finished_at"] - progress["started_at"]).total_seconds()
    bills = progress["billed"] + progress["held"]
    print(f"{engine} with {args.celery} worker(s) x concurrency {args.concurrency} on "
          f"{os.environ.get('CMS_BROKER_URL') or 'the embedded SQLite broker'}: run {run_id} {progress['status']}, "
          f"{progress['done']:,} contracts ({bills:,} bills: {progress['held']:,} held; {progress['errors']:,} errors) "
          f"in {elapsed:.1f} s = {progress['done'] / elapsed:,.0f} per second; 1,000,000 would take "
          f"{1_000_000 / (progress['done'] / elapsed) / 60:.1f} min")
    for stage, seconds in progress["stages"].items():
        print(f"  {stage:<10} {seconds:8.1f} s  {1e6 * seconds / max(bills, 1):6.0f} us/bill")
    print(f"  CPU of the workers (start-up and shutdown included) {cpu:.1f} s: "
          f"{bills / max(cpu, 1e-9):,.0f} bills per CPU second")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service-points", type=int, default=20_000)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true", help="keep the demo of the last run; delete its bills")
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--months", type=int, default=2, help="months of readings in the demo (2: what billing needs)")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--celery", type=int, default=0, metavar="N",
                        help="bill through N real Celery worker processes instead of in-process chunks")
    parser.add_argument("--concurrency", type=int, default=2, help="each Celery worker's pool size (as make run)")
    parser.add_argument("--warm-up", type=float, default=20, help="seconds the Celery workers get to start")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--deferred-reads", action="store_true",
                        help="SQLite: begin the read phase deferred (an experiment; tune_sqlite has no such hook)")
    args = parser.parse_args()
    # its own folder per engine: a fresh PostgreSQL run must not empty the SQLite one
    prepare("billing-run-postgresql" if args.database_url else "billing-run", args.database_url,
            fresh=not args.reuse)
    if not args.reuse:
        started = time.perf_counter()
        loaded = cms("demo-data", "--service-points", str(args.service_points), "--months", str(args.months),
                     "--bill-months", "0", "--requests", "0")
        print(next((x for x in loaded.stdout.splitlines() if x.startswith("loaded")), ""))
        cms("processes", "deploy-shipped")
        print(f"demo of {args.service_points:,} service points loaded in {time.perf_counter() - started:.0f} s")

    import sqlalchemy as sa

    from models.audit.recorder import Actor
    from models.base import db
    from models.billing.entities import Bill, BillingChunk, BillingRun, BillLine, InvoiceCounter
    from models.billing.runs import run_progress
    from models.clock import today
    from models.process.entities import ProcessInstance
    from models.statuses import StatusChange
    from models.types import add_months
    from portal import create_app
    from workflows.billing import launch_billing_run

    app = create_app()
    period = add_months(today().replace(day=1), -1)
    with app.app_context():
        if args.reuse:
            # Bills are immutable through the ORM; the benchmark's own tables go with plain deletes.
            for table in (BillLine, Bill, BillingChunk, BillingRun, InvoiceCounter):
                db.session.execute(sa.delete(table.__table__))
            db.session.execute(sa.delete(StatusChange.__table__).where(
                StatusChange.object_type.in_(["bill", "billing_run"])))
            db.session.execute(sa.delete(ProcessInstance.__table__).where(ProcessInstance.object_type == "bill"))
            db.session.commit()
    if args.celery:
        return celery_run(args, period, app)
    with app.app_context():
        engine = db.engine.dialect.name
        started = time.perf_counter()
        run_id = launch_billing_run(period, None, args.chunk_size, actor=Actor(None, "bench"), queue=False)
        scope_seconds = time.perf_counter() - started
        chunk_ids = list(db.session.scalars(sa.select(BillingChunk.id).where(BillingChunk.run_id == run_id)
                                            .order_by(BillingChunk.sequence)))
        total = db.session.get(BillingRun, run_id).total
        db.session.rollback()
    print(f"{engine}: run {run_id} for {period:%Y-%m}, {total:,} contracts in {len(chunk_ids):,} chunks "
          f"(scope and chunks in {scope_seconds:.1f} s)")
    started = time.perf_counter()
    if args.processes > 1:
        shares = [(chunk_ids[i::args.processes], args.profile and i == 0, args.deferred_reads)
                  for i in range(args.processes)]
        with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
            results = pool.map(_worker, shares)
    else:
        results = [bill_chunks(chunk_ids, args.profile, args.deferred_reads)]
    # From the first process's first chunk to the last one's end: the processes' start-up is not billing.
    elapsed = max(r["window"][1] for r in results) - min(r["window"][0] for r in results)
    print(f"(processes started and finished in {time.perf_counter() - started:.1f} s)")
    totals, holds, errors = Counter(), Counter(), Counter()
    for result in results:
        totals.update(result["totals"])
        holds.update(result["holds"])
        errors.update(result["errors"])
    bills = totals["bills"]
    print(f"{bills:,} bills ({totals['held']:,} held, {totals['errors']:,} errors, {totals['skipped']:,} skipped) "
          f"in {elapsed:.1f} s with {args.processes} process(es): {bills / elapsed:,.0f} bills/s; "
          f"1,000,000 would take {1_000_000 / (bills / elapsed) / 60:.1f} min")
    stages = ("gather", "price", "write", "commit", "exceptions")
    busy = sum(totals[s] for s in stages)
    for stage in stages:
        print(f"  {stage:<10} {totals[stage]:7.1f} s  {1e6 * totals[stage] / max(bills, 1):6.0f} us/bill "
              f"({100 * totals[stage] / max(busy, 1e-9):.0f}%)")
    print(f"  other      {elapsed * args.processes - busy:7.1f} s (the attempt's own commit; waiting for the "
          "other processes' locks)")
    print(f"  CPU of the billing processes {totals['cpu']:.1f} s: {bills / max(totals['cpu'], 1e-9):,.0f} bills per "
          f"CPU second (the machine's load aside; the database server's own time not counted)")
    print("held:", ", ".join(f"{k} {v:,}" for k, v in holds.most_common()) or "none")
    print("errors:", ", ".join(f"{k} {v:,}" for k, v in errors.most_common()) or "none")
    with app.app_context():
        progress = run_progress(db.session, run_id)
        print(f"run {run_id}: {progress['status']}, {progress['done']:,} of {progress['total']:,}")


if __name__ == "__main__":
    main()
