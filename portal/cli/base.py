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

from models.audit.recorder import Actor
from models.base import db
from models.errors import DomainError
from models.transactions import transaction
from models.users.entities import RoleName


def _create_app():
    from portal import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli():
    """Watt CMS: customer management for electricity utilities."""


@contextlib.contextmanager
def edge():
    """One transaction per command, audited as the shell user; a refusal is a one-line error, exit 1."""
    try:
        with transaction(Actor(None, f"cli:{getpass.getuser()}")):
            yield
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc


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
        locked = f"\tlocked until {user.locked_until:%Y-%m-%d %H:%M} UTC" if user.is_locked() else ""
        click.echo(f"{user.email}\t{','.join(r.name for r in user.roles)}\t{state}{locked}")


@users.command("deactivate")
@click.argument("email")
def users_deactivate(email):
    """Refuse the user's logins; every session and API token of theirs ends at once."""
    from models.users.operations import deactivate_user, find_user
    with edge():
        revoked = deactivate_user(db.session, find_user(db.session, email))
    click.echo(f"deactivated {email}: sessions ended, {revoked} API token(s) revoked")


@users.command("activate")
@click.argument("email")
def users_activate(email):
    """Let a deactivated (or locked) user log in again."""
    from models.users.operations import activate_user, find_user
    with edge():
        activate_user(db.session, find_user(db.session, email))
    click.echo(f"activated {email}")


@users.command("unlock")
@click.argument("email")
def users_unlock(email):
    """Lift the lock that repeated wrong passwords put on the account."""
    from models.users.operations import find_user, unlock_user
    with edge():
        unlock_user(db.session, find_user(db.session, email))
    click.echo(f"unlocked {email}")


@cli.group()
def tokens():
    """Named API tokens for /api/v1: one per client, each revocable on its own."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", required=True, help="who uses the token, e.g. 'bank BCA payment partner'")
@click.option("--days", type=int, default=None, help="lifetime in days [default and most: CMS_TOKEN_MAX_AGE_DAYS]")
def tokens_create(email, name, days):
    """Print a new API token for the user, once (send it as the Authentication-Token header)."""
    from models.users.operations import find_user
    from models.users.tokens import create_api_token
    from portal.api.auth import max_age_days
    most = max_age_days()
    with edge():
        token, secret = create_api_token(db.session, find_user(db.session, email), name, days or most, most)
    click.echo(f"token {token.id} ({token.name}) expires {token.expires_at:%Y-%m-%d %H:%M} UTC; "
               "it is shown only now:", err=True)
    click.echo(secret)


@tokens.command("list")
@click.argument("email", required=False)
def tokens_list(email):
    """List API tokens (all, or one user's): id, user, name, state, created, expires, last used."""
    from models.clock import now_utc
    from models.users.operations import find_user
    from models.users.tokens import list_api_tokens
    try:
        user = find_user(db.session, email) if email else None
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    now = now_utc()

    def when(at):
        return f"{at:%Y-%m-%d %H:%M}" if at else "never"
    for token in list_api_tokens(db.session, user):
        click.echo("\t".join([str(token.id), token.user.email, token.name, token.state(now), when(token.created_at),
                              when(token.expires_at), f"last used {when(token.last_used_at)}"]))


@tokens.command("revoke")
@click.argument("token_id", required=False, type=int)
@click.option("--all-of", "email", help="revoke every token of this user instead")
def tokens_revoke(token_id, email):
    """Revoke one API token by its id (see `cms tokens list`), or every token of a user (--all-of EMAIL)."""
    from models.users.operations import find_user
    from models.users.tokens import revoke_api_token, revoke_user_api_tokens
    if (token_id is None) == (email is None):
        raise click.UsageError("give a token id, or --all-of EMAIL")
    with edge():
        if email:
            count = revoke_user_api_tokens(db.session, find_user(db.session, email))
            message = f"revoked {count} API token(s) of {email}"
        else:
            token = revoke_api_token(db.session, token_id)
            message = f"revoked token {token.id} ({token.name}) of {token.user.email}"
    click.echo(message)


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
