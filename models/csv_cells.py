"""CSV cells no spreadsheet runs as a formula: one rule for every download (the reports' and the admin's)."""
from __future__ import annotations

import re
from decimal import Decimal

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value):
    """A value as a CSV cell no spreadsheet runs: text that would start a formula gets a leading quote.

    Numbers stay numbers, "-12.5" written as text included, so a negative amount still sums; any other
    text starting with = + - @ tab or CR is prefixed with ', so it is read as text.
    """
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
