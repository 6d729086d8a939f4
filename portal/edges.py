"""The request's side of the one transaction edge (models.transactions): run the work as the signed-in
user, commit once, and tell the user why when it was refused.

Pages use `commit_or_flash` (a flash, then the view redirects or re-renders); the API and any view that
prefers to raise use `request_transaction`, whose DomainError the app's handler turns into a JSON 4xx
naming the field (portal.views.register_views).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from flask import flash, has_request_context, request

from models.audit.recorder import Actor, current_actor
from models.errors import Refusal
from models.transactions import transaction


def reads_only() -> bool:
    """A GET page only reads: on SQLite its transaction need not take the write lock."""
    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")


def request_actor() -> Actor:
    """The signed-in user (the audit provider portal.auth registers), else the system."""
    return current_actor()


@contextlib.contextmanager
def request_transaction() -> Iterator[None]:
    with transaction(request_actor()):
        yield


def commit_or_flash(action: Callable[[], object], success: str | Callable[[object], str | tuple[str, str]]) -> bool:
    """Run `action` as one transaction; on success flash `success` (text, or built from the action's
    result, optionally as (text, category)); on a refusal flash the reason. Returns whether it succeeded."""
    try:
        with request_transaction():
            result = action()
    except Refusal as exc:
        flash(str(exc), "error")
        return False
    message = success(result) if callable(success) else success
    message, category = message if isinstance(message, tuple) else (message, "success")
    flash(message, category)
    return True
