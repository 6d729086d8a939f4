"""Portal pages (server-rendered); each module is one blueprint."""
from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from models.types import now_utc, today
from portal.extensions import rest_api


def _error_page(error: HTTPException):
    if request.path.startswith("/api/"):
        return rest_api.handle_http_exception(error)  # the API answers JSON with the reason
    return render_template("errors/error.html", error=error), error.code


def register_views(app: Flask) -> None:
    from portal.views import dashboard, meters, processes, requests, service_orders, service_points, worklist
    for module in (dashboard, worklist, requests, processes, meters, service_orders, service_points):
        app.register_blueprint(module.bp)
    app.register_blueprint(processes.vendor)
    from reports.views import bp as report_pages
    app.register_blueprint(report_pages)

    @app.context_processor
    def clock():
        return {"now": now_utc(), "today": today()}

    # Replaces flask-smorest's app-wide handler, which would answer JSON to the portal's pages too.
    app.register_error_handler(HTTPException, _error_page)
