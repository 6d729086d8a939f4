"""Flask-Admin over every entity: configuration only; refusals and rules come from models/."""
from __future__ import annotations

from flask import Flask, current_app
from flask_admin import Admin
from flask_admin.menu import MenuLink
from flask_admin.theme import Bootstrap4Theme

from admin_views import accounting, billing, contracts, customers, meters, premises, processes, readings, tariffs, users
from admin_views.base import CmsIndexView
from models.base import db

CATEGORIES = [
    ("Customers", customers.VIEWS),
    ("Premises", premises.VIEWS),
    ("Contracts", contracts.VIEWS),
    ("Tariffs", tariffs.VIEWS),
    ("Meters", meters.VIEWS),
    ("Readings", readings.VIEWS),
    ("Billing", billing.VIEWS),
    ("Accounting", accounting.VIEWS),
    ("Processes", processes.VIEWS),
    ("Administration", users.VIEWS),
]


def _csp_nonce() -> str:
    # The request's nonce, from the template global the portal registers with its CSP (portal/headers.py):
    # looked up when a page renders, so the admin needs no import of the portal.
    return current_app.jinja_env.globals["csp_nonce"]()


def init_admin(app: Flask) -> Admin:
    # The default swatch: the others load Google fonts, and Watt CMS serves everything itself.
    admin = Admin(app, name="Watt CMS data", theme=Bootstrap4Theme(swatch="default", fluid=True),
                  index_view=CmsIndexView(name="Overview", url="/admin"), csp_nonce_generator=_csp_nonce)
    for category, views in CATEGORIES:
        for view_class, model, name in views:
            admin.add_view(view_class(model, db, name=name, category=category,
                                      endpoint=f"admin_{model.__tablename__}"))
    admin.add_link(MenuLink(name="← Portal", url="/"))
    return admin
