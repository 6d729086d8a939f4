"""/meters: stock by store, deliveries, movements between stores and the movement report."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from models.base import db
from models.errors import DomainError, NotFound
from models.limits import parse_int
from models.meters.entities import MovementKind, StoreKind
from models.meters.operations import move_meters, parse_meter_selection, register_meter_batch
from models.meters.queries import all_meter_models, all_stores, get_meter, movements_of, recent_batches
from models.users.entities import RoleName
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import request_transaction
from portal.params import date_range, form_date, optional_int
from reports.exports import csv_response, pdf_response
from reports.queries import movement_report, stock_by_store
from workflows.meter_processes import start_calibrations

bp = Blueprint("meters", __name__, url_prefix="/meters")
SERIAL_MAX = 10**18 - 1
KEEPERS = (RoleName.CLERK, RoleName.PROCESS_OWNER, RoleName.ADMIN)   # store keepers work as clerks


def _options(items) -> list[tuple]:
    return [(item.id, str(item)) for item in items]


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    number = request.args.get("number", "").strip()
    if number:
        try:
            return redirect(url_for(".show", number=get_meter(db.session, number).number))
        except NotFound:
            flash(f"No meter with number {number}.", "error")
    return render_template("meters/index.html", stock=stock_by_store(db.session), batches=recent_batches(db.session))


@bp.get("/<number>")
@roles_allowed(*ANY_STAFF)
def show(number: str):
    meter = get_meter(db.session, number)
    return render_template("meters/show.html", meter=meter, movements=movements_of(db.session, meter.id))


@bp.route("/batches/new", methods=["GET", "POST"])
@roles_allowed(*KEEPERS)
def new_batch():
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            # The manufacturer's serial numbers: up to 18 digits, so that prefix and number fit the column.
            first = parse_int(form.get("first_number"), "first_number", 0, SERIAL_MAX)
            last = parse_int(form.get("last_number"), "last_number", 0, SERIAL_MAX)
            if first is None:
                raise DomainError("is required", "first_number")
            if last is None:
                raise DomainError("is required", "last_number")
            with request_transaction():
                batch = register_meter_batch(db.session, first, last, optional_int(form.get("model")) or 0,
                                             optional_int(form.get("store")) or 0, form.get("delivery_document", ""),
                                             prefix=form.get("prefix", "").strip(),
                                             received_on=form_date(form.get("received_on"), "received_on"))
        except DomainError as exc:
            errors[exc.field or "first_number"] = exc.message
        else:
            flash(f"Registered {batch.count:,} meters {batch} into {batch.store.code}.", "success")
            return redirect(url_for(".index"))
    return render_template("meters/batch.html", form=form, errors=errors,
                           model_options=_options(all_meter_models(db.session)),
                           store_options=_options(all_stores(db.session))), \
        (422 if errors else 200)


@bp.route("/movements/new", methods=["GET", "POST"])
@roles_allowed(*KEEPERS)
def new_movement():
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            kind = MovementKind(form.get("kind"))
            with request_transaction():
                moved = move_meters(db.session, kind, parse_meter_selection(form.get("meters", "")),
                                    optional_int(form.get("store")), form.get("document_no", ""),
                                    reason=form.get("reason") or None,
                                    moved_on=form_date(form.get("moved_on"), "moved_on"))
        except (DomainError, ValueError) as exc:
            errors[getattr(exc, "field", None) or "meters"] = getattr(exc, "message", str(exc))
        else:
            flash(f"{kind.value.capitalize()}: {len(moved)} meter(s), document {form.get('document_no')}.", "success")
            return redirect(url_for(".new_movement"))
    return render_template("meters/movement.html", form=form, errors=errors,
                           store_options=_options(all_stores(db.session)),
                           kind_options=[(k.value, k.value) for k in MovementKind]), \
        (422 if errors else 200)


@bp.get("/movements/report")
@roles_allowed(*ANY_STAFF)
def report():
    args = request.args
    date_from, date_to = date_range(args, days=30)
    kind = args.get("kind") if args.get("kind") in {k.value for k in MovementKind} else None
    rows = movement_report(db.session, date_from, date_to, optional_int(args.get("from_store")),
                           optional_int(args.get("to_store")), kind,
                           limit=None if args.get("format") in ("csv", "pdf") else 5000)
    header = ["date", "movement", "document", "meter", "manufacturer", "model", "from", "to", "by", "reason"]
    table = [(r.moved_on, r.kind.value, r.document_no, r.number, r.manufacturer, r.model_code, r.from_store or "",
              r.to_store or "", r.by, r.reason or "") for r in rows]
    if args.get("format") == "csv":
        return csv_response(f"meter-movements-{date_from}-{date_to}.csv", header, table)
    if args.get("format") == "pdf":
        selection = f"{date_from} to {date_to}" + (f", {kind}" if kind else "") + f"; {len(table)} movement(s)"
        return pdf_response(f"meter-movements-{date_from}-{date_to}.pdf", "Meter movements between stores",
                            selection, header, table)
    return render_template("meters/report.html", rows=rows, stores=all_stores(db.session), kinds=MovementKind,
                           date_from=date_from, date_to=date_to, kind=kind)


@bp.route("/calibration/new", methods=["GET", "POST"])
@roles_allowed(*KEEPERS)
def start_calibration():
    """Select due meters and start their calibration process (send to the lab, test, return or scrap)."""
    form = request.form if request.method == "POST" else request.args
    errors = {}
    if request.method == "POST":
        try:
            with request_transaction():
                started = start_calibrations(db.session, parse_meter_selection(form.get("meters", "")),
                                             form.get("lab_store", ""), form.get("return_store", ""))
        except DomainError as exc:
            errors[exc.field or "meters"] = exc.message
        else:
            flash(f"Started calibration of {len(started)} meter(s); their tasks are in the worklist.", "success")
            return redirect(url_for("worklist.index", queue="unclaimed", process="meter_calibration"))
    stores = all_stores(db.session)
    return render_template("meters/calibration.html", form=form, errors=errors,
                           labs=[(s.code, str(s)) for s in stores if s.kind is StoreKind.LABORATORY],
                           store_options=[(s.code, str(s)) for s in stores if s.kind is not StoreKind.LABORATORY]), \
        (422 if errors else 200)
