"""Configuration from the environment (CMS_*), with defaults for one machine."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


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
    database_url = env("CMS_DATABASE_URL") or f"sqlite:///{instance / 'cms.sqlite3'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "SECRET_KEY": env("CMS_SECRET_KEY") or _instance_secret(instance, "secret_key"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CMS_BROKER_URL": env("CMS_BROKER_URL") or f"sqla+sqlite:///{instance / 'broker.sqlite3'}",
        "CMS_RESULT_BACKEND": env("CMS_RESULT_BACKEND") or f"db+sqlite:///{instance / 'results.sqlite3'}",
        "CMS_CURRENCY": env("CMS_CURRENCY", "IDR"),
        # The application clock (models/clock.py): the utility's time zone, and a start date for
        # training instances (never in production).
        "CMS_TIMEZONE": env("CMS_TIMEZONE") or "Asia/Jakarta",
        "CMS_CLOCK_START": env("CMS_CLOCK_START", ""),
        "CMS_TIMER_WAKE_SECONDS": float(env("CMS_TIMER_WAKE_SECONDS", "30")),
        # The largest request (a reading file upload) and file `cms import readings` takes; a larger one
        # is refused (413) before it is read.
        "MAX_CONTENT_LENGTH": int(float(env("CMS_MAX_UPLOAD_MB", "64")) * 1024 * 1024),
        # Flask-Limiter: counts shared by every web process when this names a Redis server
        "RATELIMIT_STORAGE_URI": env("CMS_RATELIMIT_STORAGE_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Flask-Security-Too
        "SECURITY_PASSWORD_SALT": env("CMS_PASSWORD_SALT") or _instance_secret(instance, "password_salt"),
        "SECURITY_PASSWORD_HASH": "argon2",
        "SECURITY_PASSWORD_LENGTH_MIN": 8,
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
