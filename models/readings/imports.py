"""Importing readings in the project's own CSV format: every row valid, or nothing imported.

Columns (header required, any order, other columns ignored; `type` and `note` may be left empty):
  meter, register, date, value, type, note
- meter: the meter number; register: its OBIS-style code (1.8.0, 1.8.1/1.8.2 for WBP/LWBP,
  3.8.0 reactive, 1.6.0 demand); date: YYYY-MM-DD; value: the register's index (not consumption)
- type: actual (default), customer or control; note: a reader's note code (no_access, meter_damaged,
  tampering_suspected, dangerous_dog)
The same file imported again changes nothing; a different value for an existing reading is a bad row.
Rows are checked as they are read; once a file has a hundred problems later rows are only counted as
bad on their own, so a file of a million bad rows is refused in bounded memory.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name, record_bulk
from models.base import insert_rows
from models.clock import now_utc, today
from models.errors import DomainError
from models.meters.entities import Meter, Register
from models.readings.entities import AnomalyCode, Reading, ReadingAnomaly, ReadingType
from models.readings.formats import LIMIT, Problems, lines
from models.readings.operations import article, judge_next, register_contexts, supersede

COLUMNS = ["meter", "register", "date", "value", "type", "note"]
TYPES = {ReadingType.ACTUAL, ReadingType.CUSTOMER, ReadingType.CONTROL}
NOTES = {AnomalyCode.NO_ACCESS, AnomalyCode.METER_DAMAGED, AnomalyCode.TAMPERING_SUSPECTED, AnomalyCode.DANGEROUS_DOG}
KINDS = {kind.value: kind for kind in ReadingType}
CHUNK = 5000   # rows whose meters are looked up at once


class ReadingImportRefused(DomainError):
    """The file's first problems (`problems`) and how many it has (`count`, a lower bound when `partial`)."""

    def __init__(self, problems: list[str] | Problems, count: int | None = None, partial: bool = False):
        if isinstance(problems, Problems):
            problems, count, partial = problems.shown, problems.count, problems.partial
        problems = problems[:LIMIT]
        count = max(count or 0, len(problems))
        least = "at least " if partial else ""
        more = f"\n... and {least}{count - len(problems):,} more" if count > len(problems) else ""
        super().__init__(f"{least}{count:,} bad row(s); nothing was imported:\n" + "\n".join(problems) + more)
        self.problems, self.count, self.partial = problems, count, partial


@dataclass
class ReadingImportResult:
    imported: int
    unchanged: int
    anomalies: int
    register_ids: list[int] = field(default_factory=list)    # registers that got readings
    notes_only: list = field(default_factory=list)           # (register id, reader's note) without a reading


def read_csv(text: str) -> Iterator[tuple[int, dict]]:
    """(line, row) of each row, read as they are asked for; a wrong header is refused at once."""
    reader = csv.reader(lines(text.lstrip("\ufeff")))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ReadingImportRefused([f"row 1: the header lacks {', '.join(missing)}; "
                                    f"expected {','.join(COLUMNS)} (other columns are ignored)"])
    return _rows(reader, [(name, i) for i, name in enumerate(header) if name in COLUMNS], len(header))


def _rows(reader: Iterator[list[str]], wanted: list[tuple[str, int]], width: int) -> Iterator[tuple[int, dict]]:
    for n, row in enumerate(reader, start=2):
        if len(row) > width:
            raise ReadingImportRefused([f"row {n}: more values than header columns"])
        if row:
            row += [""] * (width - len(row))
            yield n, {name: row[i].strip() for name, i in wanted}


def _row(line: int, row: dict, types: set) -> tuple | None:
    """(line, meter, register, reading or reader's note) of a row; None for a row with neither."""
    if not row.get("value"):
        if row.get("note"):          # a reader's note without a reading (no access): kept for the order
            return line, row["meter"], row["register"], _note(row["note"])
        if not row.get("date"):
            return None          # a register the reader did not get to (walk-list files carry every order)
    number, code, *reading = _parse(row, types)
    return line, number, code, tuple(reading)


class _Placed:
    """Checked rows on their registers, looked up a chunk at a time; a refused file's good rows are not kept."""

    def __init__(self, session: Session):
        self.session, self.problems = session, Problems()
        self.registers: dict[tuple[str, str], int] = {}
        self.known: set[str] = set()        # meter numbers found; unknown ones are asked for again
        self.keyed: list[tuple] = []
        self.notes_only: list[tuple[int, AnomalyCode]] = []
        self.seen: dict[tuple, int] = {}
        self.chunk: list[tuple] = []

    def add(self, item: tuple) -> None:
        self.chunk.append(item)
        if len(self.chunk) >= CHUNK:
            self.place()

    def place(self) -> None:
        chunk, self.chunk = self.chunk, []
        found = _registers(self.session, {item[1] for item in chunk} - self.known)
        self.registers.update(found)
        self.known.update(number for number, _ in found)
        for line, number, code, reading in chunk:
            register_id = self.registers.get((number, code))
            if register_id is None:
                self.problems.add(f"row {line}: no register {code} on meter {number}", line)
            elif self.problems.full:
                self.problems.partial = True   # not compared with the rest of the file or the stored readings
            elif isinstance(reading, AnomalyCode):
                self.notes_only.append((register_id, reading))
            else:
                day, value, kind, notes = reading
                key = (register_id, day, kind)
                if key in self.seen:
                    self.problems.add(f"row {line}: same reading as row {self.seen[key]}", line)
                    continue
                self.seen[key] = line
                self.keyed.append((line, register_id, day, value, kind, notes))


def _parse(row: dict, types: set) -> tuple[str, str, date, Decimal, ReadingType, tuple]:
    if not row["meter"] or not row["register"]:
        raise ValueError("meter and register are required")
    try:
        day = date.fromisoformat(row["date"])
    except ValueError as exc:
        raise ValueError(f"date '{row['date']}' is not YYYY-MM-DD") from exc
    try:
        value = Decimal(row["value"])
    except InvalidOperation as exc:
        raise ValueError(f"value '{row['value']}' is not a number") from exc
    if not value.is_finite():
        raise ValueError(f"value '{row['value']}' is not a number")
    kind = KINDS.get(row["type"] or "actual")
    if kind is None:
        raise ValueError(f"unknown type '{row['type']}'")
    if kind not in types:
        raise ValueError(f"type '{kind.value}' cannot be imported")
    notes = (_note(row["note"]),) if row["note"] else ()
    return row["meter"], row["register"], day, value, kind, notes


def _note(text: str) -> AnomalyCode:
    try:
        code = AnomalyCode(text)
    except ValueError as exc:
        raise ValueError(f"unknown note '{text}'") from exc
    if code not in NOTES:
        raise ValueError(f"'{text}' is not a reader's note")
    return code


def _registers(session: Session, numbers: set[str]) -> dict[tuple[str, str], int]:
    found, numbers = {}, sorted(numbers)
    for start in range(0, len(numbers), 900):
        for number, code, register_id in session.connection().execute(
                sa.select(Meter.number, Register.code, Register.id).join(Register, Register.meter_id == Meter.id)
                .where(Meter.number.in_(numbers[start:start + 900]))):
            found[(number, code)] = register_id
    return found


def _existing(session: Session, register_ids: list[int], first: date) -> dict:
    out = {}
    for start in range(0, len(register_ids), 900):
        for register_id, day, kind, value in session.connection().execute(
                sa.select(Reading.register_id, Reading.read_on, Reading.reading_type, Reading.value)
                .where(Reading.register_id.in_(register_ids[start:start + 900]), Reading.read_on >= first)):
            out[(register_id, day, kind)] = Decimal(value)
    return out


def import_readings(session: Session, rows: Iterable[tuple[int, dict]], source: str,
                    types: set = TYPES, progress=None) -> ReadingImportResult:
    """Check every row, then write all of them or none; `progress(done, total)` hears the judging."""
    placed = _Placed(session)
    problems = placed.problems
    for line, row in rows:
        try:
            item = _row(line, row, types)
        except ValueError as exc:
            problems.add(f"row {line}: {exc}", line)
            continue
        if item is not None:
            placed.add(item)
    placed.place()
    keyed, notes_only = placed.keyed, placed.notes_only
    contexts = register_contexts(session, sorted({k[1] for k in keyed}))
    # Only a register with file dates up to its latest stored reading can hold one of them already
    # (a repeated import); for the others the lookup is skipped.
    earliest: dict[int, date] = {}
    for _, register_id, day, *_ in keyed:
        earliest[register_id] = min(day, earliest.get(register_id, day))
    revisited = sorted(r for r, day in earliest.items()
                       if contexts[r].previous is not None and day <= contexts[r].previous[0])
    first = min((earliest[r] for r in revisited), default=today())
    existing = _existing(session, revisited, first) if revisited else {}
    fresh, unchanged = [], 0
    for item in keyed:
        line, register_id, day, value, kind, _ = item
        old = existing.get((register_id, day, kind))
        if old is None:
            fresh.append(item)
        elif old == value:
            unchanged += 1
        else:
            problems.add(f"row {line}: {article(kind.value)} {kind.value} reading of {old.normalize():f} "
                         "already exists for that day", line)
    judged, anomalies = [], 0
    for n, (line, register_id, day, value, kind, notes) in enumerate(sorted(fresh, key=lambda i: (i[1], i[2], i[0]))):
        if progress and n % 20000 == 0:
            progress(n, len(fresh))
        try:
            result = judge_next(contexts[register_id], day, value, kind, notes)
        except DomainError as exc:
            problems.add(f"row {line}: {exc.message}", line)
            continue
        if not problems:          # a refused file's readings need no keeping
            judged.append(result)
            anomalies += bool(result.anomalies)
    if problems:
        raise ReadingImportRefused(problems)
    store_judged(session, judged, source)
    if judged:
        record_bulk(session, "readings", {"rows": len(judged), "source": source, "anomalies": anomalies})
    return ReadingImportResult(imported=len(judged), unchanged=unchanged, anomalies=anomalies,
                               register_ids=sorted({j.values["register_id"] for j in judged}), notes_only=notes_only)


def store_judged(session: Session, judged: list, source: str) -> None:
    """Insert judged readings in bulk, then their anomalies and the estimates they supersede."""
    stamp = {"by": acting_name(), "source": source, "installation_id": None, "created_at": now_utc(),
             "superseded_by_id": None}
    for start in range(0, len(judged), 20000):
        insert_rows(session, Reading.__table__, [j.values for j in judged[start:start + 20000]], stamp)
    linked = [j for j in judged if j.anomalies or j.supersedes]
    if not linked:
        return
    wanted = {_key(j.values) for j in linked}
    wanted |= {ref for j in linked for ref in j.supersedes if isinstance(ref, tuple)}
    ids, register_ids = {}, sorted({key[0] for key in wanted})
    since = min(key[1] for key in wanted)
    for start in range(0, len(register_ids), 900):
        for reading_id, register_id, day, kind in session.execute(
                sa.select(Reading.id, Reading.register_id, Reading.read_on, Reading.reading_type)
                .where(Reading.register_id.in_(register_ids[start:start + 900]), Reading.read_on >= since)):
            if (register_id, day, kind) in wanted:
                ids[(register_id, day, kind)] = reading_id
    rows = [{"reading_id": ids[_key(j.values)], "code": code, "status": "open", "detail": detail[:300],
             "service_order_id": None, "process_instance_id": None}
            for j in linked for code, detail in j.anomalies]
    if rows:
        session.execute(sa.insert(ReadingAnomaly.__table__), rows)
    for j in linked:
        supersede(session, [ids[ref] if isinstance(ref, tuple) else ref for ref in j.supersedes], ids[_key(j.values)])


def _key(values: dict) -> tuple:
    return values["register_id"], values["read_on"], values["reading_type"]
