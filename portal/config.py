"""Configuration from the environment (CMS_*), with defaults for one machine."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from models.users.operations import FIRST_LOCK, LOCK_AFTER_FAILURES, MIN_PASSWORD_LENGTH
from portal import rate_limits


def _instance_secret(instance: Path, name: str) -> str:
    """A random secret kept in instance/ so that sessions survive restarts without configuration."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(instance_path: str) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    env = os.environ.get
    https = env("CMS_HTTPS", "").strip().lower() in ("1", "true", "yes")
    remember_days = int(env("CMS_REMEMBER_DAYS", "0"))
    database_url = env("CMS_DATABASE_URL") or f"sqlite:///{instance / 'cms.sqlite3'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    ping_after = max(0.0, float(env("CMS_DB_PING_AFTER_IDLE_SECONDS", "1")))
    return {
        "SECRET_KEY": env("CMS_SECRET_KEY") or _instance_secret(instance, "secret_key"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A pooled connection idle this long is checked before use (models.base.ping_idle_connections); 0:
        # every checkout is (SQLAlchemy's pool_pre_ping).
        "CMS_DB_PING_AFTER_IDLE_SECONDS": ping_after,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": ping_after == 0},
        "CMS_BROKER_URL": env("CMS_BROKER_URL") or f"sqla+sqlite:///{instance / 'broker.sqlite3'}",
        "CMS_RESULT_BACKEND": env("CMS_RESULT_BACKEND") or f"db+sqlite:///{instance / 'results.sqlite3'}",
        "CMS_CURRENCY": env("CMS_CURRENCY", "IDR"),
        # The issuer printed on every invoice document (models/billing/documents.py Utility)
        "CMS_UTILITY_NAME": env("CMS_UTILITY_NAME") or "PT Watt Distribusi",
        "CMS_UTILITY_ADDRESS": env("CMS_UTILITY_ADDRESS") or "Jl. Gatot Subroto Kav. 18, Jakarta 12950",
        # The utility's direct-debit collection account (pain.008 creditor); demo values by default
        "CMS_DD_CREDITOR_NAME": env("CMS_DD_CREDITOR_NAME") or env("CMS_UTILITY_NAME") or "PT Watt Distribusi",
        "CMS_DD_CREDITOR_ACCOUNT": env("CMS_DD_CREDITOR_ACCOUNT") or "0011223344",
        "CMS_DD_CREDITOR_BIC": env("CMS_DD_CREDITOR_BIC") or "BMRIIDJA",
        "CMS_DD_CREDITOR_ID": env("CMS_DD_CREDITOR_ID") or "ID00ZZZ0000001",
        "CMS_PROXY_HOPS": int(env("CMS_PROXY_HOPS", "0") or 0),
        # The application clock (models/clock.py): the utility's time zone, and a start date for
        # training instances (never in production).
        "CMS_TIMEZONE": env("CMS_TIMEZONE") or "Asia/Jakarta",
        "CMS_CLOCK_START": env("CMS_CLOCK_START", ""),
        # Public holidays a due date moves off (models/calendar.py): an ISO country code, empty for none
        "CMS_HOLIDAY_COUNTRY": env("CMS_HOLIDAY_COUNTRY", "ID"),
        "CMS_TIMER_WAKE_SECONDS": float(env("CMS_TIMER_WAKE_SECONDS", "30")),
        # The largest request (a reading file upload) and file `cms import readings` takes; a larger one
        # is refused (413) before it is read.
        "MAX_CONTENT_LENGTH": int(float(env("CMS_MAX_UPLOAD_MB", "64")) * 1024 * 1024),
        # Flask-Limiter: counts shared by every web process when this names a Redis server
        "RATELIMIT_STORAGE_URI": env("CMS_RATELIMIT_STORAGE_URL") or f"{rate_limits.SCHEME}://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Calls one API token may make (Flask-Limiter notation); more are answered 429 with Retry-After
        "CMS_API_RATE_LIMIT": env("CMS_API_RATE_LIMIT") or "120/minute",
        # Seconds each web process reuses a token it read (with its user and roles) before reading it again;
        # a revoked token, a deactivated user or a removed role still counts that long; 0 reads it every call
        "CMS_API_TOKEN_CACHE_SECONDS": float(env("CMS_API_TOKEN_CACHE_SECONDS", "0")),
        # Flask-Security-Too
        "SECURITY_PASSWORD_SALT": env("CMS_PASSWORD_SALT") or _instance_secret(instance, "password_salt"),
        "SECURITY_PASSWORD_HASH": "argon2",
        # the same rules as `cms users create` and the admin (models.users.operations.check_password, run by
        # portal.auth's forms); Flask-Security's own zxcvbn call fails on passwords over 72 characters
        "SECURITY_PASSWORD_LENGTH_MIN": MIN_PASSWORD_LENGTH,
        "SECURITY_PASSWORD_COMPLEXITY_CHECKER": None,
        # one message for an unknown e-mail, a wrong password, a locked or a deactivated account
        "SECURITY_RETURN_GENERIC_RESPONSES": True,
        "SECURITY_MSG_GENERIC_AUTHN_FAILED": (
            f"Wrong e-mail or password. After {LOCK_AFTER_FAILURES} failures in a row the account is locked for "
            f"{FIRST_LOCK.seconds // 60} minutes (an administrator can unlock it).", "error"),
        "SECURITY_RECOVERABLE": True,
        # no DNS look-up of the domain: users are created by admins, and the look-up would stall offline
        "SECURITY_EMAIL_VALIDATOR_ARGS": {"check_deliverability": False},
        "SECURITY_RESET_PASSWORD_WITHIN": timedelta(hours=1),
        "SECURITY_EMAIL_HTML": False,
        "SECURITY_DEFAULT_REMEMBER_ME": False,
        # Sessions: signed cookies, never sent cross-site on a POST, Secure behind HTTPS; portal.auth
        # ends them when idle or too old, and at logout
        "CMS_HTTPS": https,
        "CMS_SESSION_IDLE_MINUTES": float(env("CMS_SESSION_IDLE_MINUTES", "30")),
        "CMS_SESSION_MAX_HOURS": float(env("CMS_SESSION_MAX_HOURS", "12")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=float(env("CMS_SESSION_MAX_HOURS", "12"))),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": https,
        "CMS_REMEMBER_DAYS": remember_days,   # 0: no "Remember me" on the login form
        "REMEMBER_COOKIE_DURATION": timedelta(days=remember_days or 1),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": https,
        # failed logins from one address (Flask-Limiter syntax); successful ones never count
        "CMS_LOGIN_ADDRESS_LIMIT": env("CMS_LOGIN_ADDRESS_LIMIT") or "20 per 10 minutes",
        # Flask-Mailman: without a server, mails (password reset links) are printed to stdout
        "MAIL_BACKEND": "smtp" if env("CMS_MAIL_SERVER") else "console",
        "MAIL_SERVER": env("CMS_MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env("CMS_MAIL_PORT", "587")),
        "MAIL_USERNAME": env("CMS_MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("CMS_MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": env("CMS_MAIL_USE_TLS", "yes").strip().lower() in ("1", "true", "yes"),
        "MAIL_DEFAULT_SENDER": env("CMS_MAIL_FROM") or "Watt CMS <no-reply@localhost>",
        "SECURITY_TRACKABLE": True,
        "SECURITY_REGISTERABLE": False,
        "SECURITY_SEND_REGISTER_EMAIL": False,
        "SECURITY_CHANGEABLE": True,
        "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": False,
        "SECURITY_POST_LOGIN_VIEW": "/",
        "SECURITY_POST_LOGOUT_VIEW": "/login",
        "SECURITY_TOKEN_AUTHENTICATION_HEADER": "Authentication-Token",
        "SECURITY_TOKEN_MAX_AGE": int(env("CMS_TOKEN_MAX_AGE_DAYS", "90")) * 86400,
        "SECURITY_CSRF_IGNORE_UNAUTH_ENDPOINTS": False,
        "SECURITY_USERNAME_ENABLE": False,
        "SECURITY_MSG_LOGIN": ("Please log in to use Watt CMS.", "info"),
        "WTF_CSRF_TIME_LIMIT": None,
        # flask-smorest: the OpenAPI document is generated from the API blueprints
        "API_TITLE": "Watt CMS API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Flask-Admin
        "FLASK_ADMIN_FLUID_LAYOUT": True,
    }
