"""Who may do what: role checks for pages, the API's JSON refusals, and the audit actor."""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort, jsonify, redirect, request, url_for
from flask_login import current_user

from models.audit.recorder import Actor, set_actor_provider
from models.users.entities import RoleName
from portal.extensions import security

ANY_STAFF = (RoleName.ADMIN, RoleName.PROCESS_OWNER, RoleName.CLERK)


def has_any_role(*roles: str) -> bool:
    return current_user.is_authenticated and any(current_user.has_role(str(r)) for r in roles)


def refuse():
    """Anonymous users go to the login page; signed-in users without the role get 403."""
    if not current_user.is_authenticated:
        return redirect(url_for("security.login", next=request.full_path))
    abort(403)


def roles_allowed(*roles: str):
    """Guard a portal page: any of the roles may open it."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not has_any_role(*roles):
                return refuse()
            return view(*args, **kwargs)
        return wrapper
    return decorator


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _unauthenticated(mechanisms=None, headers=None):
    if _is_api():
        return jsonify(code=401, status="Unauthorized",
                       message="send a valid API token in the Authentication-Token header"), 401
    return redirect(url_for("security.login", next=request.full_path))


def _unauthorized(func_name, params):
    if _is_api():
        return jsonify(code=403, status="Forbidden",
                       message=f"this token's user lacks the role ({', '.join(params or [])})"), 403
    abort(403)


def _actor() -> Actor | None:
    try:
        if current_user and current_user.is_authenticated:
            return Actor(current_user.id, current_user.email)
    except RuntimeError:  # outside a request
        return None
    return None


def init_app(app: Flask) -> None:
    security.unauthn_handler(_unauthenticated)
    security.unauthz_handler(_unauthorized)
    set_actor_provider(_actor)
