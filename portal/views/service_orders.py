"""/service-orders: create, assign and record field work; the service-order report with its chart."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from models.base import db
from models.collection.dunning_entities import DebtAction
from models.errors import DomainError
from models.premises.queries import get_service_point, route_areas
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus, ServiceOrderType
from models.service_orders.operations import change_service_order_status, create_service_order
from models.statuses import status_history
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash, request_transaction
from portal.objects import paginate
from portal.params import date_range, form_date
from reports.exports import csv_response
from reports.figures import service_order_chart
from reports.queries import service_order_report, service_order_select, service_orders_by_type_and_status
from workflows.collection import on_field_results

bp = Blueprint("service_orders", __name__, url_prefix="/service-orders")


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    args = request.args
    date_from, date_to = date_range(args, days=90)
    kind = args.get("type") if args.get("type") in {t.value for t in ServiceOrderType} else None
    status = args.get("status") if args.get("status") in {s.value for s in ServiceOrderStatus} else None
    area, term = args.get("area") or None, args.get("q", "")
    if args.get("format") == "csv":
        rows = service_order_report(db.session, date_from, date_to, kind, status, area, term)
        return csv_response(f"service-orders-{date_from}-{date_to}.csv",
                            ["number", "type", "status", "spn", "area", "created", "planned", "done", "crew", "result"],
                            [(o.number, o.order_type.value, o.status.value, spn or "", a or "", o.created_on,
                              o.planned_on or "", o.actual_on or "", o.crew or "", o.result or "")
                             for o, spn, a in rows])
    query = service_order_select(date_from, date_to, kind, status, area, term)
    return render_template("service_orders/index.html", page=paginate(query, key=ServiceOrder.id),
                           chart=service_order_chart(service_orders_by_type_and_status(db.session, query)),
                           types=ServiceOrderType, statuses=ServiceOrderStatus, areas=route_areas(db.session),
                           date_from=date_from, date_to=date_to, kind=kind, status=status, area=area)


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*ANY_STAFF)
def new():
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            sp = get_service_point(db.session, form.get("spn", "").strip())
            planned = form_date(form.get("planned_on"), "planned_on")
            with request_transaction():
                order = create_service_order(db.session, ServiceOrderType(form.get("order_type")),
                                             service_point_id=sp.id, planned_on=planned,
                                             crew=form.get("crew") or None)
        except (DomainError, ValueError) as exc:
            name = getattr(exc, "field", None) or "order_type"
            errors["spn" if name == "service_point" else name] = getattr(exc, "message", str(exc))
        else:
            flash(f"Created {order}.", "success")
            return redirect(url_for(".show", order_id=order.id))
    return render_template("service_orders/new.html", form=form, errors=errors, types=ServiceOrderType), \
        (422 if errors else 200)


@bp.get("/<int:order_id>")
@roles_allowed(*ANY_STAFF)
def show(order_id: int):
    order = db.session.get(ServiceOrder, order_id) or abort(404)
    case_id = db.session.scalar(sa.select(DebtAction.instance_id).where(DebtAction.service_order_id == order.id)
                                .order_by(DebtAction.id.desc()).limit(1))
    return render_template("service_orders/show.html", order=order, statuses=ServiceOrderStatus, case_id=case_id,
                           history=status_history(db.session, "service_order", order.id))


@bp.post("/<int:order_id>/status")
@roles_allowed(*ANY_STAFF)
def change_status(order_id: int):
    order = db.session.get(ServiceOrder, order_id) or abort(404)
    target = request.form.get("status")
    if target not in {s.value for s in ServiceOrderStatus}:
        flash(f"unknown status '{target}'", "error")
        return redirect(url_for(".show", order_id=order_id))

    def action():
        if request.form.get("crew"):
            order.crew = request.form["crew"].strip()[:100]
        change_service_order_status(db.session, order, ServiceOrderStatus(target),
                                    result=(request.form.get("result") or "").strip()[:2000] or None,
                                    actual_on=form_date(request.form.get("actual_on"), "actual_on"))
        return on_field_results(db.session, [order.id])       # the crew's result moves its collection case on

    def done(moved: list[int]) -> str:
        told = f" Collection case #{moved[0]} recorded the result." if moved else ""
        return f"{order.number} is now {order.status.value.replace('_', ' ')}.{told}"
    commit_or_flash(action, done)
    return redirect(url_for(".show", order_id=order_id))
