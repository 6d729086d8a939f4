"""`cms bills ...`: billing from the command line."""
from __future__ import annotations

import json

import click

from models.base import db
from portal.cli.base import cli


@cli.group()
def bills():
    """Bills: simulate a bill on a tariff."""


@bills.command("simulate")
@click.option("--tariff", required=True, help="tariff code, e.g. 'R-1/TR 1300'")
@click.option("--power-va", required=True, help="contracted power in VA")
@click.option("--period", required=True, help="month as YYYY-MM")
@click.option("--kwh", help="kWh (single-rate tariffs), multiplier already applied")
@click.option("--lwbp", help="off-peak kWh (time-of-use tariffs)")
@click.option("--wbp", help="peak kWh (time-of-use tariffs)")
@click.option("--kvarh", help="reactive energy, kVArh")
@click.option("--kw", help="maximum demand, kW")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object instead of the priced lines")
def bills_simulate(tariff, power_va, period, kwh, lwbp, wbp, kvarh, kw, as_json):
    """Price hypothetical quantities on a tariff: every line, subtotal, taxes and total."""
    from models.billing.simulation import priced_bill_json, simulate_bill
    from models.errors import DomainError
    try:
        bill = simulate_bill(db.session, tariff, power_va, period, kwh=kwh, lwbp=lwbp, wbp=wbp, kvarh=kvarh, kw=kw)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.session.rollback()   # reads only
    if as_json:
        click.echo(json.dumps(priced_bill_json(bill)))
        return
    for line in bill.lines:
        click.echo(f"{line.label:<34} {line.explain()}")
    click.echo(f"{'Subtotal':<34} Rp {bill.subtotal:,}")
    click.echo(f"{'Taxes':<34} Rp {bill.taxes:,}")
    click.echo(f"{'Total':<34} Rp {bill.total:,}")
    click.echo(f"{'Jam nyala':<34} {bill.jam_nyala} hours")
