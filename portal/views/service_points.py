"""/service-points/<spn>: the service point's current devices and device history (the inquiry grows here)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.base import db
from models.errors import DomainError
from models.meters.entities import Installation, Register
from models.premises.entities import ServicePoint
from models.readings.entities import Reading
from models.service_orders.entities import ServiceOrder
from portal.auth import ANY_STAFF, roles_allowed
from workflows.meter_processes import start_meter_replacement

bp = Blueprint("service_points", __name__, url_prefix="/service-points")


@bp.get("/<spn>")
@roles_allowed(*ANY_STAFF)
def show(spn: str):
    sp = db.session.scalar(sa.select(ServicePoint).where(ServicePoint.spn == spn)) or abort(404)
    installations = db.session.scalars(sa.select(Installation).where(Installation.service_point_id == sp.id)
                                       .order_by(Installation.installed_on.desc(), Installation.id.desc())).all()
    meter_ids = [i.meter_id for i in installations if i.meter_id]
    readings = db.session.execute(
        sa.select(Reading, Register.code, Register.meter_id).join(Register, Register.id == Reading.register_id)
        .where(Register.meter_id.in_(meter_ids)).order_by(Reading.read_on.desc(), Reading.id.desc()).limit(50)).all()
    orders = db.session.scalars(sa.select(ServiceOrder).where(ServiceOrder.service_point_id == sp.id)
                                .order_by(ServiceOrder.id.desc()).limit(20)).all()
    return render_template("service_points/show.html", sp=sp, installations=installations, readings=readings,
                           orders=orders)


@bp.post("/<spn>/replace-meter")
@roles_allowed(*ANY_STAFF)
def replace_meter(spn: str):
    sp = db.session.scalar(sa.select(ServicePoint).where(ServicePoint.spn == spn)) or abort(404)
    try:
        instance = start_meter_replacement(db.session, sp, request.form.get("reason", "").strip() or "requested",
                                           current_user.email)
        db.session.commit()
        flash(f"Meter replacement started (process #{instance.id}); the field task is in the worklist.", "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for(".show", spn=spn))
