"""/readings: reading cycles and their orders, walk lists, keyboard entry along a route, file uploads."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from models.base import db
from models.clock import today
from models.contracts.entities import Cycle
from models.errors import DomainError
from models.premises.entities import ReadingRoute
from models.premises.queries import all_routes
from models.readings.cycles import READER_NOTES, open_cycle, reading_day
from models.readings.entities import CycleStatus, ImportStatus, ReadingCycle, ReadingImport, ReadingOrder
from models.readings.meter_data import too_large
from models.readings.queries import cycle_progress, recent_imports, walk_list
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash, request_transaction
from portal.objects import paginate
from portal.params import form_date, json_or_form, optional_date, optional_int, text
from reports.exports import csv_response
from reports.reading_queries import cycle_select
from workflows.reading_follow_ups import close_reading_cycle, enter_reading
from workflows.reading_imports import import_task_id, queue_reading_import

bp = Blueprint("readings", __name__, url_prefix="/readings")
HANDHELD_COLUMNS = ["route", "sequence", "spn", "itinerary", "address", "meter", "register", "previous_date",
                    "previous", "expected_low", "expected_high", "date", "value", "type", "note"]


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    args = request.args
    period = optional_date((args.get("period") or "") + "-01") if args.get("period") else None
    page = paginate(cycle_select(args.get("status"), optional_int(args.get("route")), period, args.get("q", "")))
    return render_template("readings/index.html", page=page, routes=all_routes(db.session),
                           imports=recent_imports(db.session),
                           progress=cycle_progress(db.session, [c.id for c in page.items]), args=args,
                           statuses=CycleStatus, next_period=today().strftime("%Y-%m"))


@bp.post("/cycles")
@roles_allowed(*ANY_STAFF)
def new_cycle():
    form = request.form
    route = db.session.get(ReadingRoute, optional_int(form.get("route")) or 0)
    holder = {}

    def action():
        if route is None:
            raise DomainError("choose a route", "route")
        period = form_date((form.get("period") or "") + "-01", "period")
        if period is None:
            raise DomainError("choose the period (month)", "period")
        billing = form.get("billing_cycle") or Cycle.MONTHLY.value
        if billing not in {c.value for c in Cycle}:
            raise DomainError("choose monthly or bimonthly", "billing_cycle")
        holder["cycle"] = open_cycle(db.session, route, period, form_date(form.get("scheduled_on"), "scheduled_on"),
                                     Cycle(billing))
        return holder["cycle"]

    if commit_or_flash(action, lambda c: f"Opened cycle {c} with {len(c.orders)} reading orders."):
        return redirect(url_for(".cycle", cycle_id=holder["cycle"].id))
    return redirect(url_for(".index"))


def _cycle(cycle_id: int) -> ReadingCycle:
    return db.session.get(ReadingCycle, cycle_id) or abort(404)


@bp.get("/cycles/<int:cycle_id>")
@roles_allowed(*ANY_STAFF)
def cycle(cycle_id: int):
    current = _cycle(cycle_id)
    return render_template("readings/cycle.html", cycle=current, rows=walk_list(db.session, cycle_id),
                           progress=cycle_progress(db.session, [cycle_id])[cycle_id])


@bp.get("/cycles/<int:cycle_id>/walk-list")
@roles_allowed(*ANY_STAFF)
def walk(cycle_id: int):
    current, rows = _cycle(cycle_id), walk_list(db.session, cycle_id)
    if request.args.get("format") == "csv":
        # For handheld devices: the same file comes back with date, value and note filled in and is
        # imported as it is (`cms import readings` or the upload below); extra columns are ignored.
        return csv_response(f"walk-list-{current.route.code}-{current.period:%Y-%m}.csv", HANDHELD_COLUMNS, [
            (current.route.code, o.sequence, spn, itinerary or "", address, meter, code, o.previous_on or "",
             _plain(o.previous_value), _plain(o.expected_low), _plain(o.expected_high), "", "", "actual", "")
            for o, spn, itinerary, address, meter, code, _ in rows])
    return render_template("readings/walk_list.html", cycle=current, rows=rows)


def _plain(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


@bp.get("/cycles/<int:cycle_id>/entry")
@roles_allowed(*ANY_STAFF)
def entry(cycle_id: int):
    current = _cycle(cycle_id)
    return render_template("readings/entry.html", cycle=current, rows=walk_list(db.session, cycle_id),
                           notes=READER_NOTES, read_on=reading_day(current))


@bp.post("/orders/<int:order_id>")
@roles_allowed(*ANY_STAFF)
def save_order(order_id: int):
    """One reading from the entry screen (JSON in, JSON out): saved, or a field error and nothing saved."""
    order = db.session.get(ReadingOrder, order_id) or abort(404)
    data = json_or_form(request)
    try:
        read_on = form_date(data.get("read_on"), "date", reading_day(order.cycle))
        with request_transaction():
            reading = enter_reading(db.session, order, text(data, "value"), text(data, "note"), read_on)
    except DomainError as exc:
        return jsonify(field=exc.field or "value", message=exc.message), 422
    return jsonify(status=order.status.value, note=order.remark,
                   value=_plain(reading.value) if reading else None,
                   consumption=_plain(reading.consumption) if reading else None,
                   anomalies=[a.code.value for a in reading.anomalies] if reading else [])


@bp.post("/cycles/<int:cycle_id>/close")
@roles_allowed(*ANY_STAFF)
def close(cycle_id: int):
    current = _cycle(cycle_id)

    commit_or_flash(lambda: close_reading_cycle(db.session, current),
                    lambda c: (f"Closed {current}: {c['estimated']} estimated, {c['not_read']} not read.",
                               "success" if not c["not_read"] else "warning"))
    return redirect(url_for(".cycle", cycle_id=cycle_id))


@bp.post("/imports")
@roles_allowed(*ANY_STAFF)
def upload():
    upload_file = request.files.get("file")
    holder = {}

    def action():
        data = upload_file.read() if upload_file else b""
        holder["job"] = queue_reading_import(db.session, upload_file.filename if upload_file else "", data,
                                             request.form.get("service_point"))
        return holder["job"]

    if not commit_or_flash(action, lambda job: f"{job.filename} is queued for import."):
        return redirect(url_for(".index"))
    from workflows.tasks import import_readings_task
    job_id = holder["job"].id
    if current_app.config.get("CELERY_ALWAYS_EAGER"):
        import_readings_task.apply(args=[job_id])
    else:
        import_readings_task.apply_async(args=[job_id], task_id=import_task_id(job_id))
    return redirect(url_for(".import_job", job_id=job_id))


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """An upload over MAX_CONTENT_LENGTH, refused before it is read (CSRF checking reads the form first)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    message = too_large(limit) if limit else error.description
    if request.accept_mimetypes.best == "application/json":
        return jsonify(field="file", message=message), 413
    return render_template("errors/error.html", error=RequestEntityTooLarge(message)), 413


@bp.get("/imports/<int:job_id>")
@roles_allowed(*ANY_STAFF)
def import_job(job_id: int):
    job = db.session.get(ReadingImport, job_id) or abort(404)
    if request.accept_mimetypes.best == "application/json" or request.args.get("format") == "json":
        db.session.expire(job)
        done, total = job.done, job.total
        if job.status is ImportStatus.RUNNING:
            from celery.result import AsyncResult
            state = AsyncResult(import_task_id(job.id))
            if state.state == "PROGRESS" and isinstance(state.info, dict):
                done, total = state.info.get("done", 0), state.info.get("total", 0)
        return jsonify(status=job.status.value, phase=job.phase, done=done, total=total,
                       summary=job.summary, message=job.message,
                       finished=job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING))
    return render_template("readings/import.html", job=job)
