"""The daily dunning beat over open bills (target: 1,000,000 open bills in under 60 s).

Usage: python bench/dunning.py [--bills 1000000] [--new-cases 1000] [--database-url URL]

A fresh schema gets N issued, unpaid bills: N/10 contracts (one customer account each is not needed: they
share 1,000 accounts) with ten monthly bills each, the oldest nine overdue. All but `--new-cases` of the
overdue service points already have an open collection case (as on any day after the first), so the beat
reads every open bill, skips the busy service points and starts the process for the new ones. Loaded with
plain inserts (no audit, no ORM); timed: `workflows.collection.start_dunning` from its first query to the
commit, and the scan alone (`overdue_contracts`).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import cms, prepare  # noqa: E402  bench/instance.py

BATCH = 20_000


def load(db, bills: int, new_cases: int, as_of: date) -> None:
    import sqlalchemy as sa

    from models.billing.entities import Bill
    from models.contracts.entities import Contract, ContractVersion
    from models.customers.entities import Account, Customer
    from models.premises.entities import Property, ServicePoint
    from models.process.entities import ProcessDefinition, ProcessInstance
    from models.tariffs.entities import Tariff
    from models.types import add_months

    contracts = bills // 10
    conn = db.session.connection()
    tariff_id = db.session.scalar(sa.select(Tariff.id).limit(1))
    conn.execute(sa.insert(Customer), [{"id": i, "name": f"Customer {i}"} for i in range(1, 1001)])
    conn.execute(sa.insert(Account), [{"id": i, "customer_id": i, "account_no": f"A{i:09d}", "payer_name": "x",
                                       "billing_address": "Jl. x"} for i in range(1, 1001)])
    periods = [add_months(as_of.replace(day=1), -n) for n in range(10, 0, -1)]
    definition = db.session.scalar(sa.select(ProcessDefinition.id).where(ProcessDefinition.key == "collection"))
    busy = contracts - new_cases
    for start in range(1, contracts + 1, BATCH):
        ids = range(start, min(start + BATCH, contracts + 1))
        conn.execute(sa.insert(Property), [{"id": i, "address": f"Jl. {i}", "city": "Bandung"} for i in ids])
        conn.execute(sa.insert(ServicePoint), [{"id": i, "spn": f"B{i:09d}", "property_id": i,
                                                "created_on": date(2020, 1, 1)} for i in ids])
        conn.execute(sa.insert(Contract), [{"id": i, "service_point_id": i, "serial": 1, "customer_no": f"{i:012d}",
                                            "account_id": i % 1000 + 1, "registered_on": date(2020, 1, 1)}
                                           for i in ids])
        conn.execute(sa.insert(ContractVersion), [{"contract_id": i, "version_no": 1, "valid_from": date(2020, 1, 1),
                                                   "tariff_id": tariff_id, "contracted_power_va": 1300} for i in ids])
        rows = []
        for i in ids:
            for n, period in enumerate(periods):
                due = add_months(period, 1).replace(day=20)
                rows.append({"number": f"INV-B-{i}-{n}", "contract_id": i, "service_point_id": i,
                             "account_id": i % 1000 + 1, "period": period, "period_start": period,
                             "period_end": add_months(period, 1), "tariff_code": "R-1/TR 1300",
                             "tariff_class": "R-1", "power_va": 1300, "subtotal": 100000, "taxes": 3000,
                             "total": 103000, "issued_on": period, "due_on": due if n < 9 else as_of + timedelta(5),
                             "kind": "invoice", "status": "issued"})
        conn.execute(sa.insert(Bill), rows)
        conn.execute(sa.insert(ProcessInstance), [
            {"definition_id": definition, "object_type": "service_point", "object_id": i, "status": "running",
             "state": "{}", "serializer_version": "1", "started_by": "bench", "waiting_messages": []}
            for i in ids if i <= busy])
        db.session.commit()
        conn = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--new-cases", type=int, default=1_000)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    prepare("dunning-postgresql" if args.database_url else "dunning", args.database_url)
    cms("processes", "deploy-shipped")

    from models.audit.recorder import Actor
    from models.base import db
    from models.clock import today
    from models.collection.dunning import overdue_contracts
    from models.tariffs.catalogue import load_pln_catalogue
    from models.transactions import transaction
    from portal import create_app
    from workflows.collection import settle_paid_cases, start_dunning

    app = create_app()
    with app.app_context():
        with transaction(Actor(None, "bench")):
            load_pln_catalogue(db.session)
        started = time.perf_counter()
        load(db, args.bills, args.new_cases, today())
        print(f"{db.engine.dialect.name}: {args.bills:,} open bills on {args.bills // 10:,} contracts loaded in "
              f"{time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        found = overdue_contracts(db.session, today())
        scan = time.perf_counter() - started
        print(f"scan: {len(found):,} overdue contracts (every open bill read) in {scan:.1f} s")
        db.session.rollback()
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        with transaction(Actor(None, "dunning")):
            if profiler:
                profiler.enable()
            new = start_dunning(db.session)
            if profiler:
                profiler.disable()
        beat = time.perf_counter() - started
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print(f"beat: {len(new):,} cases started, {args.bills // 10 - args.new_cases:,} open ones skipped, "
              f"in {beat:.1f} s ({beat / max(len(new), 1) * 1000:.1f} ms per started case)")
        with transaction(Actor(None, "dunning")):
            again = start_dunning(db.session)
        print(f"rerun the same day: {len(again)} started")
        started = time.perf_counter()
        with transaction(Actor(None, "dunning")):
            settled = settle_paid_cases(db.session)
        print(f"settling paid cases (the beat's other step): {len(settled)} over {args.bills // 10:,} open cases "
              f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
