"""`cms accounting ...`: the posting sweep, the trial balance, a batch's export."""
from __future__ import annotations

import json
import sys

import click

from models.base import db
from portal.cli.base import cli, edge


def _day(value: str | None, field: str):
    from models.clock import today
    from models.errors import DomainError
    from portal.params import form_date
    try:
        return form_date(value, field, today())
    except DomainError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{field}") from exc


@cli.group()
def accounting():
    """The accounting interface: journals, trial balance, exports."""


@accounting.command("post")
def accounting_post():
    """Post every bill, credit note, payment, reversal and write-off not yet in the journal."""
    from models.accounting.operations import post_unposted
    with edge():
        posted = post_unposted(db.session)
    detail = ", ".join(f"{n} {event}" for event, n in sorted(posted.by_event.items()))
    click.echo(f"posted {posted.entries} journal entries" + (f" ({detail})" if detail else ""))


@accounting.command("trial-balance")
@click.option("--date", "day", help="as of this posting date, YYYY-MM-DD (default today)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object: debit, credit and a row per account")
def accounting_trial_balance(day, as_json):
    """Debits and credits per account of the chart, batches up to the date."""
    from models.accounting.chart import seed_default_chart
    from models.accounting.queries import trial_balance
    as_of = _day(day, "date")
    with edge():
        seed_default_chart(db.session)
        report = trial_balance(db.session, as_of)
    if as_json:
        click.echo(json.dumps(report.as_json()))
        return
    for row in report.rows:
        click.echo(f"{row.code:<6} {row.name:<40} {row.debit:>18,.2f} {row.credit:>18,.2f}")
    click.echo(f"{'':<6} {'Total':<40} {report.debit:>18,.2f} {report.credit:>18,.2f}")


@accounting.command("export")
@click.option("--date", "day", required=True, help="the batch's posting date, YYYY-MM-DD")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="file to write (default stdout)")
def accounting_export(day, fmt, output):
    """Export a day's batch (posting first what is unposted); it is frozen from then on, and exporting it
    again gives the same bytes."""
    from models.accounting.operations import export_batch, post_unposted
    posting_date = _day(day, "date")
    with edge():
        post_unposted(db.session)
        content = export_batch(db.session, posting_date, fmt)
    if output:
        with open(output, "wb") as handle:
            handle.write(content)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
