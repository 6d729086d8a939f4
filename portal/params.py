"""Reading optional numbers and dates from query strings and forms: one way for every page."""
from __future__ import annotations

from datetime import date

from models.clock import today


def optional_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def optional_date(value: str | None, default: date | None = None) -> date | None:
    """A YYYY-MM-DD value, or the default when it is empty or not a date."""
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def form_date(value: str | None, field: str, default: date | None = None) -> date | None:
    """A date typed into a form: empty gives the default, anything else must be YYYY-MM-DD."""
    from models.errors import DomainError
    if not (value or "").strip():
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise DomainError("must be a date (YYYY-MM-DD)", field) from exc


def date_range(args, days: int) -> tuple[date, date]:
    """The report interval from `date_from`/`date_to`; by default the last `days` days up to today."""
    from datetime import timedelta
    date_to = optional_date(args.get("date_to"), today())
    return optional_date(args.get("date_from"), date_to - timedelta(days=days)), date_to
