"""REST API /api/v1: token-authenticated blueprints whose OpenAPI document flask-smorest generates."""
from __future__ import annotations

from flask_smorest import Api

TOKEN_SCHEME = "apiToken"


def register_api(api: Api) -> list:
    from portal.api.auth import protect_blueprint
    from portal.api.bills import blp as bills
    from portal.api.inquiry import blp as inquiry
    from portal.api.payments import blp as payments
    from portal.api.service_points import blp as service_points
    from portal.api.tariff_options import blp as tariff_options

    # No catch-all "default" response: each operation lists the codes it answers, and the fuzz test
    # (tests/portal/test_api_fuzz.py) holds the API to them.
    api.DEFAULT_ERROR_RESPONSE_NAME = None
    api.spec.components.security_scheme(
        TOKEN_SCHEME, {"type": "apiKey", "in": "header", "name": "Authentication-Token",
                       "description": "Created with `cms tokens create EMAIL --name NAME`; never in the URL."})
    blueprints = [service_points, bills, payments, inquiry, tariff_options]
    for blueprint in blueprints:
        protect_blueprint(blueprint)
        api.register_blueprint(blueprint)
    return blueprints
