"""Conversion import of the legacy meter stock from CSV: all rows valid or nothing imported.

Columns (header required, in any order):
  number, manufacturer, model, store, status, last_calibration, registers
- status: in_store, in_lab, rejected or scrapped (installed meters come with their installations)
- last_calibration: YYYY-MM-DD or empty; the next due date follows from the model's interval
- registers: code:usage:multiplier, several separated by ';' (e.g. 1.8.1:active_wbp:40;3.8.0:reactive:40)
A meter that already exists with the same data is left alone, so importing a file twice changes
nothing; one that exists with other data is a bad row.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.audit.recorder import acting_name, record_bulk
from models.clock import today
from models.errors import DomainError
from models.meters.entities import (
    Meter,
    MeterModel,
    MeterMovement,
    MeterStatus,
    MovementKind,
    Register,
    Store,
    UsageType,
)
from models.types import add_months

COLUMNS = ["number", "manufacturer", "model", "store", "status", "last_calibration", "registers"]
STOCK_STATUSES = {MeterStatus.IN_STORE, MeterStatus.IN_LAB, MeterStatus.REJECTED, MeterStatus.SCRAPPED}


class ImportRefused(DomainError):
    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s); nothing was imported:\n" + "\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    created: int
    unchanged: int


def read_csv(text: str) -> list[tuple[int, dict]]:
    """(row number as a spreadsheet shows it, row) pairs; a wrong header refuses the file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if sorted(header) != sorted(COLUMNS):
        missing, extra = set(COLUMNS) - set(header), set(header) - set(COLUMNS)
        raise ImportRefused([f"row 1: wrong header; expected {', '.join(COLUMNS)}"
                             + (f"; missing {', '.join(sorted(missing))}" if missing else "")
                             + (f"; unknown {', '.join(sorted(extra))}" if extra else "")])
    return [(n, {k.strip(): (v or "").strip() for k, v in row.items() if k}) for n, row in enumerate(reader, start=2)]


def _registers(text: str) -> list[tuple[str, UsageType, Decimal]]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        try:
            code, usage, multiplier = (x.strip() for x in part.split(":"))
        except ValueError as exc:
            raise ValueError(f"register '{part}' is not code:usage:multiplier") from exc
        try:
            usage_type = UsageType(usage)
        except ValueError as exc:
            raise ValueError(f"register '{part}': unknown usage '{usage}'") from exc
        try:
            factor = Decimal(multiplier)
        except InvalidOperation as exc:
            raise ValueError(f"register '{part}': multiplier '{multiplier}' is not a number") from exc
        if factor <= 0:
            raise ValueError(f"register '{part}': multiplier must be greater than zero")
        out.append((code, usage_type, factor))
    if not out:
        raise ValueError("at least one register is required")
    if len({c for c, _, _ in out}) != len(out):
        raise ValueError("a register code appears twice")
    return out


def _same(meter: Meter, model: MeterModel, store: Store, status: MeterStatus, last: date | None, registers) -> bool:
    mine = sorted((r.code, r.usage_type, r.multiplier.normalize()) for r in meter.registers)
    theirs = sorted((c, u, m.normalize()) for c, u, m in registers)
    return (meter.model_id, meter.store_id, meter.status, meter.last_calibrated_on, mine) == \
        (model.id, store.id, status, last, theirs)


def import_meters(session: Session, rows: list[tuple[int, dict]], document: str = "conversion") -> ImportResult:
    models = {(m.manufacturer.lower(), m.model_code.lower()): m for m in session.scalars(sa.select(MeterModel))}
    stores = {s.code.lower(): s for s in session.scalars(sa.select(Store))}
    numbers = [row["number"] for _, row in rows if row.get("number")]
    existing = {}
    for start in range(0, len(numbers), 1000):
        for meter in session.scalars(sa.select(Meter).where(Meter.number.in_(numbers[start:start + 1000]))
                                     .options(selectinload(Meter.registers))):
            existing[meter.number] = meter
    problems, seen, plans, unchanged = [], {}, [], 0
    for line, row in rows:
        try:
            number = row["number"]
            if not number:
                raise ValueError("number is empty")
            if number in seen:
                raise ValueError(f"meter {number} is also on row {seen[number]}")
            seen[number] = line
            model = models.get((row["manufacturer"].lower(), row["model"].lower()))
            if model is None:
                raise ValueError(f"unknown model '{row['manufacturer']} {row['model']}'")
            store = stores.get(row["store"].lower())
            if store is None:
                raise ValueError(f"unknown store '{row['store']}'")
            try:
                status = MeterStatus(row["status"])
            except ValueError as exc:
                raise ValueError(f"unknown status '{row['status']}'") from exc
            if status not in STOCK_STATUSES:
                raise ValueError(f"status '{status.value}' is not stock; import in_store, in_lab, rejected or scrapped")
            try:
                last = date.fromisoformat(row["last_calibration"]) if row["last_calibration"] else None
            except ValueError as exc:
                raise ValueError(f"last_calibration '{row['last_calibration']}' is not a date (YYYY-MM-DD)") from exc
            registers = _registers(row["registers"])
        except ValueError as exc:
            problems.append(f"row {line}: {exc}")
            continue
        if number in existing:
            if _same(existing[number], model, store, status, last, registers):
                unchanged += 1
            else:
                problems.append(f"row {line}: meter {number} already exists with other data")
            continue
        plans.append((number, model, store, status, last, registers))
    if problems:
        raise ImportRefused(problems)
    by = acting_name()
    # The legacy status is the meter's first: its receive movement says who and when, as for a delivery.
    for number, model, store, status, last, registers in plans:
        due = add_months(last, model.calibration_interval_months) if last else None
        meter = Meter(number=number, model=model, store=store, status=status, last_calibrated_on=last,
                      next_calibration_due=due,
                      registers=[Register(code=c, usage_type=u, multiplier=m, digits=model.digits)
                                 for c, u, m in registers])
        session.add(meter)
        session.add(MeterMovement(meter=meter, kind=MovementKind.RECEIVE, to_store_id=store.id, document_no=document,
                                  moved_on=today(), by=by, reason="conversion import"))
    session.flush()
    if plans:
        record_bulk(session, "meters", {"rows": len(plans), "source": document})
    return ImportResult(created=len(plans), unchanged=unchanged)
