"""`cms demo-data` and `cms import ...`: loading data."""
from __future__ import annotations

import time

import click
import sqlalchemy as sa

from models.base import db
from portal.cli.base import cli, edge


@cli.command("demo-data")
@click.option("--service-points", default=2000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--requests", default=200, show_default=True, type=click.IntRange(min=0),
              help="customer requests driven through the shipped process")
@click.option("--if-empty", is_flag=True, help="do nothing (and succeed) when the database already has data")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="the day the demo stands at (default: today)")
@click.option("--months", default=24, show_default=True, type=click.IntRange(min=1, max=120),
              help="months of reading history before the current one (1 or 2: just what billing last month needs)")
@click.option("--bill-months", default=12, show_default=True, type=click.IntRange(min=0, max=119),
              help="months billed (oldest first), with the last one's documents; at most --months minus 1")
@click.option("--bill-until", type=click.DateTime(["%Y-%m"]),
              help="the last month billed [default: the one before --as-of]")
def demo_data(service_points, seed, requests, if_empty, as_of, months, bill_months, bill_until):
    """Load a deterministic demo utility into an empty database."""
    from models.customers.entities import Customer
    from models.demo.loader import load_demo_data
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Customer)):
        click.echo("database already has data; demo data not loaded")
        return
    # a month is billed from the reading before it: the oldest month of readings is only a base
    bill_months = min(bill_months, max(months, 2) - 1)
    started = time.perf_counter()
    from models.demo.field import load_demo_service_orders
    with edge(), click.progressbar(length=service_points, label="service points") as bar:
        counts = load_demo_data(db.session, service_points, seed, as_of=as_of.date() if as_of else None,
                                progress=bar.update, months=months)
        counts["service_orders"] = load_demo_service_orders(db.session, min(300, service_points // 10 + 20), seed,
                                                            as_of=as_of.date() if as_of else None)
    elapsed = time.perf_counter() - started
    click.echo(f"loaded {service_points:,} service points ({sum(counts.values()):,} rows) in {elapsed:.1f} s: "
               f"{service_points / elapsed:,.0f} service points/s")
    if requests:
        from workflows.demo import load_demo_requests
        with edge():
            load_demo_requests(db.session, requests, seed)
        click.echo(f"drove {requests} customer requests through the customer request process")
    if bill_months:
        _bill_demo_history(bill_months, as_of.date() if as_of else None, bill_until.date() if bill_until else None)
    from models.demo.reference import DEMO_USERS
    for email, role, password, _ in DEMO_USERS:
        click.echo(f"  login {email} / {password} ({role.value})")




@cli.group("import")
def import_group():
    """Conversion imports (the file formats are in the README)."""


@import_group.command("meters")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_meters_command(file):
    """Import the legacy meter stock from FILE.csv: every row valid, or nothing imported."""
    from pathlib import Path

    from models.meters.conversion import import_meters, read_csv
    with edge():
        result = import_meters(db.session, read_csv(Path(file).read_text(encoding="utf-8-sig")),
                               document=Path(file).name)
    click.echo(f"imported {result.created} meter(s); {result.unchanged} already present and unchanged")


@import_group.command("readings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--service-point", help="The service point a Green Button file is for.")
def import_readings_command(file, service_point):
    """Import readings from FILE: the project's CSV, NEM12, NEM13 or Green Button (zip too); all or nothing."""
    from pathlib import Path

    from portal.cli.readings import read_within_limit
    from workflows.reading_imports import import_reading_file
    started = time.perf_counter()
    with edge():
        result, after = import_reading_file(db.session, Path(file).name, read_within_limit(Path(file)),
                                            service_point)
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(f"{result.file_format}: imported {result.readings:,} reading(s) ({result.anomalies:,} with anomalies) "
               f"and {result.intervals:,} interval value(s); {result.unchanged:,} already present; "
               f"{after['orders_answered']:,} reading order(s) answered, {after['orders_noted']:,} noted; "
               f"{time.perf_counter() - started:.1f} s")


def _bill_demo_history(months: int, as_of, until):
    """The demo's bills: the months before the current one, oldest first, then the last month's documents."""
    from flask import current_app

    from models.audit.recorder import Actor
    from models.billing.documents import Utility
    from models.demo.loader import demo_day
    from models.types import add_months
    from workflows.billing import bill_months_here
    last = until or add_months(demo_day(as_of).replace(day=1), -1)
    periods = [add_months(last, -n) for n in range(months - 1, -1, -1)]
    started = time.perf_counter()
    utility = Utility(current_app.config["CMS_UTILITY_NAME"], current_app.config["CMS_UTILITY_ADDRESS"])
    counts = bill_months_here(periods, Actor(None, "demo-data"), utility)
    click.echo(f"billed {counts['months']} months ({periods[0]:%Y-%m} to {periods[-1]:%Y-%m}): {counts['issued']:,} "
               f"issued, {counts['held']:,} held, {counts['errors']:,} not billable, {counts['documents']:,} "
               f"documents, in {time.perf_counter() - started:.1f} s")
    _pay_demo_bills(as_of)


def _pay_demo_bills(as_of):
    """Most demo customers pay what fell due, some late or in part, some not at all: debt to collect."""
    from models.base import db
    from models.demo.loader import demo_day
    from models.demo.payments import pay_demo_bills
    from models.transactions import transaction
    with transaction():
        paid = pay_demo_bills(db.session, demo_day(as_of))
    click.echo(f"paid {paid:,} demo bills")

