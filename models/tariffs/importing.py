"""Tariff files (URDB, SAM, REopt) into tariffs with a version and its rate structure; loads to price.

Reading a file is pure (`read_tariff`, `read_load`); `import_tariff` is the operation that writes.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.errors import DomainError, NotFound
from models.premises.entities import SupplyVoltage
from models.tariffs.entities import Tariff, TariffVersion
from models.tariffs.interval_pricing import DEFAULT_YEAR, check_load
from models.tariffs.operations import add_tariff_version
from models.tariffs.rate_structures import RateStructure, TariffRateStructure
from models.tariffs.sam import parse_tariff


def read_tariff(raw: bytes) -> tuple[RateStructure, str]:
    """(structure, source) of a tariff file's bytes; source is "sam" or "urdb"."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(f"not JSON: {exc}", field="file") from exc
    structure = parse_tariff(data)
    return structure, "sam" if isinstance(data, dict) and any(k.startswith("ur_") for k in data) else "urdb"


def import_tariff(session: Session, structure: RateStructure, source: str, code: str,
                  effective_from: date) -> TariffVersion:
    """A new tariff `code` with one open version carrying the structure (components stay empty)."""
    if session.scalar(sa.select(Tariff.id).where(Tariff.code == code)) is not None:
        raise DomainError(f"a tariff {code} already exists", field="code")
    tariff = Tariff(code=code, tariff_class=source.upper(), name=structure.name[:200], voltage=SupplyVoltage.LOW,
                    time_of_use=len(structure.energy_rates) > 1 or bool(structure.demand_rates))
    session.add(tariff)
    session.flush()
    version = add_tariff_version(session, tariff, effective_from, None, [])
    uri = next((n for n in structure.notes if n.startswith("http")), None)
    version.rate_structure = TariffRateStructure(source=source, source_uri=uri and uri[:300],
                                                 structure=structure.to_json())
    session.flush()
    return version


def rate_structure_of(session: Session, code: str, on: date) -> RateStructure:
    """The rate structure of tariff `code`'s version in force on `on`."""
    version = session.scalar(
        sa.select(TariffVersion).join(Tariff).where(
            Tariff.code == code, TariffVersion.effective_from <= on,
            sa.or_(TariffVersion.effective_to.is_(None), TariffVersion.effective_to > on)))
    if version is None:
        raise NotFound(f"no tariff {code} in force on {on.isoformat()}", field="tariff")
    if version.rate_structure is None:
        raise DomainError(f"tariff {code} has no schedules or tiers to price interval load with", field="tariff")
    return version.rate_structure.rates()


def _kw(text: str, line: int) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise DomainError(f"line {line}: {text.strip()[:40]!r} is not a kW value", field="load") from exc
    if not value.is_finite():
        raise DomainError(f"line {line}: {text.strip()[:40]!r} is not a kW value", field="load")
    return value


def read_load(text: str, year: int | None = None) -> tuple[list[Decimal], int]:
    """(kW values, year) of a load file: one kW value per line, or a CSV with a timestamp column.

    Timestamps must step evenly (60 or 15 minutes) from 1 January 00:00 of one year, local time
    without DST (NREL's convention); the year they name wins over the default.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DomainError("the load file is empty", field="load")
    first = [c.strip().lower() for c in next(csv.reader([lines[0]]))]
    stamp = next((i for i, c in enumerate(first) if c in ("timestamp", "time", "datetime", "date_time")), None)
    if stamp is None:
        values = [_kw(line, n) for n, line in enumerate(lines, start=1)]
        check_load(values)
        return values, year or DEFAULT_YEAR
    kw_col = next((i for i, c in enumerate(first) if i != stamp and "kw" in c), None)
    if kw_col is None:
        kw_col = 1 - stamp if len(first) == 2 else None
    if kw_col is None:
        raise DomainError("the CSV needs a kW column beside its timestamp", field="load")
    values, stamps = [], []
    for n, row in enumerate(csv.reader(io.StringIO("\n".join(lines[1:]))), start=2):
        try:
            stamps.append(datetime.fromisoformat(row[stamp].strip()))
        except (ValueError, IndexError) as exc:
            raise DomainError(f"line {n}: not a timestamp", field="load") from exc
        values.append(_kw(row[kw_col] if kw_col < len(row) else "", n))
    start = stamps[0]
    if (start.month, start.day, start.hour, start.minute) != (1, 1, 0, 0) or len(stamps) < 2:
        raise DomainError("the timestamps must start at 1 January 00:00", field="load")
    step = stamps[1] - start
    if step not in (timedelta(hours=1), timedelta(minutes=15)):
        raise DomainError("the timestamps must step by 60 or 15 minutes", field="load")
    for n, (a, b) in enumerate(zip(stamps, stamps[1:], strict=False), start=3):
        if b - a != step:
            raise DomainError(f"line {n}: {b.isoformat()} does not follow {a.isoformat()} by {step}", field="load")
    check_load(values)
    return values, start.year


def set_rate_structure(session: Session, version: TariffVersion, data: dict) -> TariffRateStructure:
    """Replace a version's schedules and rates with `data` (RateStructure JSON), refused unless it prices."""
    structure = RateStructure.from_json(data)
    if version.rate_structure is None:
        version.rate_structure = TariffRateStructure(source="admin", structure=structure.to_json())
    else:
        version.rate_structure.structure = structure.to_json()
    session.flush()
    return version.rate_structure
