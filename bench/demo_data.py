"""`cms demo-data` throughput: service points per second into an empty database.

Usage: python bench/demo_data.py [--service-points 100000] [--database-url URL]
Without --database-url it loads a fresh SQLite file under bench/out/. A PostgreSQL URL must name
an empty database (the script upgrades it to head first).
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance import cms, prepare  # noqa: E402  bench/instance.py

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service-points", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    prepare("demo-data", args.database_url)
    started = time.perf_counter()
    result = cms("demo-data", "--service-points", str(args.service_points), "--seed", "1",
                 "--bill-months", "0", "--requests", "0")
    wall = time.perf_counter() - started
    line = next(x for x in result.stdout.splitlines() if x.startswith("loaded"))
    rows = re.search(r"\(([\d,]+) rows\)", line).group(1)
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"demo-data {args.service_points:,} service points on {engine}: {rows} rows")
    print(f"  load {line.split(' in ')[1]}")
    print(f"  whole command incl. start-up: {wall:.1f} s = {args.service_points / wall:,.0f} service points/s")


if __name__ == "__main__":
    main()
