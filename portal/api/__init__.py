"""REST API /api/v1: token-authenticated blueprints whose OpenAPI document flask-smorest generates."""
from __future__ import annotations

from flask_smorest import Api

TOKEN_SCHEME = "apiToken"


def register_api(api: Api) -> list:
    from portal.api.service_points import blp as service_points

    api.spec.components.security_scheme(
        TOKEN_SCHEME, {"type": "apiKey", "in": "header", "name": "Authentication-Token",
                       "description": "Created with `cms tokens create EMAIL`."})
    blueprints = [service_points]
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return blueprints
