"""Reading numbers and dates from query strings, forgivingly: a value that cannot be used is ignored, as
if it were absent. Numbers are ASCII digits within the range of the database's integer ids; dates lie in
the business window of models.limits. (The strict readers of form and JSON fields are portal.params.)
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from models.clock import today
from models.limits import EARLIEST_DAY, latest_day

ID_MAX = 2**31 - 1          # the largest id an Integer primary key holds on PostgreSQL


def optional_int(value: str | None, high: int = ID_MAX) -> int | None:
    """A whole number of ASCII digits up to `high`, or None when it is empty or anything else."""
    value = (value or "").strip() if isinstance(value, str) else ""
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    number = int(value)
    return number if number <= high else None


def optional_date(value: str | None, default: date | None = None) -> date | None:
    """A YYYY-MM-DD value inside the business window, or the default when it is empty or anything else."""
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return default
    return day if day is not None and EARLIEST_DAY <= day <= latest_day() else default


def date_range(args: Mapping[str, str], days: int) -> tuple[date, date]:
    """The report interval from `date_from`/`date_to`; by default the last `days` days up to today."""
    date_to = optional_date(args.get("date_to"), today())
    return optional_date(args.get("date_from"), date_to - timedelta(days=days)), date_to
