"""/meters: stock by store, deliveries, movements between stores and the movement report."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.base import db
from models.errors import DomainError
from models.limits import parse_int
from models.meters.entities import Meter, MeterBatch, MeterModel, MeterMovement, MovementKind, Store, StoreKind
from models.meters.operations import move_meters, parse_meter_selection, register_meter_batch
from models.users.entities import RoleName
from portal.auth import ANY_STAFF, roles_allowed
from portal.params import date_range, form_date, optional_int
from reports.exports import csv_response, pdf_response
from reports.queries import movement_report, stock_by_store
from workflows.meter_processes import start_calibrations

bp = Blueprint("meters", __name__, url_prefix="/meters")
SERIAL_MAX = 10**18 - 1
KEEPERS = (RoleName.CLERK, RoleName.PROCESS_OWNER, RoleName.ADMIN)   # store keepers work as clerks


def _stores():
    return db.session.scalars(sa.select(Store).order_by(Store.code)).all()


def _options(items) -> list[tuple]:
    return [(item.id, str(item)) for item in items]






@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    number = request.args.get("number", "").strip()
    if number:
        meter = db.session.scalar(sa.select(Meter).where(Meter.number == number))
        if meter:
            return redirect(url_for(".show", number=meter.number))
        flash(f"No meter with number {number}.", "error")
    batches = db.session.scalars(sa.select(MeterBatch).order_by(MeterBatch.id.desc()).limit(10)).all()
    return render_template("meters/index.html", stock=stock_by_store(db.session), batches=batches)


@bp.get("/<number>")
@roles_allowed(*ANY_STAFF)
def show(number: str):
    meter = db.session.scalar(sa.select(Meter).where(Meter.number == number)) or abort(404)
    movements = db.session.scalars(sa.select(MeterMovement).where(MeterMovement.meter_id == meter.id)
                                   .order_by(MeterMovement.moved_on, MeterMovement.id)).all()
    return render_template("meters/show.html", meter=meter, movements=movements)


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
            batch = register_meter_batch(db.session, first, last, optional_int(form.get("model")) or 0,
                                         optional_int(form.get("store")) or 0, form.get("delivery_document", ""),
                                         current_user.email, prefix=form.get("prefix", "").strip(),
                                         received_on=form_date(form.get("received_on"), "received_on"))
            db.session.commit()
            flash(f"Registered {batch.count:,} meters {batch} into {batch.store.code}.", "success")
            return redirect(url_for(".index"))
        except DomainError as exc:
            db.session.rollback()
            errors[exc.field or "first_number"] = exc.message
    models = db.session.scalars(sa.select(MeterModel).order_by(MeterModel.manufacturer)).all()
    return render_template("meters/batch.html", form=form, errors=errors, model_options=_options(models),
                           store_options=_options(_stores())), \
        (422 if errors else 200)


@bp.route("/movements/new", methods=["GET", "POST"])
@roles_allowed(*KEEPERS)
def new_movement():
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            kind = MovementKind(form.get("kind"))
            moved = move_meters(db.session, kind, parse_meter_selection(form.get("meters", "")),
                                optional_int(form.get("store")), form.get("document_no", ""), current_user.email,
                                reason=form.get("reason") or None, moved_on=form_date(form.get("moved_on"), "moved_on"))
            db.session.commit()
            flash(f"{kind.value.capitalize()}: {len(moved)} meter(s), document {form.get('document_no')}.", "success")
            return redirect(url_for(".new_movement"))
        except (DomainError, ValueError) as exc:
            db.session.rollback()
            errors[getattr(exc, "field", None) or "meters"] = getattr(exc, "message", str(exc))
    return render_template("meters/movement.html", form=form, errors=errors, store_options=_options(_stores()),
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
    return render_template("meters/report.html", rows=rows, stores=_stores(), kinds=MovementKind,
                           date_from=date_from, date_to=date_to, kind=kind)


@bp.route("/calibration/new", methods=["GET", "POST"])
@roles_allowed(*KEEPERS)
def start_calibration():
    """Select due meters and start their calibration process (send to the lab, test, return or scrap)."""
    form = request.form if request.method == "POST" else request.args
    errors = {}
    if request.method == "POST":
        try:
            started = start_calibrations(db.session, parse_meter_selection(form.get("meters", "")),
                                         form.get("lab_store", ""), form.get("return_store", ""), current_user.email)
            db.session.commit()
            flash(f"Started calibration of {len(started)} meter(s); their tasks are in the worklist.", "success")
            return redirect(url_for("worklist.index", queue="unclaimed", process="meter_calibration"))
        except DomainError as exc:
            db.session.rollback()
            errors[exc.field or "meters"] = exc.message
    stores = _stores()
    return render_template("meters/calibration.html", form=form, errors=errors,
                           labs=[(s.code, str(s)) for s in stores if s.kind is StoreKind.LABORATORY],
                           store_options=[(s.code, str(s)) for s in stores if s.kind is not StoreKind.LABORATORY]), \
        (422 if errors else 200)
