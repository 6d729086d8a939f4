"""Portal pages (server-rendered); each module is one blueprint."""
from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadRequest, Conflict, HTTPException, ServiceUnavailable
from werkzeug.exceptions import NotFound as PageNotFound

from models.base import db
from models.clock import now_utc, shifted_start, today
from models.errors import Conflicting, NotFound, Refusal
from models.transactions import ConcurrentChange, DatabaseBusy, as_refusal
from portal.auth import is_api_request
from portal.extensions import rest_api


def _error_page(error: HTTPException):
    original = getattr(error, "original_exception", None)  # raised where no handler looks: after the view
    if original is not None and as_refusal(original) is not None:
        return _refused(original)
    if (error.code or 500) >= 500:
        # A failed statement leaves the session refusing every query, and the page itself reads the user.
        db.session.rollback()
    if is_api_request():
        return rest_api.handle_http_exception(error)  # the API answers JSON with the reason
    return render_template("errors/error.html", error=error), error.code


def _wants_json() -> bool:
    return is_api_request() or request.is_json or \
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _refused(exc: Exception):
    """A refusal that left a view (a request_transaction, a lookup by an unknown key, a busy database, a
    concurrent change): nothing was saved; the caller hears why, with the field at fault. Anything else
    stays a server error."""
    refusal = as_refusal(exc)
    if refusal is None:
        raise exc
    db.session.rollback()
    if isinstance(refusal, DatabaseBusy):
        error, headers = ServiceUnavailable(str(refusal)), {"Retry-After": "2"}
    elif isinstance(refusal, ConcurrentChange | Conflicting):
        error, headers = Conflict(str(refusal)), {}
    elif isinstance(refusal, NotFound):     # a lookup by a key nothing has: the page of that one record
        error, headers = PageNotFound(str(refusal)), {}
    else:
        error, headers = BadRequest(str(refusal)), {}
    if _wants_json():
        body = {"code": error.code, "status": error.name, "message": str(refusal)}
        if refusal.field:
            body["errors"] = {"json": {refusal.field: [refusal.message]}}
        return jsonify(body), error.code, headers
    return render_template("errors/error.html", error=error), error.code, headers


def register_views(app: Flask) -> None:
    from portal.views import (
        advice,
        billing,
        collection,
        dashboard,
        inquiry,
        meters,
        processes,
        readings,
        requests,
        service_orders,
        service_points,
        worklist,
    )
    for module in (dashboard, worklist, requests, processes, meters, service_orders, service_points, readings,
                   billing, collection):
        app.register_blueprint(module.bp)
    app.register_blueprint(processes.vendor)
    app.register_blueprint(advice.bp)
    from portal.views import collection_dunning
    app.register_blueprint(collection_dunning.bp)
    from portal.views import collection_bank
    app.register_blueprint(collection_bank.bp)
    app.register_blueprint(inquiry.bp)
    from portal.views import accounting
    app.register_blueprint(accounting.bp)
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
    for refusal in (Refusal, OperationalError, StaleDataError):
        app.register_error_handler(refusal, _refused)
