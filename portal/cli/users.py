"""`cms users ...` and `cms tokens ...`: accounts and named API tokens."""
from __future__ import annotations

import click
import sqlalchemy as sa

from models.base import db
from models.errors import DomainError
from models.users.entities import RoleName
from portal.cli.base import cli, edge


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
