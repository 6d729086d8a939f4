"""The utility's business calendar: which days are public holidays, so that a due date never falls on one.

The holidays come from the `holidays` package for the country in CMS_HOLIDAY_COUNTRY (ISO 3166 code,
Indonesia by default; empty for none). Weekends are not skipped: PLN's payment points and online
channels take payments on Saturdays and Sundays, but not every bank on a public holiday.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

DEFAULT_COUNTRY = "ID"


class CalendarSettingError(ValueError):
    """A calendar setting that cannot be used; the message names the variable."""


class _Settings:
    country: str | None = DEFAULT_COUNTRY


_settings = _Settings()


def configure(country: str | None) -> None:
    """Set the holiday country (create_app passes CMS_HOLIDAY_COUNTRY); refuse one `holidays` does not know."""
    country = (country or "").strip().upper() or None
    if country is not None and country not in holidays.list_supported_countries():
        raise CalendarSettingError(f"CMS_HOLIDAY_COUNTRY: '{country}' is not a country the holidays package "
                                   f"knows (an ISO 3166 code such as {DEFAULT_COUNTRY}, or empty for none)")
    _settings.country = country
    _holidays.cache_clear()


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


def first_working_day(day: date) -> date:
    """`day`, or the first day after it that is not a public holiday."""
    if _settings.country is None:
        return day
    while day in _holidays(_settings.country, day.year):
        day += timedelta(days=1)
    return day
