"""The `cms` console script: Flask's CLI (run, db, shell, routes) plus Watt CMS commands.

Commands are edges: they commit once on success and roll back whole on any refusal.
"""
from __future__ import annotations

import contextlib
import getpass
import time

import click
import sqlalchemy as sa
from flask.cli import FlaskGroup
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from models.audit.recorder import Actor, acting_as
from models.base import db
from models.errors import DomainError, describe_integrity_error
from models.users.entities import RoleName
from portal.edges import retry_reason


def _create_app():
    from portal import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli():
    """Watt CMS: customer management for electricity utilities."""


@contextlib.contextmanager
def edge():
    """One transaction per command, audited as the shell user; refusals become clean errors."""
    try:
        with acting_as(Actor(None, f"cli:{getpass.getuser()}")):
            yield
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except IntegrityError as exc:
        db.session.rollback()
        raise click.ClickException(str(describe_integrity_error(exc))) from exc
    except (OperationalError, StaleDataError) as exc:
        db.session.rollback()
        if (reason := retry_reason(exc)) is None:
            raise
        raise click.ClickException(reason) from exc


@cli.group()
def users():
    """Manage user accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, help=f"one of: {', '.join(r.value for r in RoleName)}")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "full_name", default=None, help="full name shown in the portal")
def users_create(email, role, password, full_name):
    """Create a user with one role."""
    from models.users.operations import create_user
    with edge():
        user = create_user(db.session, email, role, password, full_name)
    click.echo(f"created {user.email} ({role})")


@users.command("list")
def users_list():
    """List users and their roles."""
    from models.users.entities import User
    for user in db.session.scalars(sa.select(User).order_by(User.email)):
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{','.join(r.name for r in user.roles)}\t{state}")


@cli.group()
def tokens():
    """API tokens for /api/v1."""


@tokens.command("create")
@click.argument("email")
def tokens_create(email):
    """Print a new API token for the user (send it as the Authentication-Token header)."""
    from models.users.operations import find_user, issue_api_token
    with edge():
        token = issue_api_token(find_user(db.session, email))
    click.echo(token)


@tokens.command("revoke")
@click.argument("email")
def tokens_revoke(email):
    """Invalidate every API token issued to the user so far."""
    from models.users.operations import find_user, revoke_api_tokens
    with edge():
        revoke_api_tokens(db.session, find_user(db.session, email))
    click.echo(f"revoked all API tokens of {email}")


@cli.command("demo-data")
@click.option("--service-points", default=2000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--requests", default=200, show_default=True, type=click.IntRange(min=0),
              help="customer requests driven through the shipped process")
@click.option("--if-empty", is_flag=True, help="do nothing (and succeed) when the database already has data")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="the day the demo stands at (default: today)")
def demo_data(service_points, seed, requests, if_empty, as_of):
    """Load a deterministic demo utility into an empty database."""
    from models.customers.entities import Customer
    from models.demo.loader import load_demo_data
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Customer)):
        click.echo("database already has data; demo data not loaded")
        return
    started = time.perf_counter()
    from models.demo.field import load_demo_service_orders
    with edge(), click.progressbar(length=service_points, label="service points") as bar:
        counts = load_demo_data(db.session, service_points, seed, as_of=as_of.date() if as_of else None,
                                progress=bar.update)
        counts["service_orders"] = load_demo_service_orders(db.session, min(300, service_points // 10 + 20), seed)
    elapsed = time.perf_counter() - started
    click.echo(f"loaded {service_points:,} service points ({sum(counts.values()):,} rows) in {elapsed:.1f} s: "
               f"{service_points / elapsed:,.0f} service points/s")
    if requests:
        from workflows.demo import load_demo_requests
        with edge():
            load_demo_requests(db.session, requests, seed)
        click.echo(f"drove {requests} customer requests through the customer request process")
    from models.demo.reference import DEMO_USERS
    for email, role, password, _ in DEMO_USERS:
        click.echo(f"  login {email} / {password} ({role.value})")


from portal import cli_readings, cli_workflows  # noqa: E402,F401  registers `cms readings|processes|tasks|...`


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
                               f"cli:{getpass.getuser()}", document=Path(file).name)
    click.echo(f"imported {result.created} meter(s); {result.unchanged} already present and unchanged")


@import_group.command("readings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--service-point", help="The service point a Green Button file is for.")
def import_readings_command(file, service_point):
    """Import readings from FILE: the project's CSV, NEM12, NEM13 or Green Button (zip too); all or nothing."""
    from pathlib import Path

    from portal.cli_readings import read_within_limit
    from workflows.reading_imports import import_reading_file
    started = time.perf_counter()
    with edge():
        result, after = import_reading_file(db.session, Path(file).name, read_within_limit(Path(file)),
                                            f"cli:{getpass.getuser()}", service_point)
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(f"{result.file_format}: imported {result.readings:,} reading(s) ({result.anomalies:,} with anomalies) "
               f"and {result.intervals:,} interval value(s); {result.unchanged:,} already present; "
               f"{after['orders_answered']:,} reading order(s) answered, {after['orders_noted']:,} noted; "
               f"{time.perf_counter() - started:.1f} s")
