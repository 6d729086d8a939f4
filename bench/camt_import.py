"""A camt.053 bank statement of 100,000 entries imported through models.collection.statements.import_statement
(target: under 60 s, on SQLite and PostgreSQL).

Usage: python bench/camt_import.py [--entries 100000] [--unmatched 0.05] [--history 0] [--database-url URL]
                                   [--profile]

A fresh schema gets one customer with one open bill (Rp 103,000) per matched entry (plain inserts, as in
bench/payments_api.py), after `--history` months each paid. The statement (generated with lxml, camt.053.001.08)
has one booked credit entry per line: most name their bill's number in the remittance text and pay it in full,
`--unmatched` of them name nothing (they go to suspense). Timed: the import from reading the bytes to the commit
(dunning hears of the payments before it). Printed: time, lines/s, posted, suspense, and the database's count of
each.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from payments_api import load_open_bills  # noqa: E402

from instance import prepare  # noqa: E402  bench/instance.py

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def statement(numbers: list[str], entries: int, unmatched: float, booked_on: str) -> bytes:
    from lxml import etree

    def sub(parent, tag, text=None, **attrs):
        element = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
        if text is not None:
            element.text = text
        return element

    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    message = sub(root, "BkToCstmrStmt")
    header = sub(message, "GrpHdr")
    sub(header, "MsgId", f"BENCH-{entries}")
    sub(header, "CreDtTm", f"{booked_on}T18:00:00")
    stmt = sub(message, "Stmt")
    sub(stmt, "Id", "STMT-1")
    sub(sub(sub(stmt, "Acct"), "Id"), "IBAN", "ID00BENCH0000000001")
    every = round(1 / unmatched) if unmatched else 0
    bill = 0
    for n in range(1, entries + 1):
        entry = sub(stmt, "Ntry")
        sub(entry, "Amt", "103000.00", Ccy="IDR")
        sub(entry, "CdtDbtInd", "CRDT")
        sub(sub(entry, "Sts"), "Cd", "BOOK")
        sub(sub(entry, "BookgDt"), "Dt", booked_on)
        sub(entry, "AcctSvcrRef", f"BANK-{n:09d}")
        tx = sub(sub(entry, "NtryDtls"), "TxDtls")
        sub(sub(sub(tx, "RltdPties"), "Dbtr"), "Nm", f"Payer {n}")
        if every and n % every == 0:
            remittance = "electricity, no reference given"
        else:
            remittance = f"PLN {numbers[bill]} thank you"
            bill += 1
        sub(sub(tx, "RmtInf"), "Ustrd", remittance)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--unmatched", type=float, default=0.05, help="share of entries naming no bill")
    parser.add_argument("--history", type=int, default=0, help="months each customer paid before (PostgreSQL "
                        "plans the import's reads from the statistics of what was there before it)")
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    prepare("camt-import-postgresql" if args.database_url else "camt-import", args.database_url)

    import sqlalchemy as sa

    from models.audit.recorder import Actor
    from models.base import db
    from models.clock import today
    from models.collection.bank_entities import SuspenseItem
    from models.collection.entities import Payment
    from models.collection.statements import import_statement
    from models.tariffs.catalogue import load_pln_catalogue
    from models.transactions import transaction
    from portal import create_app

    app = create_app()
    with app.app_context():
        with transaction(Actor(None, "bench")):
            load_pln_catalogue(db.session)
        matched = args.entries - (args.entries // round(1 / args.unmatched) if args.unmatched else 0)
        started = time.perf_counter()
        numbers = load_open_bills(db, matched, today(), paid_before=args.history)
        data = statement(numbers, args.entries, args.unmatched, today().isoformat())
        print(f"{db.engine.dialect.name}: {matched:,} open bills loaded and a camt.053 of {args.entries:,} entries "
              f"({len(data) / 1e6:.0f} MB) written in {time.perf_counter() - started:.0f} s")
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        with transaction(Actor(None, "bench")):
            result = import_statement(db.session, "bench.camt053.xml", data)
        if profiler:
            profiler.disable()
        spent = time.perf_counter() - started
        record = result.statement
        print(f"import: {args.entries:,} entries in {spent:.1f} s ({args.entries / spent:,.0f} lines/s): "
              f"{record.posted:,} posted (Rp {record.total_posted:,.0f}), {record.suspense:,} to suspense, "
              f"{record.replayed} replayed, {record.skipped} skipped")
        payments = db.session.scalar(sa.select(sa.func.count()).select_from(Payment))
        suspense = db.session.scalar(sa.select(sa.func.count()).select_from(SuspenseItem))
        print(f"database: {payments:,} payments, {suspense:,} suspense items")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
