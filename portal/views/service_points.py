"""/service-points/<spn>: the service point's current devices and device history (the inquiry grows here)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for

from models.base import db
from models.billing.queries import bills_of_service_point
from models.clock import today
from models.errors import DomainError
from models.installations.operations import (
    install_control_device,
    install_meter,
    parse_readings,
    remove_control_device,
    remove_meter,
)
from models.meters.entities import Installation, Store
from models.meters.queries import (
    all_stores,
    current_meter_installation,
    get_control_device,
    get_meter,
    installations_at,
)
from models.premises.entities import ServicePoint
from models.premises.queries import get_service_point
from models.readings.entities import Reading
from models.readings.intervals import rollup
from models.readings.phone import ImplausibleReading, record_phone_reading
from models.readings.queries import recent_readings_of
from models.service_orders.queries import recent_orders_at
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash
from portal.params import form_date, optional_int
from reports.figures import consumption_chart
from reports.reading_queries import consumption_by_month
from workflows.meter_processes import start_meter_replacement

bp = Blueprint("service_points", __name__, url_prefix="/service-points")
BILLS_SHOWN = 24        # two years of monthly bills; the bill list has the rest


@bp.get("/<spn>")
@roles_allowed(*ANY_STAFF)
def show(spn: str):
    return _page(_service_point(spn))


def _page(sp: ServicePoint, phone: dict | None = None):
    """The service point page; `phone` re-shows the telephone reading form as typed, with its doubt."""
    installations = installations_at(db.session, sp.id)
    readings = recent_readings_of(db.session, [i.meter_id for i in installations if i.meter_id])
    orders = recent_orders_at(db.session, sp.id)
    stores = all_stores(db.session)
    series = consumption_by_month(db.session, sp.id, today() - timedelta(days=730))
    current = next((i for i in installations if i.meter_id and i.removed_on is None), None)
    intervals = rollup(db.session, current.meter_id, today() - timedelta(days=30), today() + timedelta(days=1)) \
        if current else {}
    return render_template("service_points/show.html", sp=sp, installations=installations, readings=readings,
                           orders=orders, stores=stores, intervals=intervals, phone=phone or {},
                           bills=bills_of_service_point(db.session, sp.id, limit=BILLS_SHOWN + 1),
                           bills_shown=BILLS_SHOWN,
                           chart=consumption_chart(series, sp.spn) if series else None)


def _service_point(spn: str) -> ServicePoint:
    return get_service_point(db.session, spn)     # an unknown SPN answers 404 (portal.views._refused)


def _on(form) -> date:
    return form_date(form.get("on"), "on", today())


def _edge(spn: str, action, message: str):
    commit_or_flash(action, message)
    return redirect(url_for(".show", spn=spn))


@bp.post("/<spn>/install-meter")
@roles_allowed(*ANY_STAFF)
def install(spn: str):
    sp, form = _service_point(spn), request.form
    number = form.get("meter", "").strip()

    def action():
        meter = get_meter(db.session, number)
        install_meter(db.session, sp, meter, _on(form), parse_readings(form.get("readings", ""), meter))
    return _edge(spn, action, f"Meter {number} installed at {spn}.")


@bp.post("/<spn>/remove-meter")
@roles_allowed(*ANY_STAFF)
def remove(spn: str):
    sp, form = _service_point(spn), request.form

    def action():
        current = current_meter_installation(db.session, sp.id)
        if current is None:
            raise DomainError(f"service point {spn} has no meter", "meter")
        store = db.session.get(Store, optional_int(form.get("store")) or 0)
        if store is None:
            raise DomainError("choose where the meter goes", "store")
        remove_meter(db.session, current, _on(form), parse_readings(form.get("readings", ""), current.meter),
                     store)
    return _edge(spn, action, f"Meter removed from {spn}.")


@bp.post("/<spn>/install-device")
@roles_allowed(*ANY_STAFF)
def install_device(spn: str):
    sp, serial = _service_point(spn), request.form.get("serial", "").strip()

    def action():
        install_control_device(db.session, sp, get_control_device(db.session, serial), _on(request.form))
    return _edge(spn, action, f"Control device {serial} installed at {spn}.")


@bp.post("/<spn>/remove-device/<int:installation_id>")
@roles_allowed(*ANY_STAFF)
def remove_device(spn: str, installation_id: int):
    installation = db.session.get(Installation, installation_id) or abort(404)
    return _edge(spn, lambda: remove_control_device(db.session, installation, _on(request.form)),
                 f"Control device removed from {spn}.")


@bp.post("/<spn>/replace-meter")
@roles_allowed(*ANY_STAFF)
def replace_meter(spn: str):
    sp = _service_point(spn)
    commit_or_flash(lambda: start_meter_replacement(db.session, sp, request.form.get("reason", "").strip()
                                                    or "requested"),
                    lambda instance: f"Meter replacement started (process #{instance.id}); "
                                     "the field task is in the worklist.")
    return redirect(url_for(".show", spn=spn))


@bp.post("/<spn>/phone-reading")
@roles_allowed(*ANY_STAFF)
def phone_reading(spn: str):
    """A reading the customer gives on the telephone: its own reading type, with the caller recorded.

    An implausible value saves nothing the first time: the form comes back with the doubt and a box to
    confirm that very value (changing the value asks again)."""
    sp, form = _service_point(spn), request.form
    value = form.get("value", "").strip()
    asked = []

    def action():
        try:
            return record_phone_reading(db.session, sp.id, optional_int(form.get("register")) or 0, value,
                                        _on(form), form.get("caller", ""),
                                        confirmed=bool(value) and form.get("confirm") == value)
        except ImplausibleReading:
            asked.append(value)
            raise
    if not commit_or_flash(action, _recorded) and asked:
        # The flashed doubt shows on this page, above the form typed again with the box to confirm.
        return _page(sp, phone={**form.to_dict(), "value": value, "asked": True}), 422
    return redirect(url_for(".show", spn=spn))


def _recorded(reading: Reading) -> str:
    anomalies = ", ".join(a.code.value for a in reading.anomalies)
    return (f"Reading {reading.value.normalize():f} of {reading.register.code} recorded"
            + (f"; anomalies: {anomalies}" if anomalies else "") + ".")
