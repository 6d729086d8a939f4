"""Who may do what: role checks for pages, the API's JSON refusals, and the audit actor.

Also how a login lives and ends: failed-login locks and the per-address limit, idle and absolute
session lifetimes, sessions ended at logout, the password rules of Flask-Security's forms, and mail.
"""
from __future__ import annotations

import math
from functools import wraps

from flask import Flask, abort, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, user_logged_out
from flask_mailman import Mail
from flask_security import ChangePasswordForm, LoginForm, ResetPasswordForm, logout_user
from flask_security.core import FormInfo
from flask_security.signals import password_reset, user_authenticated, user_failed_authn

from models.audit.recorder import Actor, set_actor_provider
from models.base import db
from models.clock import now_utc
from models.errors import DomainError
from models.transactions import transaction
from models.users.operations import check_password, end_sessions, note_failed_login, note_login, unlock_user
from models.users.roles import ANY_STAFF, holds_any_role  # noqa: F401  ANY_STAFF: the portal's views import it here
from portal.extensions import limiter, security

mail = Mail()


def has_any_role(*roles: str) -> bool:
    return holds_any_role(current_user, *roles)


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


def is_api_request() -> bool:
    """The one test of whether a request is an API call (JSON answers, token auth)."""
    return request.path.startswith("/api/")


def _unauthenticated(mechanisms=None, headers=None):
    if is_api_request():
        return jsonify(code=401, status="Unauthorized",
                       message="send a valid API token in the Authentication-Token header"), 401
    return redirect(url_for("security.login", next=request.full_path))


def _unauthorized(func_name, params):
    if is_api_request():
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


class CmsLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not current_app.config["CMS_REMEMBER_DAYS"]:
            del self["remember"]   # no checkbox, and a posted `remember` is ignored


def _strong_enough(field, user) -> bool:
    """The rules `cms users create` and the admin apply (models.users.operations.check_password)."""
    try:
        check_password(field.data, getattr(user, "email", None), getattr(user, "full_name", None))
    except DomainError as exc:
        field.errors.append(f"Password {exc.message}")
        return False
    return True


class CmsResetPasswordForm(ResetPasswordForm):
    def validate(self, **kwargs) -> bool:
        return super().validate(**kwargs) and _strong_enough(self.password, self.user)


class CmsChangePasswordForm(ChangePasswordForm):
    def validate(self, **kwargs) -> bool:
        return super().validate(**kwargs) and _strong_enough(self.new_password, current_user)


def _failed_login(app, user, **extra) -> None:
    """A wrong password for a known account: counted, and the lock it may cause is audited."""
    with transaction(Actor(None, f"login from {request.remote_addr}")):  # the login view commits only on success
        note_failed_login(db.session, user)


def _logged_in(app, user, **extra) -> None:
    note_login(user)      # committed by Flask-Security's login view
    session["cms_since"] = session["cms_seen"] = now_utc().timestamp()


def _logged_out(app, user, **extra) -> None:
    """Logging out ends the user's sessions everywhere, so a copied cookie dies with it.

    Only the logout button does this: an idle timeout ends this browser's session alone.
    """
    if request.endpoint == "security.logout" and user is not None and user.is_authenticated:
        with transaction():
            end_sessions(user)


def _password_reset(app, user, **extra) -> None:
    unlock_user(db.session, user)   # committed by the reset view


def _session_lifetime():
    """End a browser session idle for CMS_SESSION_IDLE_MINUTES or older than CMS_SESSION_MAX_HOURS.

    The times live in the signed session cookie, so a copied cookie ages exactly like the original.
    """
    if "_user_id" not in session:
        return None
    now = now_utc().timestamp()
    since, seen = session.setdefault("cms_since", now), session.get("cms_seen", now)
    idle = current_app.config["CMS_SESSION_IDLE_MINUTES"] * 60
    if now - seen > idle or now - since > current_app.config["CMS_SESSION_MAX_HOURS"] * 3600:
        logout_user()
        for key in ("cms_since", "cms_seen"):
            session.pop(key, None)
        flash("Your session has ended (idle too long, or open too long). Please log in again.", "info")
        return None
    session["cms_seen"] = now
    return None


def _login_address_limit() -> str:
    return current_app.config["CMS_LOGIN_ADDRESS_LIMIT"]


def _failed(response) -> bool:
    # Only failures count, so an office behind one address logging in at 8:00 is never refused.
    return not current_user.is_authenticated


def _note_retry(limit) -> None:
    g.cms_login_retry_at = limit.reset_at   # for the message; the app's error page shows the 429


def _too_many_logins() -> str:
    seconds = int(g.get("cms_login_retry_at", 0) - now_utc().timestamp())   # as Retry-After counts them
    minutes = max(1, math.ceil(seconds / 60))
    return f"Too many failed logins from your address. Try again in {minutes} minute{'s' * (minutes > 1)}."


# One object for every app (create_app may run more than once in a process), so the limit counts once.
LOGIN_ADDRESS_LIMIT = limiter.limit(_login_address_limit, methods=["POST"], deduct_when=_failed,
                                    on_breach=_note_retry, error_message=_too_many_logins)


def init_app(app: Flask) -> None:
    security.unauthn_handler(_unauthenticated)
    security.unauthz_handler(_unauthorized)
    set_actor_provider(_actor)
    mail.init_app(app)
    security.set_form_info("login_form", FormInfo(cls=CmsLoginForm))
    security.set_form_info("reset_password_form", FormInfo(cls=CmsResetPasswordForm))
    security.set_form_info("change_password_form", FormInfo(cls=CmsChangePasswordForm))
    user_failed_authn.connect(_failed_login, app)
    user_authenticated.connect(_logged_in, app)
    user_logged_out.connect(_logged_out, app)
    password_reset.connect(_password_reset, app)
    app.before_request(_session_lifetime)
    app.view_functions["security.login"] = LOGIN_ADDRESS_LIMIT(app.view_functions["security.login"])
