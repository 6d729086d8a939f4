"""A day's journal batch of 1,000,000 postings (journal lines) through models.accounting: the posting sweep
(`post_unposted`, as the beat runs it) and the batch's export (target: under 60 s, on SQLite and PostgreSQL).

Usage: python bench/journal_batch.py [--bills 200000] [--payments 200000] [--database-url URL] [--profile]

A fresh schema gets `--bills` invoices issued today, each with an energy line and a PPJ tax line (an entry of
three postings: receivables, revenue, tax), and `--payments` payments received today (two postings: cash and
receivables): 200,000 of each make 400,000 entries of 1,000,000 postings. Plain inserts; timed: the sweep to
its commit, then `export_batch` (CSV, which renders the JSON as well and freezes the batch) to its commit.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from payments_api import load_open_bills  # noqa: E402

from instance import prepare  # noqa: E402  bench/instance.py

BATCH = 20_000


def load(db, bills: int, payments: int, day: date) -> None:
    import sqlalchemy as sa

    from models.base import insert_rows
    from models.billing.entities import Bill, BillLine
    from models.clock import now_utc
    from models.collection.entities import Payment

    load_open_bills(db, max(bills, payments), day)
    db.session.execute(sa.update(Bill).values(issued_on=day))
    ids = list(db.session.scalars(sa.select(Bill.id).order_by(Bill.id)))
    for start in range(0, bills, BATCH):
        chunk = ids[start:min(start + BATCH, bills)]
        line = {"quantity": 100, "unit": "kWh", "rate": 1000, "explanation": "bench"}
        insert_rows(db.session, BillLine.__table__, [
            row for bill_id in chunk for row in (
                {"bill_id": bill_id, "sequence": 1, "kind": "energy", "label": "Energy", "amount": 100000, **line},
                {"bill_id": bill_id, "sequence": 2, "kind": "tax", "label": "PPJ 3%", "amount": 3000, **line})])
        db.session.commit()
    for start in range(0, payments, BATCH):
        chunk = range(start + 1, min(start + BATCH, payments) + 1)
        insert_rows(db.session, Payment.__table__, [
            {"channel": "partner", "method": "transfer", "reference": f"PAY-{i}", "customer_id": i,
             "amount": 103000, "paid_on": day, "status": "posted", "by": "bench"} for i in chunk],
            {"received_at": now_utc()})
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bills", type=int, default=200_000)
    parser.add_argument("--payments", type=int, default=200_000)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    prepare("journal-batch-postgresql" if args.database_url else "journal-batch", args.database_url)

    import sqlalchemy as sa

    from models.accounting.entities import JournalEntry, JournalLine
    from models.accounting.operations import export_batch, post_unposted
    from models.audit.recorder import Actor
    from models.base import db
    from models.clock import today
    from models.tariffs.catalogue import load_pln_catalogue
    from models.transactions import transaction
    from portal import create_app

    app = create_app()
    with app.app_context():
        with transaction(Actor(None, "bench")):
            load_pln_catalogue(db.session)
        day = today()
        started = time.perf_counter()
        load(db, args.bills, args.payments, day)
        print(f"{db.engine.dialect.name}: {args.bills:,} bills and {args.payments:,} payments of {day} loaded in "
              f"{time.perf_counter() - started:.0f} s")
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        with transaction(Actor(None, "journal posting")):
            posted = post_unposted(db.session)
        sweep = time.perf_counter() - started
        lines = db.session.scalar(sa.select(sa.func.count()).select_from(JournalLine))
        entries = db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry))
        print(f"sweep: {posted.entries:,} entries ({lines:,} postings) in {sweep:.1f} s")
        started = time.perf_counter()
        with transaction(Actor(None, "accountant")):
            data = export_batch(db.session, day, "csv")
        export = time.perf_counter() - started
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        with transaction(Actor(None, "accountant")):
            again = export_batch(db.session, day, "csv")
        rows = data.count(b"\n") - 1
        print(f"export: {rows:,} CSV rows ({len(data) / 1e6:.0f} MB) in {export:.1f} s; "
              f"sweep + export {sweep + export:.1f} s; re-export identical: {again == data}; "
              f"{entries:,} entries in the database")


if __name__ == "__main__":
    main()
