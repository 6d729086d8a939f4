"""AEMO MDFF NEM12 (interval) and NEM13 (accumulation) files, read strictly.

Market data files are lenient in practice (nem-reader guesses around missing headers and short
rows); a utility importing them must not: a file with no 100 header, no 900 end, a 300 record whose
value count does not match its 200 record's interval length, 400 events outside the day's
intervals or leaving intervals uncovered, or a value that is not a number is refused whole, each
problem with its line. Times are NEM time (UTC+10, no daylight saving).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from models.readings.formats import FileRefused, Problems, lines

NEM_TIME = timezone(timedelta(hours=10))
INTERVALS = {5, 15, 30}
# energy units to kWh / kVArh
UNITS = {"wh": Decimal("0.001"), "kwh": Decimal(1), "mwh": Decimal(1000),
         "varh": Decimal("0.001"), "kvarh": Decimal(1), "mvarh": Decimal(1000)}
QUALITY = re.compile(r"^(A|N|V|[EFS]\d{2})$")


@dataclass
class IntervalChannel:
    line: int
    nmi: str
    serial: str
    stream: str                  # NMI suffix: E1, B1, Q1, K1...
    minutes: int
    intervals: list = field(default_factory=list)   # (start UTC, minutes, kWh or kVArh, quality)


@dataclass
class RegisterRead:
    line: int
    nmi: str
    serial: str
    stream: str
    day: date
    value: Decimal
    estimated: bool


@dataclass
class NemFile:
    version: str
    channels: list[IntervalChannel]
    reads: list[RegisterRead]
    notes: list[str] = field(default_factory=list)    # what was left out or looks odd, the file still good


def is_nem(text: str) -> bool:
    head = text.lstrip("\ufeff").lstrip()[:40].upper()
    return head.startswith(("100,NEM12", "100,NEM13", "200,", "250,"))


def parse_nem(text: str) -> NemFile:
    if not text or text.isspace():
        raise FileRefused(["the file is empty"])
    rows = csv.reader(lines(text.lstrip("\ufeff")))
    first = next(rows, [])
    if not first or first[0].strip() != "100" or len(first) < 2 or first[1].strip().upper() not in ("NEM12", "NEM13"):
        raise FileRefused(["line 1: the file must start with a 100 header record naming NEM12 or NEM13"])
    version = first[1].strip().upper()
    reader = _Reader(version)
    # Rows are read as they come; a record is taken once the next one shows it is not the file's last,
    # which must be the 900 end record. Empty lines count only when more records follow them.
    held, last, blanks = None, 1, []
    for n, row in enumerate(rows, start=2):
        row = [cell.strip() for cell in row]
        if not any(row):
            blanks.append(n)
            continue
        if held is not None:
            reader.row(*held)
        for blank in blanks:
            reader.row(blank, [])
        held, last, blanks = (n, row), n, []
    if held is None or held[1][0] != "900":
        raise FileRefused([f"line {last}: the file must end with a 900 end record (it looks cut off)"])
    reader.finish_day()
    if reader.problems:
        raise FileRefused(reader.problems)
    if not reader.channels and not reader.reads:
        raise FileRefused(["the file holds no meter data (no 300 or 250 records)"])
    return NemFile(version, [c for c in reader.channels if c.intervals], reader.reads, reader.notes)


class _Reader:
    def __init__(self, version: str):
        self.version, self.problems = version, Problems()
        self.channels: list[IntervalChannel] = []
        self.reads: list[RegisterRead] = []
        self.channel: IntervalChannel | None = None
        self.factor = Decimal(1)
        self.day = None        # (line, date, values, quality) of a 300 record waiting for its 400 events
        self.events: list = []
        self.skipping = False       # inside a channel that is not energy (voltage, power factor)
        self.notes: list[str] = []

    def row(self, n: int, row: list[str]) -> None:
        kind = row[0] if row else ""
        if self.skipping and kind in ("300", "400"):
            return
        try:
            if kind == "200" and self.version == "NEM12":
                self.finish_day()
                self.start_channel(n, row)
            elif kind == "300" and self.version == "NEM12":
                self.finish_day()
                self.interval_day(n, row)
            elif kind == "400" and self.version == "NEM12":
                self.event(n, row)
            elif kind == "250" and self.version == "NEM13":
                self.accumulation(n, row)
            elif kind in ("500", "550"):
                pass           # B2B details: nothing a reading needs
            elif not any(row):
                raise ValueError("empty line inside the file")
            else:
                raise ValueError(f"record type '{kind}' does not belong in a {self.version} file")
        except ValueError as exc:
            self.problems.add(f"line {n}: {exc}", n)

    def start_channel(self, n: int, row: list[str]) -> None:
        if len(row) < 9:
            raise ValueError(f"200 record has {len(row)} fields; at least 9 are required")
        nmi, suffix, serial, unit, length = row[1], row[4], row[6], row[7], row[8]
        if not nmi or not suffix:
            raise ValueError("200 record without NMI or NMI suffix")
        self.skipping = unit.lower() not in UNITS
        if self.skipping:
            self.channel = None
            self.notes.append(f"line {n}: channel {nmi} {suffix} skipped: unit '{unit}' is not energy")
            return
        if not length.isdigit() or int(length) not in INTERVALS:
            self.channel = None
            raise ValueError(f"interval length '{length}' is not 5, 15 or 30 minutes")
        self.factor = UNITS[unit.lower()]
        self.channel = IntervalChannel(n, nmi, serial, suffix.upper(), int(length))
        self.channels.append(self.channel)

    def interval_day(self, n: int, row: list[str]) -> None:
        if self.channel is None:
            raise ValueError("300 record without a valid 200 record before it")
        count = 1440 // self.channel.minutes
        if len(row) < count + 3:
            raise ValueError(f"300 record has {max(len(row) - 3, 0)} interval values; "
                             f"{self.channel.minutes}-minute intervals need {count} and a quality flag")
        day = _date(row[1])
        quality = row[2 + count]
        if not QUALITY.match(quality):
            raise ValueError(f"expected the quality flag after {count} interval values, found '{quality}' "
                             f"(does the interval length {self.channel.minutes} of the 200 record fit?)")
        values = []
        for i, cell in enumerate(row[2:2 + count], start=1):
            try:
                value = Decimal(cell)
            except InvalidOperation:
                raise ValueError(f"interval {i} value '{cell}' is not a number") from None
            if not value.is_finite() or value < 0:
                raise ValueError(f"interval {i} value '{cell}' is not a non-negative number")
            values.append(value * self.factor)
        self.day, self.events = (n, day, values, quality), []

    def event(self, n: int, row: list[str]) -> None:
        if self.day is None:
            raise ValueError("400 record without a 300 record before it")
        if len(row) < 4:
            raise ValueError("400 record needs start interval, end interval and quality")
        count = len(self.day[2])
        if not (row[1].isdigit() and row[2].isdigit()) or not 1 <= int(row[1]) <= int(row[2]) <= count:
            raise ValueError(f"400 record intervals {row[1]}-{row[2]} are outside the day's 1-{count}")
        if not QUALITY.match(row[3]) or row[3] == "V":
            raise ValueError(f"400 record quality '{row[3]}' is not a quality flag")
        self.events.append((int(row[1]), int(row[2]), row[3]))

    def finish_day(self) -> None:
        if self.day is None:
            return
        n, day, values, quality = self.day
        self.day = None
        flags = [quality] * len(values)
        if quality == "V":
            covered = set()
            for start, end, flag in self.events:
                for i in range(start, end + 1):
                    if i in covered:
                        self.problems.add(f"line {n}: 400 records cover interval {i} twice", n)
                        return
                    covered.add(i)
                    flags[i - 1] = flag
            if len(covered) != len(values):
                self.problems.add(f"line {n}: quality V needs 400 records for all {len(values)} intervals; "
                                  f"they cover {len(covered)}", n)
                return
        elif self.events:
            self.problems.add(f"line {n}: 400 records follow a day whose quality is {quality}, not V", n)
            return
        if self.problems.full:
            return          # the file is refused: its good days need no keeping
        midnight = datetime(day.year, day.month, day.day, tzinfo=NEM_TIME)
        minutes = self.channel.minutes
        for i, (value, flag) in enumerate(zip(values, flags, strict=True)):
            if flag != "N":          # N: no data for the interval
                start = (midnight + timedelta(minutes=minutes * i)).astimezone(UTC)
                self.channel.intervals.append((start, minutes, value, flag))

    def accumulation(self, n: int, row: list[str]) -> None:
        if len(row) < 20:
            raise ValueError(f"250 record has {len(row)} fields; at least 20 are required")
        nmi, suffix, serial, unit = row[1], row[4], row[6], row[19]
        if unit.lower() not in UNITS:
            raise ValueError(f"unit '{unit}' is not an energy unit")
        factor = UNITS[unit.lower()]
        try:
            stated, difference = Decimal(row[18]), Decimal(row[13]) - Decimal(row[8])
            if row[8] and stated != difference:
                self.notes.append(f"line {n}: the file states {stated} {unit} but the reads differ by {difference}; "
                                  "consumption is taken from the reads")
        except InvalidOperation:
            pass                # the reads themselves are checked below
        for value, stamp, quality in ((row[8], row[9], row[10]), (row[13], row[14], row[15])):
            if not value and not stamp:
                continue
            if not QUALITY.match(quality) or quality in ("N", "V"):
                raise ValueError(f"quality '{quality}' is not A, E, S or F with a method")
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise ValueError(f"register read '{value}' is not a number") from None
            self.reads.append(RegisterRead(n, nmi, serial, suffix.upper(), _date(stamp[:8]), number * factor,
                                           quality[0] != "A"))


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"date '{text}' is not YYYYMMDD") from None
