"""Domain errors and the translation of database refusals into messages a clerk can act on."""
from __future__ import annotations

import logging
import re

from sqlalchemy.exc import IntegrityError

from models.base import db

log = logging.getLogger(__name__)
# What a user reads when no rule explains a refusal: the driver's own text names tables and values.
DATABASE_REFUSED = "the database refused this change"


class Refusal(Exception):
    """Work refused with a reason for its user; `field` names the input at fault when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{_label(self.field)}: {self.message}" if self.field else self.message


class DomainError(Refusal):
    """A business rule refused an operation: the input's fault, to show beside it."""


class Conflicting(DomainError):
    """The request contradicts what was recorded before (an idempotency key reused for another request): HTTP 409."""


class InvalidTransition(DomainError):
    pass


class NotFound(DomainError):
    """No record has the key the caller gave; a page of that one record answers 404."""


def _label(name: str | None) -> str:
    return (name or "").replace("_", " ").strip().capitalize()


def _constraint_index():
    by_name, by_columns = {}, {}
    for table in db.metadata.tables.values():
        for constraint in list(table.constraints) + list(table.indexes):
            name = getattr(constraint, "name", None)
            cols = frozenset(c.name for c in getattr(constraint, "columns", []))
            if name:
                by_name[str(name)] = (table, constraint, cols)
            if cols:
                by_columns[(table.name, cols)] = (table, constraint, cols)
    return by_name, by_columns


def _explain(table, constraint, cols, kind: str) -> DomainError:
    info = getattr(constraint, "info", {}) or {}
    field = info.get("field") or (sorted(cols)[-1] if cols else None)
    if "message" in info:
        return DomainError(info["message"], field)
    if kind == "unique":
        return DomainError("already exists" + (
            f" (must be unique with {', '.join(sorted(cols - {field}))})" if len(cols) > 1 else ""), field)
    return DomainError(f"violates rule {constraint.name} on {table.name}", field)


def describe_integrity_error(exc: IntegrityError) -> DomainError:
    """Name the field and the rule behind a database refusal, on SQLite and PostgreSQL alike."""
    by_name, by_columns = _constraint_index()
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg
        if diag.constraint_name and diag.constraint_name in by_name:
            table, constraint, cols = by_name[diag.constraint_name]
            kind = "unique" if getattr(orig, "sqlstate", "") == "23505" else "check"
            return _explain(table, constraint, cols, kind)
        if getattr(orig, "sqlstate", "") == "23502":
            return DomainError("is required", diag.column_name)
        if getattr(orig, "sqlstate", "") == "23503":
            return DomainError("refers to a record that does not exist, or is still referred to by others")
        return _unexplained(exc)
    text = str(orig)
    if m := re.search(r"UNIQUE constraint failed: (.+)$", text):
        pairs = [p.strip().split(".", 1) for p in m.group(1).split(",")]
        key = (pairs[0][0], frozenset(c for _, c in pairs))
        if key in by_columns:
            return _explain(*by_columns[key], "unique")
        return DomainError("already exists", pairs[-1][1])
    if m := re.search(r"CHECK constraint failed: (\w+)", text):
        if m.group(1) in by_name:
            return _explain(*by_name[m.group(1)], "check")
    if m := re.search(r"NOT NULL constraint failed: \w+\.(\w+)", text):
        return DomainError("is required", m.group(1))
    if "FOREIGN KEY constraint failed" in text:
        return DomainError("refers to a record that does not exist, or is still referred to by others")
    return _unexplained(exc)


def _unexplained(exc: IntegrityError) -> DomainError:
    log.error("a database refusal no rule explains", exc_info=exc)
    return DomainError(DATABASE_REFUSED)
