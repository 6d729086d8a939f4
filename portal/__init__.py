"""The Flask application: create_app wires configuration, extensions, blueprints and the admin."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_security.utils import aware_utcnow

from models import schema  # noqa: F401  every table registered before anything maps or migrates
from models.audit import recorder
from models.base import db, tune_sqlite
from portal.config import load_config
from portal.extensions import csrf, migrate, rest_api, security, user_datastore

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "models" / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    instance = os.environ.get("CMS_INSTANCE_PATH") or str(Path.cwd() / "instance")
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(overrides or {})

    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine)
    recorder.install()
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)
    csrf.init_app(app)

    from portal import auth
    security.init_app(app, user_datastore, datetime_factory=aware_utcnow)
    auth.init_app(app)

    rest_api.init_app(app)
    from portal.api import register_api
    for blueprint in register_api(rest_api):
        csrf.exempt(blueprint)  # token-authenticated only: no cookie, so no CSRF exposure

    from portal.views import register_views
    register_views(app)

    from admin_views import init_admin
    init_admin(app)

    from portal.celery_app import init_celery
    init_celery(app)
    return app
