"""`cms readings`: open and close reading cycles from the shell (or a scheduler)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from models.base import db
from models.clock import today
from models.premises.entities import ReadingRoute
from models.readings.cycles import open_cycle, open_due_cycles
from models.readings.entities import ReadingCycle
from models.readings.meter_data import too_large
from portal.cli.base import cli, edge


@cli.group()
def readings():
    """Reading cycles: open them with their orders, close them with estimates."""


def read_within_limit(path: Path) -> bytes:
    """A reading file's bytes, refused before reading when over the limit a portal upload has."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and path.stat().st_size > limit:
        raise click.ClickException(too_large(limit))
    return path.read_bytes()


def _period(text: str | None) -> date:
    try:
        return date.fromisoformat(f"{text}-01") if text else today().replace(day=1)
    except ValueError as exc:
        raise click.BadParameter("the period is YYYY-MM") from exc


@readings.command("open-cycles")
@click.option("--period", help="YYYY-MM (default: this month)")
@click.option("--route", "route_code", help="one route's code (default: every route without a cycle)")
def open_cycles(period, route_code):
    """Open the period's reading cycle of every route (or one), with reading orders in walking sequence."""
    period_day = _period(period)
    routes = db.session.scalars(sa.select(ReadingRoute).where(ReadingRoute.code == route_code)).all()
    if route_code and not routes:
        raise click.ClickException(f"no route {route_code}")
    if route_code:
        with edge():
            opened = [open_cycle(db.session, routes[0], period_day)]
    else:
        with edge():
            opened = open_due_cycles(db.session, period_day)
    for cycle in opened:
        click.echo(f"{cycle}: {len(cycle.orders)} reading orders")
    click.echo(f"opened {len(opened)} cycle(s) for {period_day:%Y-%m}")


@readings.command("close-cycle")
@click.argument("route_code")
@click.option("--period", help="YYYY-MM (default: this month)")
def close(route_code, period):
    """Close a route's cycle: every register still unread gets an estimated reading."""
    from workflows.reading_follow_ups import close_reading_cycle
    cycle = db.session.scalar(sa.select(ReadingCycle).join(ReadingRoute).where(
        ReadingRoute.code == route_code, ReadingCycle.period == _period(period)))
    if cycle is None:
        raise click.ClickException(f"route {route_code} has no cycle for {_period(period):%Y-%m}")
    with edge():
        counts = close_reading_cycle(db.session, cycle)
    click.echo(f"closed {cycle}: {counts['estimated']} estimated, {counts['not_read']} not read")
