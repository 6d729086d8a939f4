"""The `cms` group and its one transaction edge; the command modules beside it register on the group.

Commands are edges: they commit once on success and roll back whole on any refusal.
"""
from __future__ import annotations

import contextlib
import getpass

import click
from flask.cli import FlaskGroup

from models.audit.recorder import Actor
from models.errors import Refusal
from models.transactions import transaction


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
    except Refusal as exc:
        raise click.ClickException(str(exc)) from exc
