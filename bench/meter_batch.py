"""Registering a delivery of 10,000 meters as one number range (target: under 5 s).

Usage: python bench/meter_batch.py [--count 10000] [--database-url URL]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import prepare  # noqa: E402  bench/instance.py

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    prepare("meter-batch", args.database_url)
    from models.base import db
    from models.meters.entities import MeterModel, Store, StoreKind
    from models.meters.operations import register_meter_batch
    from portal import create_app

    app = create_app()
    with app.app_context():
        store = Store(code="GDG-PST", name="Central", kind=StoreKind.CENTRAL)
        tou = MeterModel(manufacturer="EDMI", model_code="Mk6N", digits=8, time_of_use=True)
        single = MeterModel(manufacturer="Itron", model_code="ACE1000", digits=6)
        db.session.add_all([store, tou, single])
        db.session.commit()
        for model, first in ((single, 30_001), (tou, 900_001)):
            started = time.perf_counter()
            register_meter_batch(db.session, first, first + args.count - 1, model.id, store.id, "DO-BENCH")
            db.session.commit()
            elapsed = time.perf_counter() - started
            registers = 4 if model.time_of_use else 1
            print(f"batch of {args.count:,} {model} meters ({registers} register(s) each, a receipt movement each) "
                  f"on {db.engine.dialect.name}: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
