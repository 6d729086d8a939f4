"""The application clock: the one place that knows what day and time it is.

Business dates (reading days, periods, due dates) are the utility's local day, not UTC's: a reading
entered at 06:30 in Jakarta on the 1st is dated the 1st although UTC still says the 31st. Stored
instants stay timezone-aware UTC. Everything (operations, views, CLI, Celery tasks, the BPMN engine's
timers, the demo loader) asks this module, never `date.today()` or `datetime.now()`, so that a test can
freeze time in one place and a training instance can run on a chosen day.

Configuration (environment, or `configure()` from the application's config):
- CMS_TIMEZONE: the utility's time zone (IANA name), Asia/Jakarta by default.
- CMS_CLOCK_START: a local date (2027-02-28) or date and time (2027-02-28T06:30) the clock starts at
  when the process starts; it runs on from there. For training instances and for the processes a test
  starts; never set in production (the portal shows a banner while it is set).
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Jakarta"


class ClockSettingError(ValueError):
    """A clock setting that cannot be used; the message names the variable."""


class _Settings:
    zone: ZoneInfo | None = None
    start: datetime | None = None        # where a shifted clock started (UTC), for the banner
    offset = timedelta(0)
    loaded = False


_settings = _Settings()


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ClockSettingError(f"CMS_TIMEZONE: '{name}' is not a time zone (an IANA name such as "
                                f"{DEFAULT_ZONE})") from exc


def parse_local_instant(text: str, zone: ZoneInfo) -> datetime:
    """A local date or date-time (YYYY-MM-DD[THH:MM]) as a UTC instant; a date alone means 06:30 local."""
    text = text.strip()
    try:
        if "T" in text or " " in text:
            local = datetime.fromisoformat(text)
        else:
            local = datetime.combine(date.fromisoformat(text), time(6, 30))
    except ValueError as exc:
        raise ClockSettingError(f"'{text}' is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM)") from exc
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(UTC)


def configure(timezone: str | None = None, start: str | None = None) -> None:
    """Set the zone and the shifted start; None takes the environment's value. Bad values raise at once."""
    zone = parse_zone(timezone or os.environ.get("CMS_TIMEZONE") or DEFAULT_ZONE)
    start = start if start is not None else os.environ.get("CMS_CLOCK_START", "")
    _settings.zone, _settings.offset, _settings.start = zone, timedelta(0), None
    if start.strip():
        try:
            begins = parse_local_instant(start, zone)
        except ClockSettingError as exc:
            raise ClockSettingError(f"CMS_CLOCK_START: {exc}") from exc
        _settings.start, _settings.offset = begins, begins - datetime.now(UTC)
    _settings.loaded = True


def _loaded() -> _Settings:
    if not _settings.loaded:
        configure()
    return _settings


def business_zone() -> ZoneInfo:
    return _loaded().zone


def now_utc() -> datetime:
    return datetime.now(UTC) + _loaded().offset


def now_local() -> datetime:
    return now_utc().astimezone(business_zone())


def today() -> date:
    """The utility's business day."""
    return now_local().date()


def local_day(instant: datetime) -> date:
    """The business day an instant falls on."""
    return instant.astimezone(business_zone()).date()


@contextlib.contextmanager
def back_to(instant: datetime) -> Iterator[None]:
    """Run the block as if it were `instant` (never later than now): back-billing the demo's history issues
    each month's bills on their own day. Process-wide: only for single-threaded batch work (a CLI command)."""
    shift = min(instant - now_utc(), timedelta(0))
    _loaded().offset += shift
    try:
        yield
    finally:
        _settings.offset -= shift


def shifted_start() -> datetime | None:
    """Where the clock was started when CMS_CLOCK_START shifts it, else None."""
    return _loaded().start
