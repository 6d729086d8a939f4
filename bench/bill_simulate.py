"""`cms bills simulate`: the time to price hypothetical quantities on a tariff in the database (target 50 ms),
and the whole command as a user runs it (Python and the app's start-up included).

    python bench/bill_simulate.py [--runs 500]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import cms, prepare  # noqa: E402  bench/instance.py


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    prepare("simulate")
    from models.base import db
    from models.billing.simulation import simulate_bill
    from models.tariffs.catalogue import load_pln_catalogue
    from portal import create_app
    app = create_app()
    with app.app_context():
        load_pln_catalogue(db.session)
        db.session.commit()
        cases = [("R-1/TR 1300", 1300, {"kwh": "180"}), ("I-3/TM", 300000, {"lwbp": "90000", "wbp": "20000",
                                                                              "kvarh": "80000"})]
        for code, power, quantities in cases:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                simulate_bill(db.session, code, power, "2026-11", **quantities)
                times.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            times.sort()
            p95 = times[int(len(times) * .95)]
            print(f"simulate {code}: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")
    started = time.perf_counter()
    cms("bills", "simulate", "--tariff", "R-1/TR 1300", "--power-va", "1300", "--period", "2026-11", "--kwh", "180")
    print(f"the whole command (process start-up included): {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
