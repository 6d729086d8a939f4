"""`cms tariffs`: import URDB / SAM tariffs, price a year of interval load on a tariff."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import click

from models.base import db
from models.clock import today
from models.errors import Refusal
from models.tariffs.importing import import_tariff, rate_structure_of, read_load, read_tariff
from models.tariffs.interval_pricing import price_year
from portal.cli.base import cli, edge
from portal.cli.readings import read_within_limit


@cli.group()
def tariffs():
    """Tariffs from the real world: URDB and NREL SAM files, priced on interval load."""


def _code_from(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-")[:40] or "imported"


@tariffs.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code", help="the new tariff's code (default: from the file name)")
@click.option("--from", "effective_from", type=click.DateTime(["%Y-%m-%d"]), help="version start (default: today)")
def import_command(file, code, effective_from):
    """Read an OpenEI URDB or NREL SAM tariff into a new tariff with one version, or say why not."""
    code = code or _code_from(file)
    try:
        structure, source = read_tariff(read_within_limit(file))
    except Refusal as exc:
        raise click.ClickException(f"{file.name}: refused: {exc}") from exc
    with edge():
        version = import_tariff(db.session, structure, source, code,
                                effective_from.date() if effective_from else today())
    click.echo(f"imported {source} tariff {code} ({structure.name}): version from "
               f"{version.effective_from.isoformat()}, {len(structure.energy_rates)} energy period(s), "
               f"{len(structure.demand_rates)} demand period(s)")


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


@tariffs.command("price-load")
@click.argument("tariff")
@click.argument("load", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(1900, 2200), help="calendar year of the load (default 2018)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def price_load(tariff, load, year, as_json):
    """Price a year of hourly or 15-minute kW LOAD on TARIFF (a tariff code, or a URDB / SAM file)."""
    try:
        values, year = read_load(read_within_limit(load).decode("utf-8", "replace"), year)
        path = Path(tariff)
        if path.suffix.lower() == ".json" and path.is_file():
            structure, _ = read_tariff(read_within_limit(path))
        else:
            structure = rate_structure_of(db.session, tariff, today())
        result = price_year(structure, values, year)
    except Refusal as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps({"months": [{"month": m["month"], "total": str(m["total"]),
                                           "lines": [{k: _plain(v) for k, v in line.items()} for line in m["lines"]]}
                                          for m in result["months"]], "total": str(result["total"])}))
        return
    for month in result["months"]:
        click.echo(f"{year}-{month['month']:02d}")
        for line in month["lines"]:
            click.echo(f"  {line['label']:<32} {line['quantity']:>14.3f} {line['unit']:<5} x {line['rate']:<10} "
                       f"= {line['amount']:>12}")
        click.echo(f"  {'month total':<68} {month['total']:>12}")
    click.echo(f"total: {result['total']}")
