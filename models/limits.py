"""Limits that come from the schema, checked one way before the database sees a value.

The column says what fits: a String's length, an Integer's range, a Numeric's digits and decimals, a
date inside the business window. `check_flush` runs before every ORM flush and refuses a value that
does not fit with the field named, identically on SQLite (which would store it) and PostgreSQL (which
would answer an error). Typed input is parsed here too: whole numbers and decimals in ASCII digits only
(Arabic-Indic or full-width digits are not read as numbers), never NaN or Infinity.

A column can narrow its limits in `info`: `pattern` (identifiers such as meter numbers, SPNs and
document numbers: IDENTIFIER), `min` / `max` for numbers, `years_ahead` for dates that lie further out
than the business window (a calibration due in fifteen years). Bulk Core inserts (the million-row
imports) validate their own rows.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from models.clock import today
from models.errors import DomainError

EARLIEST_DAY = date(1900, 1, 1)
YEARS_AHEAD = 10
INT_MAX = {sa.SmallInteger: 2**15 - 1, sa.Integer: 2**31 - 1, sa.BigInteger: 2**63 - 1}
ASCII_INT = re.compile(r"[+-]?[0-9]+")
ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Letters, digits and the separators manufacturers and utilities print: no spaces, controls or marks.
# No slash: meter numbers and SPNs are path segments of their pages' URLs.
IDENTIFIER = r"[A-Za-z0-9][A-Za-z0-9._-]*"
IDENTIFIER_PART = r"[A-Za-z0-9._-]*"          # a prefix, which may be empty
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def latest_day(years: int = YEARS_AHEAD) -> date:
    now = today()
    return now.replace(year=now.year + years, day=28 if now.month == 2 and now.day == 29 else now.day)


def check_business_date(value: date | None, field: str, years_ahead: int = YEARS_AHEAD) -> date | None:
    """A business date lies between 1900 and ten years ahead: 0001-01-01 or 9999-12-31 are typing errors."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    last = latest_day(years_ahead)
    if not EARLIEST_DAY <= day <= last:
        raise DomainError(f"{day.isoformat()} is outside {EARLIEST_DAY.isoformat()} to {last.isoformat()}", field)
    return value


def parse_int(text, field: str, low: int | None = None, high: int | None = None, unit: str = "") -> int | None:
    """A whole number typed by a person ('' is None); the message says what would be right."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool) or not isinstance(text, int | str):
        raise DomainError("must be a whole number", field)
    raw = str(text).strip()
    if not ASCII_INT.fullmatch(raw):
        raise DomainError(f"must be a whole number{' of ' + unit if unit else ''}, not '{raw[:40]}'", field)
    number = int(raw)
    _check_range(number, field, low, high, unit)
    return number


def parse_decimal(text, field: str, low: Decimal | None = None, high: Decimal | None = None,
                  places: int | None = None) -> Decimal | None:
    """A decimal typed by a person ('' is None): ASCII digits, finite, within range and decimal places."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool) or not isinstance(text, int | float | str | Decimal):
        raise DomainError("must be a number", field)
    raw = str(text).strip()
    if not ASCII_DECIMAL.fullmatch(raw):
        raise DomainError(f"'{raw[:40]}' is not a number", field)
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:     # the pattern admits only finite decimals; kept for safety
        raise DomainError(f"'{raw[:40]}' is not a number", field) from exc
    if places is not None and -number.as_tuple().exponent > places:
        raise DomainError(f"must have at most {places} decimal places", field)
    _check_range(number, field, low, high)
    return number


def _check_range(number, field: str, low, high, unit: str = "") -> None:
    suffix = f" {unit}" if unit else ""
    if low is not None and high is not None and not low <= number <= high:
        raise DomainError(f"must be between {low:,}{suffix} and {high:,}{suffix}", field)
    if low is not None and number < low:
        raise DomainError(f"must be at least {low:,}{suffix}", field)
    if high is not None and number > high:
        raise DomainError(f"must be at most {high:,}{suffix}", field)


def check_text(value: str, field: str, length: int | None = None, pattern: str | None = None) -> str:
    if "\x00" in value:
        raise DomainError("must not contain NUL characters", field)
    if length is not None and len(value) > length:
        raise DomainError(f"must be at most {length:,} characters (this is {len(value):,})", field)
    if pattern is not None and not re.fullmatch(pattern, value, flags=re.ASCII):
        raise DomainError("may hold only letters A-Z, digits and . _ - (no spaces, starting with a letter "
                          "or digit)", field)
    if pattern is not None and UNPRINTABLE.search(value):
        raise DomainError("must not contain control or direction characters", field)
    return value


def check_column(column: sa.Column, value, field: str | None = None) -> None:
    """Refuse a value its column cannot hold, naming the field."""
    if value is None:
        return
    field = field or column.key
    kind = column.type
    if isinstance(kind, sa.Enum) or isinstance(value, bool):
        return
    if isinstance(value, str):
        check_text(value, field, getattr(kind, "length", None), column.info.get("pattern"))
    elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float) and isinstance(value, Decimal | int | float):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        _check_numeric(number, kind, field)
        _check_range(number, field, column.info.get("min"), column.info.get("max"))
    elif isinstance(kind, sa.Integer) and isinstance(value, int):
        high = next((limit for base, limit in INT_MAX.items() if type(kind) is base), 2**31 - 1)
        _check_range(value, field, column.info.get("min", -high - 1), column.info.get("max", high))
    elif isinstance(value, date):
        check_business_date(value, field, column.info.get("years_ahead", YEARS_AHEAD))


def check_row(table: sa.Table, row: dict) -> None:
    """check_column for a row written without the ORM (whose flush would have checked it)."""
    for key, value in row.items():
        check_column(table.c[key], value, key)


def _check_numeric(value: Decimal, kind: sa.Numeric, field: str) -> None:
    if not value.is_finite():
        raise DomainError("must be a number (not NaN or infinite)", field)
    precision, scale = kind.precision, kind.scale or 0
    if precision is None:
        return
    integer_digits = max(value.adjusted() + 1, 0)
    if integer_digits > precision - scale:
        raise DomainError(f"is too large: at most {precision - scale} digits before the decimal point", field)
    if -value.as_tuple().exponent > scale and value != value.quantize(Decimal(1).scaleb(-scale)):
        raise DomainError(f"must have at most {scale} decimal places", field)


def check_object(obj) -> None:
    """Every column value of a new or changed object that does not fit its column."""
    state = inspect(obj)
    mapper = state.mapper
    for attr in mapper.column_attrs:
        if not state.has_identity or attr.key in state.committed_state or state.attrs[attr.key].history.has_changes():
            value = state.dict.get(attr.key)
            for column in attr.columns:
                if isinstance(column, sa.Column) and column.table is not None:
                    check_column(column, value, attr.key)


def check_flush(session: Session, _context, _instances) -> None:
    for obj in list(session.new) + [o for o in session.dirty if session.is_modified(o, include_collections=False)]:
        check_object(obj)


def install() -> None:
    """Check limits before every ORM flush, on every session (idempotent)."""
    if not event.contains(Session, "before_flush", check_flush):
        event.listen(Session, "before_flush", check_flush)
