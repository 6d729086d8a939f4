"""Importing meter data files (NEM12, NEM13, Green Button) and the project's CSV: one entry point.

A file is recognised by its content: a zip with one member is opened first; NEM files start with a
100 record; Green Button is ESPI XML; anything else is read as the project's CSV.

Meters: a NEM record names the meter by its serial number (our meter number); without one, the NMI
is taken as the service point number and its installed meter is used. Green Button files carry no
meter identity: the caller names the service point. Registers and interval channels: the register
whose data stream is the NMI suffix, else the suffix's letter: E -> 1.8.0 (import), B -> 2.8.0
(export), Q -> 3.8.0 and K -> 4.8.0 (reactive). An import channel may land on a TOU meter (1.8.1 and
1.8.2), whose intervals roll up to those registers.

Every problem is counted (the first hundred listed) and nothing is written unless the whole file is
good; the same file again changes nothing. A zip is unpacked a chunk at a time up to MAX_BYTES, whatever
its directory claims, and only stored or deflated members are read (bzip2 and LZMA cannot be unpacked
in bounded steps).
"""
from __future__ import annotations

import copy
import io
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name, record_bulk
from models.base import insert_rows
from models.meters.entities import Meter
from models.meters.queries import current_meter_installation
from models.premises.entities import ServicePoint
from models.readings.entities import IntervalReading, ReadingType
from models.readings.formats import FileRefused, Problems
from models.readings.formats.espi import is_espi, parse_espi
from models.readings.formats.nem import IntervalChannel, is_nem, parse_nem
from models.readings.imports import TYPES, ReadingImportRefused, import_readings, read_csv

DEFAULT_CODES = {"E": "1.8.0", "B": "2.8.0", "Q": "3.8.0", "K": "4.8.0"}
MAX_BYTES = 200 * 1024 * 1024   # the largest file read, once unzipped
CHUNK = 1024 * 1024
STORED = Decimal("0.0001")      # the scale of QUANTITY


@dataclass
class MeterDataResult:
    file_format: str
    readings: int = 0
    intervals: int = 0
    unchanged: int = 0
    anomalies: int = 0
    register_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    notes_only: list = field(default_factory=list)     # (register id, reader's note) without a reading


def import_file(session: Session, name: str, data: bytes, service_point: str | None = None,
                progress=None) -> MeterDataResult:
    """Import one uploaded or named file; `progress(done, total)` hears how far the work is."""
    if len(data) > MAX_BYTES:
        raise ReadingImportRefused([f"row 0: {too_large(MAX_BYTES)}"])
    if data[:4] == b"PK\x03\x04":
        name, data = _unzip(data)
    source = name[-100:]
    try:
        if is_espi(data):
            return _import_espi(session, data, source, service_point)
        text = _text(data)
        if is_nem(text):
            return _import_nem(session, text, source)
    except FileRefused as exc:
        raise ReadingImportRefused([f"row 0: {p}" if not p.startswith("line ") else "row " + p[5:]
                                    for p in exc.problems], exc.count, exc.partial) from None
    if not text or text.isspace():
        raise ReadingImportRefused(["row 0: the file is empty"])
    result = import_readings(session, read_csv(text), source, progress=progress)
    return MeterDataResult("csv", result.imported, 0, result.unchanged, result.anomalies, result.register_ids,
                           notes_only=result.notes_only)


def size_text(size: int) -> str:
    """64 MB, 512 KB, 900 bytes: a limit as people say it."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def too_large(limit: int) -> str:
    """The reason a file over `limit` bytes is refused, the same wherever it comes in."""
    return f"The file is larger than the {size_text(limit)} limit"


def _unzip(data: bytes) -> tuple[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            raise ReadingImportRefused([f"row 0: a zip must hold exactly one file; this one holds {len(members)}"])
        member = members[0]
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ReadingImportRefused(["row 0: the zip uses a compression other than deflate (bzip2 or LZMA); "
                                        "zip the file again with ordinary compression"])
        unzipped = f"row 0: the zipped file unpacks to more than {size_text(MAX_BYTES)}, the limit"
        if member.file_size > MAX_BYTES:
            raise ReadingImportRefused([unzipped])
        # The size in the zip's directory is the sender's word: what comes out is counted instead, and
        # reading stops within a chunk past the limit, whatever the directory says (zipfile itself would
        # stop at the stated size and blame the checksum, so it is given a size beyond the limit).
        unbounded = copy.copy(member)
        unbounded.file_size = MAX_BYTES + 2 * CHUNK
        out, size = io.BytesIO(), 0
        with archive.open(unbounded) as stream:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ReadingImportRefused([unzipped])
                out.write(chunk)
        if size != member.file_size:
            raise ReadingImportRefused([f"row 0: the zip says its file has {member.file_size:,} bytes but it unpacks "
                                        f"to {size:,}: the zip is damaged"])
        return member.filename, out.getvalue()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
        raise ReadingImportRefused([f"row 0: not a readable zip file ({exc})"]) from None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadingImportRefused(["row 0: the file is not UTF-8 text"]) from None


def _import_nem(session: Session, text: str, source: str) -> MeterDataResult:
    nem = parse_nem(text)
    resolver = _Resolver(session)
    problems, notes = Problems(), list(nem.notes)
    rows, seen = [], {}
    for read in nem.reads:
        try:
            meter, code = resolver.register(read.nmi, read.serial, read.stream)
        except _Unresolved as exc:
            problems.add(f"row {read.line}: {exc}", read.line)
            continue
        kind = ReadingType.ESTIMATED if read.estimated else ReadingType.ACTUAL
        key = (meter.number, code, read.day, kind)
        if key in seen:
            line, value = seen[key]
            if value != read.value:   # a substitution: the later record replaces the earlier read
                notes.append(f"line {read.line}: {value} of line {line} for {code} on {read.day} replaced by "
                             f"{read.value}")
            # else: a read is also the next record's previous read, the same reading twice
        seen[key] = (read.line, read.value)
    for (number, code, day, kind), (line, value) in seen.items():
        rows.append((line, {"meter": number, "register": code, "date": day.isoformat(),
                            "value": str(value), "type": kind.value, "note": ""}))
    intervals, unchanged_intervals = _check_intervals(session, resolver, nem.channels, problems)
    if problems:
        raise ReadingImportRefused(problems)
    result = MeterDataResult(nem.version.lower(), notes=notes)
    if rows:
        imported = import_readings(session, rows, source, types=TYPES | {ReadingType.ESTIMATED})
        result.readings, result.unchanged, result.anomalies = imported.imported, imported.unchanged, imported.anomalies
        result.register_ids = imported.register_ids
    _store_intervals(session, intervals, source, result)
    result.unchanged += unchanged_intervals
    return result


def _import_espi(session: Session, data: bytes, source: str, service_point: str | None) -> MeterDataResult:
    points = parse_espi(data)
    if not service_point:
        raise ReadingImportRefused(["row 0: a Green Button file names no meter: choose the service point it is for"])
    if len(points) > 1:
        raise ReadingImportRefused([f"row 0: the file holds {len(points)} electricity usage points; "
                                    "split it, one usage point per service point"])
    resolver = _Resolver(session)
    try:
        meter = resolver.meter(service_point, "")
    except _Unresolved as exc:
        raise ReadingImportRefused([f"row 0: {exc}"]) from None
    for channel in points[0].channels:
        channel.nmi, channel.serial = service_point, meter.number
    problems = Problems()
    intervals, unchanged = _check_intervals(session, resolver, points[0].channels, problems)
    if problems:
        raise ReadingImportRefused(problems)
    result = MeterDataResult("green_button", unchanged=unchanged)
    _store_intervals(session, intervals, source, result)
    return result


class _Unresolved(ValueError):
    """A record names a meter or data stream this database does not have; the message says which."""


class _Resolver:
    def __init__(self, session: Session):
        self.session, self.meters = session, {}

    def register(self, nmi: str, serial: str, stream: str) -> tuple[Meter, str]:
        """The meter and register code a record's data stream lands on; _Unresolved says why there is none."""
        meter = self.meter(nmi, serial)
        for register in meter.registers:
            if register.stream and register.stream.upper() == stream:
                return meter, register.code
        code = DEFAULT_CODES.get(stream[:1])
        if code is None:
            raise _Unresolved(f"meter {meter.number} has no register for data stream {stream} "
                              "(set the register's data stream)")
        codes = {r.code for r in meter.registers}
        if code in codes or code == "1.8.0" and {"1.8.1", "1.8.2"} <= codes:
            return meter, code
        raise _Unresolved(f"meter {meter.number} has no register {code} for data stream {stream}")

    def meter(self, nmi: str, serial: str) -> Meter:
        key = (nmi, serial)
        if key not in self.meters:
            try:
                self.meters[key] = self._meter(nmi, serial)
            except _Unresolved as exc:
                self.meters[key] = exc
        if isinstance(self.meters[key], _Unresolved):
            raise self.meters[key]
        return self.meters[key]

    def _meter(self, nmi: str, serial: str) -> Meter:
        if serial:
            meter = self.session.scalar(sa.select(Meter).where(Meter.number == serial))
            if meter is None:
                raise _Unresolved(f"unknown meter {serial} (NMI {nmi})")
            return meter
        sp = self.session.scalar(sa.select(ServicePoint).where(ServicePoint.spn == nmi))
        if sp is None:
            raise _Unresolved(f"unknown service point {nmi} and no meter serial number")
        installation = current_meter_installation(self.session, sp.id)
        if installation is None:
            raise _Unresolved(f"service point {nmi} has no meter installed")
        return installation.meter


def _check_intervals(session: Session, resolver: _Resolver, channels: list[IntervalChannel],
                     problems: Problems) -> tuple[list[dict], int]:
    """New interval rows, after refusing unknown meters and channels and values that contradict stored ones."""
    wanted: dict[tuple, tuple] = {}
    for channel in channels:
        try:
            meter, code = resolver.register(channel.nmi, channel.serial, channel.stream)
        except _Unresolved as exc:
            problems.add(f"row {channel.line}: {exc}", channel.line)
            continue
        for start, minutes, value, quality in channel.intervals:
            value = value.quantize(STORED)     # compare as stored, so the same file again is unchanged
            key = (meter.id, code, start)
            if key in wanted and wanted[key][1] != value:
                problems.add(f"row {channel.line}: two different values for {code} at {start:%Y-%m-%d %H:%M} UTC",
                             channel.line)
                continue
            wanted[key] = (minutes, value, quality, channel.line)
    stored = _stored(session, wanted)
    fresh, unchanged = [], 0
    for (meter_id, code, start), (minutes, value, quality, line) in wanted.items():
        old = stored.get((meter_id, code, start))
        if old is None:
            fresh.append({"meter_id": meter_id, "channel": code, "start_at": start, "minutes": minutes,
                          "value": value, "quality": quality})
        elif old == value:
            unchanged += 1
        else:
            problems.add(f"row {line}: {code} at {start:%Y-%m-%d %H:%M} UTC already holds {old.normalize():f}, "
                         f"the file says {value.normalize():f}", line)
    return fresh, unchanged


def _stored(session: Session, wanted: dict) -> dict:
    spans = defaultdict(list)
    for meter_id, code, start in wanted:
        spans[(meter_id, code)].append(start)
    out = {}
    for (meter_id, code), starts in spans.items():
        for start, value in session.execute(
                sa.select(IntervalReading.start_at, IntervalReading.value)
                .where(IntervalReading.meter_id == meter_id, IntervalReading.channel == code,
                       IntervalReading.start_at >= min(starts), IntervalReading.start_at <= max(starts))):
            out[(meter_id, code, start)] = value
    return out


def _store_intervals(session: Session, rows: list[dict], source: str, result: MeterDataResult) -> None:
    for start in range(0, len(rows), 20000):
        insert_rows(session, IntervalReading.__table__,
                    [{**row, "source": source} for row in rows[start:start + 20000]])
    result.intervals = len(rows)
    if rows:
        record_bulk(session, "interval_readings", {"rows": len(rows), "source": source, "by": acting_name()})
