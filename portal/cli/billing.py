"""`cms bills ...`: billing from the command line."""
from __future__ import annotations

import json

import click
import sqlalchemy as sa

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


@cli.group()
def billing():
    """Billing runs: bill a month's contracts in chunks, on the workers or here (--wait)."""


def _cli_actor():
    import getpass

    from models.audit.recorder import Actor
    return Actor(None, f"cli:{getpass.getuser()}")


@billing.command("run")
@click.option("--period", required=True, help="month as YYYY-MM")
@click.option("--route", "routes", multiple=True, help="a route's code; repeat for several (default: every route)")
@click.option("--cycle", "cycles", multiple=True, type=click.Choice(["monthly", "bimonthly"]),
              help="a billing cycle; repeat for both (default: every cycle; bimonthly contracts when due)")
@click.option("--chunk-size", default=500, show_default=True, type=click.IntRange(min=1),
              help="contracts per chunk (one worker task each)")
@click.option("--wait", is_flag=True, help="bill the chunks here with a progress bar instead of queueing them")
def billing_run(period, routes, cycles, chunk_size, wait):
    """Start the billing run of a month: queued for the workers, or billed here with --wait."""
    from models.billing.entities import BillingRun
    from models.billing.simulation import parse_period
    from models.errors import DomainError
    from workflows.billing import launch_billing_run
    try:
        start, _ = parse_period(period)
        run_id = launch_billing_run(start, list(routes) or None, chunk_size, actor=_cli_actor(), queue=not wait,
                                    cycles=list(cycles) or None)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    from models.billing.entities import BillingChunk
    run = db.session.get(BillingRun, run_id)
    chunks = db.session.scalar(sa.select(sa.func.count(BillingChunk.id)).where(BillingChunk.run_id == run_id))
    click.echo(f"billing run {run.id} for {run.period:%Y-%m}: {run.total:,} contracts in {chunks:,} chunks")
    for code, reason in (run.refused_routes or {}).items():
        click.echo(f"  route {code} refused: {reason}")
    db.session.rollback()
    if wait:
        _bill_here(run_id)
    elif run.total:
        click.echo(f"queued for the workers; follow it with `cms billing status {run_id}`")


@billing.command("resume")
@click.argument("run_id", type=int)
@click.option("--wait", is_flag=True, help="bill the chunks here instead of queueing them")
def billing_resume(run_id, wait):
    """Take the chunks of a run that are not done (failed, or lost with a worker) again."""
    from models.errors import DomainError
    from workflows.billing import resume_run
    try:
        ids = resume_run(run_id, actor=_cli_actor(), queue=not wait)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"billing run {run_id}: {len(ids)} chunks to take again")
    if wait:
        _bill_here(run_id)


@billing.command("status")
@click.argument("run_id", type=int)
def billing_status(run_id):
    """Progress of a run (done of total, rate, time left, errors), and its summary once done."""
    from models.billing.runs import run_progress
    from models.errors import DomainError
    try:
        progress = run_progress(db.session, run_id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.session.rollback()
    _print_progress(progress)


def _bill_here(run_id: int) -> None:
    from models.billing.entities import BillingChunk
    from models.billing.runs import pending_chunks, run_progress
    from workflows.billing import bill_chunk_now
    ids = pending_chunks(db.session, run_id)
    sizes = dict(db.session.execute(sa.select(BillingChunk.id, sa.func.json_array_length(BillingChunk.contract_ids))
                                    .where(BillingChunk.id.in_(ids))).all()) if ids else {}
    db.session.rollback()
    with click.progressbar(length=sum(sizes.values()), label=f"billing run {run_id}", show_eta=True,
                           item_show_func=lambda text: text) as bar:
        for chunk_id in ids:
            outcome = bill_chunk_now(chunk_id)
            bar.update(sizes.get(chunk_id, 0), f"{outcome.billed} issued, {outcome.held} held" if outcome else "")
    progress = run_progress(db.session, run_id)
    db.session.rollback()
    _print_progress(progress)
    if progress["status"] == "failed":
        raise click.ClickException(f"billing run {run_id} failed; see the errors above")


def _print_progress(p: dict) -> None:
    from models.billing.pricing import rupiah
    left = f", about {p['seconds_left']:,} s left" if p["seconds_left"] else ""
    click.echo(f"billing run {p['id']} for {p['period']}: {p['status']}, {p['done']:,} of {p['total']:,} "
               f"({p['percent']}%) at {p['rate']:,} bills/s{left}")
    click.echo(f"  issued {p['billed']:,}, held {p['held']:,}, errors {p['errors']:,}, skipped {p['skipped']:,}; "
               f"chunks " + ", ".join(f"{k} {v:,}" for k, v in p["chunks"].items() if v))
    if p["stages"]:
        bills = max(p["billed"] + p["held"], 1)
        click.echo("  time per stage: " + ", ".join(f"{stage} {seconds:,.1f} s ({1e6 * seconds / bills:,.0f} us/bill)"
                                                   for stage, seconds in p["stages"].items()))
    for code, reason in p["refused_routes"].items():
        click.echo(f"  route {code} refused: {reason}")
    for error in p["error_list"][:20]:
        who = f"contract {error['contract_id']}" if error["contract_id"] else f"chunk {error['chunk']}"
        click.echo(f"  error: {who}: {error['reason']}")
    for row in p["summary"] or []:
        click.echo(f"  {row['tariff_class']:<6} {row['bills']:>9,} bills ({row['held']:,} held) "
                   f"{row['kwh'].normalize():>14,f} kWh {rupiah(row['total']):>22}")
