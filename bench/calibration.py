"""The calibration-by-month inquiry with 1,000,000 meters (target: under 300 ms).

Usage: python bench/calibration.py [--meters 1000000] [--database-url URL]
Builds (once per size) a database of meters with due dates spread over ten years, across six stores,
one register each (a tenth of them time-of-use with a reactive register as well).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import prepare  # noqa: E402  bench/instance.py

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meters", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    prepare(f"calibration-{args.meters}", args.database_url, fresh=False)   # built once per size
    import sqlalchemy as sa

    from models.base import db
    from models.meters.entities import Meter, MeterModel, Register, Store, StoreKind
    from portal import create_app
    from reports.queries import calibration_due_by_month, calibration_due_in_month

    app = create_app()
    with app.app_context():
        if not db.session.scalar(sa.select(sa.func.count()).select_from(Meter)):
            started = time.perf_counter()
            stores = [Store(code=f"S{i}", name=f"Store {i}", kind=StoreKind.DISTRICT) for i in range(6)]
            model = MeterModel(manufacturer="Itron", model_code="ACE1000")
            db.session.add_all([*stores, model])
            db.session.flush()
            rng = random.Random(7)
            base = date(2022, 1, 1)
            for start in range(0, args.meters, 50_000):
                chunk = range(start + 1, min(start + 50_001, args.meters + 1))
                db.session.execute(sa.insert(Meter.__table__), [
                    {"id": i, "number": f"B{i:09d}", "model_id": model.id, "status": "in_store",
                     "store_id": stores[i % 6].id, "last_calibrated_on": base,
                     "next_calibration_due": base + timedelta(days=1 + rng.randrange(3650))} for i in chunk])
                db.session.execute(sa.insert(Register.__table__), [
                    {"meter_id": i, "code": "1.8.0", "usage_type": "active", "digits": 6, "decimals": 0,
                     "multiplier": 1} for i in chunk])
                db.session.execute(sa.insert(Register.__table__), [
                    {"meter_id": i, "code": "3.8.0", "usage_type": "reactive", "digits": 6, "decimals": 0,
                     "multiplier": 40} for i in chunk if i % 10 == 0])
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                db.session.execute(sa.text("ANALYZE"))
                db.session.commit()
            print(f"built {args.meters:,} meters in {time.perf_counter() - started:.0f} s")
        store_id = db.session.scalar(sa.select(Store.id).where(Store.code == "S2"))
        cases = [("year 2027, all stores", lambda: calibration_due_by_month(db.session, 2027)),
                 ("year 2027, one store", lambda: calibration_due_by_month(db.session, 2027, store_id=store_id)),
                 ("year 2027, type of use reactive",
                  lambda: calibration_due_by_month(db.session, 2027, usage="reactive")),
                 ("year 2027, Mar-Jun interval", lambda: calibration_due_by_month(
                     db.session, 2027, date_from=date(2027, 3, 1), date_to=date(2027, 6, 30))),
                 ("March 2027 list, first 500", lambda: calibration_due_in_month(db.session, 2027, 3))]
        print(f"calibration inquiry, {args.meters:,} meters, {db.engine.dialect.name}")
        for label, run in cases:
            run()
            times = []
            for _ in range(15):
                begin = time.perf_counter()
                run()
                times.append((time.perf_counter() - begin) * 1000)
            times.sort()
            print(f"  {label:<34} median {statistics.median(times):7.1f} ms  max {times[-1]:7.1f} ms")


if __name__ == "__main__":
    main()
