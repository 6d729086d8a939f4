"""Portal pages (server-rendered); each module is one blueprint."""
from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException, ServiceUnavailable

from models.base import db
from models.clock import now_utc, shifted_start, today
from portal.auth import is_api_request
from portal.edges import BUSY, retry_reason
from portal.extensions import rest_api


def _error_page(error: HTTPException):
    original = getattr(error, "original_exception", None)  # raised where no handler looks: after the view
    if original is not None and retry_reason(original):
        return _try_again(original)
    if (error.code or 500) >= 500:
        # A failed statement leaves the session refusing every query, and the page itself reads the user.
        db.session.rollback()
    if is_api_request():
        return rest_api.handle_http_exception(error)  # the API answers JSON with the reason
    return render_template("errors/error.html", error=error), error.code


def _try_again(exc: Exception):
    """A busy database or a concurrent change: nothing was saved, and the same request again will likely
    succeed; anything else stays a server error."""
    reason = retry_reason(exc)
    if reason is None:
        raise exc
    db.session.rollback()
    error, headers = (ServiceUnavailable(reason), {"Retry-After": "2"}) if reason == BUSY else (Conflict(reason), {})
    if is_api_request() or request.is_json or \
            request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(code=error.code, status=error.name, message=reason), error.code, headers
    return render_template("errors/error.html", error=error), error.code, headers


def register_views(app: Flask) -> None:
    from portal.views import (
        dashboard,
        meters,
        processes,
        readings,
        requests,
        service_orders,
        service_points,
        worklist,
    )
    for module in (dashboard, worklist, requests, processes, meters, service_orders, service_points, readings):
        app.register_blueprint(module.bp)
    app.register_blueprint(processes.vendor)
    from reports.views import bp as report_pages
    app.register_blueprint(report_pages)

    @app.template_filter("utc")
    def utc(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""

    @app.template_filter("qty")
    def qty(value) -> str:
        """A quantity without trailing zeros, thousands grouped: 12,345.5"""
        return "" if value is None else f"{value.normalize():,f}"

    @app.context_processor
    def clock():
        return {"now": now_utc(), "today": today(), "clock_started": shifted_start()}

    # Replaces flask-smorest's app-wide handler, which would answer JSON to the portal's pages too.
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(OperationalError, _try_again)
    app.register_error_handler(StaleDataError, _try_again)
