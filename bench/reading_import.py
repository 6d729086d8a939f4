"""Importing and validating 1,000,000 register readings from CSV (target: under 60 s on SQLite).

Usage: python bench/reading_import.py [--readings 1000000] [--database-url URL]
Builds a demo utility (100,000 service points), writes twelve monthly readings per installed
single-register meter into a CSV in the project's format, then times `import_readings` end to end:
parsing, register lookup, duplicate check, judging every reading, inserting, commit.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from models.clock import today as clock_today  # noqa: E402

from instance import cms, prepare  # noqa: E402  bench/instance.py

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true", help="keep the demo utility of the last run (SQLite)")
    args = parser.parse_args()
    prepare("reading-import", args.database_url, fresh=not args.reuse)
    months = 12
    service_points = args.readings // months + args.readings // (months * 5)
    # The demo stands thirteen months back, so a year of new readings fits between its history and today.
    as_of = clock_today() - timedelta(days=400)
    if not args.reuse:
        cms("demo-data", "--service-points", str(service_points),
            "--bill-months", "0", "--requests", "0", "--as-of", as_of.isoformat())
    import sqlalchemy as sa

    from models.base import db
    from models.meters.entities import Installation, Meter, Register
    from models.readings.entities import Reading
    from models.readings.imports import import_readings, read_csv
    from portal import create_app

    app = create_app()
    with app.app_context():
        if args.reuse:
            db.session.execute(sa.delete(Reading).where(Reading.source == "bench.csv"))
            db.session.commit()
        latest = (sa.select(Reading.register_id, sa.func.max(Reading.read_on).label("day"))
                  .group_by(Reading.register_id).subquery())
        rows = db.session.execute(
            sa.select(Meter.number, Register.code, Reading.value, Reading.read_on)
            .join(Register, Register.meter_id == Meter.id).join(Installation, Installation.meter_id == Meter.id)
            .join(latest, latest.c.register_id == Register.id)
            .join(Reading, sa.and_(Reading.register_id == Register.id, Reading.read_on == latest.c.day))
            .where(Register.code == "1.8.0")).all()
        rng = random.Random(3)
        lines = ["meter,register,date,value,type,note"]
        today = clock_today()
        for number, code, start, installed_on in rows:
            value = int(start)
            for month in range(1, months + 1):
                read_on = installed_on + timedelta(days=30 * month)
                if read_on > today:
                    break
                value += rng.randrange(60, 400)
                lines.append(f"{number},{code},{read_on},{value % 1_000_000},actual,")
                if len(lines) > args.readings:
                    break
            if len(lines) > args.readings:
                break
        text = "\n".join(lines) + "\n"
        print(f"{len(lines) - 1:,} readings for {len(rows):,} registers, {len(text) / 1e6:.0f} MB of CSV, "
              f"{db.engine.dialect.name}")
        started = time.perf_counter()
        parsed = read_csv(text)
        result = import_readings(db.session, parsed, "bench.csv")
        db.session.commit()
        elapsed = time.perf_counter() - started
        print(f"  imported {result.imported:,} ({result.anomalies:,} with anomalies) in {elapsed:.1f} s: "
              f"{result.imported / elapsed:,.0f} readings/s")
        started = time.perf_counter()
        again = import_readings(db.session, read_csv(text), "bench.csv")
        print(f"  the same file again: {again.unchanged:,} unchanged, {again.imported} imported, "
              f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
