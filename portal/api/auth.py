"""Who calls the API: a named token (models/users/tokens.py) in the Authentication-Token header, on /api/ only.

This replaces Flask-Security's own token loader, which reads a token from the URL (?auth_token=) and
the body as well as the header, and lets a token open every page. Flask-Login asks the request loader
whenever no browser session names the user, so the loader answering None outside /api/ is what keeps
portal pages, the admin and the CSV exports token-proof: there a token is anonymous (login page).
Flask-Security's `auth_required("token")` asks the same loader, so the API views keep using it.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify, request
from flask_limiter.errors import RateLimitExceeded
from flask_security import auth_required, roles_accepted
from flask_security.utils import set_request_attr
from flask_smorest.error_handler import ErrorSchema
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models.base import db
from models.clock import now_utc
from models.users.tokens import (
    ApiToken,
    find_usable_token,
    hash_secret,
    last_use_is_stale,
    record_token_use,
    token_is_usable,
)
from portal.auth import is_api_request
from portal.extensions import limiter

HEADER = "Authentication-Token"
_CACHE = "cms.api_token"
# Names under which clients (and Flask-Security's own loader) put a token in the URL or a form.
MISPLACED_TOKEN_NAMES = {"auth_token", "api_token", "access_token", "authentication-token", "authentication_token"}
MISPLACED_TOKEN = ("API tokens are accepted only in the Authentication-Token header, never in the URL or the "
                   "request body: a token in a URL ends up in server logs and browser history, so revoke this one "
                   "(cms tokens revoke ID) and create a new one")


def current_token() -> ApiToken | None:
    """The usable token this API request carries, looked up once per request (the rate limit asks first)."""
    # Kept with the request, not in `g`: an app context (and so `g`) may outlive one request.
    if _CACHE not in request.environ:
        request.environ[_CACHE] = _resolve_token()
    return request.environ[_CACHE]


def _max_age() -> timedelta:
    value = current_app.config["SECURITY_TOKEN_MAX_AGE"]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def max_age_days() -> int:
    return max(1, _max_age().days)


def _resolve_token() -> ApiToken | None:
    secret = request.headers.get(HEADER, "").strip()
    if not is_api_request() or not secret:
        return None
    seconds = current_app.config["CMS_API_TOKEN_CACHE_SECONDS"]
    if seconds > 0 and (token := _TOKENS.get(hash_secret(secret), seconds)) is not None:
        return token if token_is_usable(token, _max_age()) else None   # its expiry is still exact
    token = find_usable_token(db.session, secret, _max_age())
    if token is None:
        return None
    if seconds > 0:
        _TOKENS.put(token)
    if last_use_is_stale(token):
        _record_use(token.id)
    return token


class _TokenMemory:
    """Tokens this process read lately, by hash, with their users and roles: reading them was a tenth or more of a
    payment post's CPU. It keeps detached copies (the request's own objects stay in its session), read-only and
    shared by a worker's threads, read again after CMS_API_TOKEN_CACHE_SECONDS, when the last use is recorded."""

    LIMIT = 1000     # tokens in use at once; only valid tokens enter, so a flood of bad ones cannot grow it

    def __init__(self) -> None:
        self._read: dict[str, tuple[datetime, ApiToken]] = {}
        self._lock = threading.Lock()

    def get(self, secret_hash: str, seconds: float) -> ApiToken | None:
        entry = self._read.get(secret_hash)
        if entry is None:
            return None
        age = (now_utc() - entry[0]).total_seconds()
        return entry[1] if 0 <= age < seconds else None    # a clock moved back reads it again

    def put(self, token: ApiToken) -> None:
        user = _detached_copy(token.user, roles=[_detached_copy(role) for role in token.user.roles])
        copy = _detached_copy(token, user=user)
        with self._lock:
            if len(self._read) >= self.LIMIT:
                self._read.clear()
            self._read[token.secret_hash] = (now_utc(), copy)


def _detached_copy(row, **related):
    """A copy of a loaded row with its columns and the given relationships, detached: added to a session by
    mistake it is an existing row (an UPDATE of what changed), never a second INSERT."""
    mapper = sa.inspect(type(row))
    copy = mapper.class_manager.new_instance()
    for attribute in mapper.column_attrs:
        set_committed_value(copy, attribute.key, getattr(row, attribute.key))
    for key, value in related.items():
        set_committed_value(copy, key, value)
    make_transient_to_detached(copy)
    return copy


_TOKENS = _TokenMemory()


def _record_use(token_id: int) -> None:
    # An API read begins a deferred SQLite transaction, which cannot write once it has read and another
    # connection committed (see models.base.tune_sqlite): end the read, write alone, commit. Nothing else
    # is pending this early in the request. The last use is bookkeeping: a busy database skips it.
    try:
        db.session.commit()
        record_token_use(db.session, token_id)
        db.session.commit()
    except OperationalError:
        db.session.rollback()


def _load_token_user(_request):
    token = current_token()
    if token is None:
        return None
    set_request_attr("fs_authn_via", "token")
    # A browser session on the same request must not lend its user's roles to the token's call.
    current_app.login_manager._update_request_context_with_user(token.user)
    return token.user


def _refuse_misplaced_token():
    if not is_api_request():
        return None
    names = {name.lower() for name in request.args}
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        names |= {name.lower() for name in request.form}
    elif request.is_json and isinstance(body := request.get_json(silent=True), dict):
        names |= {str(name).lower() for name in body}
    if names & MISPLACED_TOKEN_NAMES:
        return jsonify(code=401, status="Unauthorized", message=MISPLACED_TOKEN), 401
    return None


def _rate_limit_key() -> str:
    # The hash, not the id: ids come back after a rollback, a counter must not pass to another token.
    return f"api-token:{current_token().secret_hash}"


# One object for every app (create_app may run more than once in a process): Flask-Limiter keeps a
# blueprint's limits in a set, so re-registering it does not count each call twice.
TOKEN_RATE_LIMIT = limiter.limit(lambda: current_app.config["CMS_API_RATE_LIMIT"], key_func=_rate_limit_key,
                                 # without a valid token the answer is a cheap 401; the limit is per token
                                 exempt_when=lambda: current_token() is None)


def _too_many_requests(error: RateLimitExceeded):
    return jsonify(code=429, status="Too Many Requests",
                   message=f"this token may make {error.description} requests; "
                           "wait for the number of seconds in the Retry-After header"), 429


def protect_blueprint(blueprint: Blueprint) -> None:
    """Rate-limit an API blueprint per token and answer its 429 in JSON (Retry-After comes from the limiter)."""
    TOKEN_RATE_LIMIT(blueprint)
    if RateLimitExceeded not in blueprint.error_handler_spec[None][429]:  # a blueprint is set up once
        blueprint.register_error_handler(RateLimitExceeded, _too_many_requests)


RETRY_AFTER = {"Retry-After": {"description": "seconds until this token may call again",
                               "schema": {"type": "integer"}}}


def token_required(blp, *roles: str):
    """An API operation: a valid token of a user with one of `roles`; documents its refusals."""
    def decorator(view):
        checked = auth_required("token")(roles_accepted(*roles)(view))

        @wraps(checked)
        def guarded(*args, **kwargs):
            # Only a header token opens the API, and no browser sends one by itself: there is nothing for
            # a cross-site request to forge, so Flask-Security's CSRF check of token requests is moot.
            set_request_attr("csrf_valid", True)
            return checked(*args, **kwargs)
        guarded = blp.alt_response(401, schema=ErrorSchema, description="Missing, invalid, expired or revoked "
                                   "token, or a token outside the Authentication-Token header")(guarded)
        guarded = blp.alt_response(403, schema=ErrorSchema, description="The token's user lacks the role")(guarded)
        guarded = blp.alt_response(429, schema=ErrorSchema, headers=RETRY_AFTER,
                                   description="Too many requests with this token")(guarded)
        # portal.params.refuse_malformed_input and portal.views' busy-database answer reach every operation
        guarded = blp.alt_response(400, schema=ErrorSchema, description="Malformed input (a NUL character)")(guarded)
        guarded = blp.alt_response(503, schema=ErrorSchema, headers=RETRY_AFTER,
                                   description="The database is busy: nothing was done, try again")(guarded)
        return blp.doc(security=[{"apiToken": []}])(guarded)
    return decorator


def init_app(app: Flask) -> None:
    """Install the API's token loader in place of Flask-Security's (call after security.init_app)."""
    app.login_manager.request_loader(_load_token_user)
    app.before_request(_refuse_misplaced_token)
