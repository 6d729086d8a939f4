"""Tariff and power advice (target under 300 ms per service point with two years of history): a household with
24 issued bills, and one with 24 bills plus two years of 15-minute interval data (70,080 intervals).

    python bench/tariff_advice.py [--runs 20] [--profile] [--database-url postgresql+psycopg://...]

--profile prints cProfile's top functions (cumulative) over the runs of the interval household.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import prepare  # noqa: E402  bench/instance.py


def _household(session, tariffs, n, with_intervals):
    from models.billing.operations import issue_bill, record_bill
    from models.billing.simulation import simulate_bill
    from models.clock import business_zone, today
    from models.contracts.operations import open_contract
    from models.customers.entities import Account, Customer
    from models.installations.operations import install_meter
    from models.meters.entities import Meter, MeterModel, MeterStatus, Register, Store, StoreKind, UsageType
    from models.premises.entities import Property, ServicePoint
    from models.readings.entities import IntervalReading
    from models.types import add_months
    customer = Customer(name=f"Bench {n}")
    account = Account(customer=customer, payer_name=customer.name, billing_address="Jl. Bench", account_no=f"B{n:09d}")
    sp = ServicePoint(spn=f"BENCH{n:07d}", property=Property(address=f"Jl. Bench {n}", city="Bandung"),
                      created_on=date(2020, 1, 1))
    session.add_all([account, sp])
    session.flush()
    contract = open_contract(session, sp, account, f"{900000000000 + n}", tariffs["R-1/TR 1300"], 1300,
                             date(2020, 1, 1))
    this_month = today().replace(day=1)
    for k in range(24, 0, -1):
        period = add_months(this_month, -k)
        priced = simulate_bill(session, "R-1/TR 1300", 1300, f"{period:%Y-%m}", kwh=150 + k)
        issue_bill(session, record_bill(session, contract, priced, period=period))
    if with_intervals:
        store = Store(code=f"BS{n}", name="Bench store", kind=StoreKind.CENTRAL)
        meter = Meter(number=f"BM{n}", model=MeterModel(manufacturer="Itron", model_code=f"BM{n}"),
                      status=MeterStatus.IN_STORE, store=store)
        meter.registers.append(Register(code="1.8.0", usage_type=UsageType.ACTIVE, multiplier=Decimal(1)))
        session.add(meter)
        session.flush()
        start = add_months(this_month, -24)
        install_meter(session, sp, meter, start - timedelta(days=1), {"1.8.0": Decimal(0)})
        first = datetime.combine(start, datetime.min.time(), business_zone())
        rows = [{"meter_id": meter.id, "channel": "1.8.0", "start_at": first + timedelta(minutes=15 * i), "minutes": 15,
                 # 97, not 96: a pattern that drifts through the day, so no two months use the same kWh
                 "value": Decimal("0.05") + Decimal(i % 97) / 1000, "quality": "A"}
                for i in range((this_month - start).days * 96)]
        session.execute(IntervalReading.__table__.insert(), rows)
    session.commit()
    return sp.spn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--database-url", help="a PostgreSQL database to use (emptied first); SQLite by default")
    args = parser.parse_args()
    prepare("tariff_advice", args.database_url)
    from models.base import db
    from models.billing.advice import tariff_options
    from models.tariffs.catalogue import load_pln_catalogue
    from portal import create_app
    app = create_app()
    with app.app_context():
        tariffs = load_pln_catalogue(db.session)
        db.session.commit()
        for n, (label, intervals) in enumerate((("24 bills", False), ("24 bills + 2 years of 15-minute intervals",
                                                                          True)), start=1):
            spn = _household(db.session, tariffs, n, intervals)
            times = []
            profile = cProfile.Profile() if args.profile and intervals else None
            for _ in range(args.runs):
                started = time.perf_counter()
                if profile:
                    profile.enable()
                advice = tariff_options(db.session, spn)
                if profile:
                    profile.disable()
                times.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            if profile:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            times.sort()
            print(f"advice, {label}: {len(advice.options)} options x {len(advice.months)} months "
                  f"({advice.months[-1].source}); median {statistics.median(times):.1f} ms, "
                  f"p95 {times[int(len(times) * .95)]:.1f} ms (target 300 ms); load average "
                  f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
