"""`cms collection import-statement | direct-debit | debit-returns`: the bank channels from the shell."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app

from models.base import db
from models.clock import today
from models.collection.direct_debit import (
    Creditor,
    apply_debit_returns,
    book_direct_debit_batch,
    create_direct_debit_batch,
)
from models.collection.statements import import_statement
from portal.cli.base import cli, edge
from portal.cli.readings import read_within_limit


def creditor() -> Creditor:
    """The utility's collection account (CMS_DD_* in portal/config.py)."""
    config = current_app.config
    return Creditor(config["CMS_DD_CREDITOR_NAME"], config["CMS_DD_CREDITOR_ACCOUNT"], config["CMS_DD_CREDITOR_BIC"],
                    config["CMS_DD_CREDITOR_ID"], config.get("CMS_CURRENCY", "IDR"))


@cli.group()
def collection():
    """Collection: bank statements, direct debit."""


@collection.command("import-statement")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_statement_command(path: Path):
    """Import a camt.053 / camt.054 / CSV statement: matched lines post, the rest go to suspense."""
    data = read_within_limit(path)
    with edge():
        result = import_statement(db.session, path.name, data, current_app.config.get("CMS_CURRENCY", "IDR"))
    if result.statement is None:
        click.echo(f"{path.name} was already imported ({result.duplicate_of}): nothing posted")
        return
    s = result.statement
    click.echo(f"{s.lines} lines: {s.posted} posted (Rp {s.total_posted:,.2f}), {s.replayed} posted before, "
               f"{s.suspense} to suspense, {s.skipped} skipped")
    for line in (s.report or {}).get("skipped", []):
        click.echo(f"  skipped {line}")


@collection.command("direct-debit")
@click.option("--due", "due", required=True, help="the due date, YYYY-MM-DD")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="write the pain.008 here")
def direct_debit(due: str, out: Path | None):
    """Make (or find) the pain.008 collection file of a due date; book it once the date has come."""
    try:
        due_on = date.fromisoformat(due)
    except ValueError as exc:
        raise click.BadParameter("the due date is YYYY-MM-DD", param_hint="--due") from exc
    with edge():
        batch, made = create_direct_debit_batch(db.session, due_on, creditor())
        booked = book_direct_debit_batch(db.session, batch) if today() >= due_on else []
        xml, count, total = batch.xml, batch.count, batch.total
    click.echo(f"{'made' if made else 'found'} {batch}: {count} debits, Rp {total:,.2f}"
               + (f"; {len(booked)} booked as payments" if booked else ""))
    if out:
        out.write_text(xml, encoding="utf-8")
        click.echo(f"wrote {out}")


@collection.command("debit-returns")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def debit_returns(path: Path):
    """Apply a pain.002 or camt.054 of returned debits: their payments are reversed, the bills open again."""
    data = read_within_limit(path)
    with edge():
        counts = apply_debit_returns(db.session, data)
    click.echo(f"{counts['returned']} returned, {counts['unchanged']} already returned")
