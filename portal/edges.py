"""The request edge: run one operation, commit once, or roll back whole and tell the user why."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash

from models.base import db
from models.errors import DomainError


def commit_or_flash(action: Callable[[], object], success: str | Callable[[object], str | tuple[str, str]]) -> bool:
    """Run `action`; on success commit and flash `success` (text, or built from the action's result,
    optionally as (text, category));
    on a DomainError roll back everything it did and flash the reason. Returns whether it succeeded."""
    try:
        result = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    message = success(result) if callable(success) else success
    message, category = message if isinstance(message, tuple) else (message, "success")
    flash(message, category)
    return True
