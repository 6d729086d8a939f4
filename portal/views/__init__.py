"""Portal pages (server-rendered); each module is one blueprint."""
from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from models.clock import now_utc, shifted_start, today
from portal.extensions import rest_api


def _error_page(error: HTTPException):
    if request.path.startswith("/api/"):
        return rest_api.handle_http_exception(error)  # the API answers JSON with the reason
    return render_template("errors/error.html", error=error), error.code


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
