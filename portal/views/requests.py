"""/requests: register a customer request and follow it through its statuses."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from models.base import db
from models.errors import DomainError
from models.limits import parse_int
from models.process.monitor import instances_of
from models.requests.entities import Channel, CustomerRequest, RequestStatus, RequestType
from models.requests.queries import request_list
from models.statuses import status_history
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash, request_transaction
from portal.objects import paginate
from workflows.customer_requests import open_customer_request, record_fee_payment

bp = Blueprint("requests", __name__, url_prefix="/requests")
POWER_VA = (450, 1_000_000_000)     # PLN's smallest connection to the largest a contract can name


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    query = request_list(request.args.get("q", ""), request.args.get("status"), request.args.get("type"))
    return render_template("requests/index.html", page=paginate(query), statuses=RequestStatus, types=RequestType)


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*ANY_STAFF)
def new():
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            power = parse_int(form.get("requested_power_va"), "requested_power_va", *POWER_VA, unit="VA")
            with request_transaction():
                created = open_customer_request(
                    db.session, RequestType(form.get("request_type")), spn=form.get("spn") or None,
                    customer_no=form.get("customer_no") or None, channel=Channel(form.get("channel", "counter")),
                    description=form.get("description", ""), requested_power_va=power)
        except (DomainError, ValueError) as exc:
            field = getattr(exc, "field", None) or "request_type"
            errors[field] = getattr(exc, "message", str(exc))
        else:
            flash(f"Registered {created}; it is now {created.status.value.replace('_', ' ')}.", "success")
            return redirect(url_for(".show", request_id=created.id))
    return render_template("requests/new.html", form=form, errors=errors, types=RequestType, channels=Channel), \
        (422 if errors else 200)


@bp.get("/<int:request_id>")
@roles_allowed(*ANY_STAFF)
def show(request_id: int):
    item = db.session.get(CustomerRequest, request_id) or abort(404)
    instances = instances_of(db.session, "customer_request", item.id)
    return render_template("requests/show.html", item=item, instances=instances,
                           history=status_history(db.session, "customer_request", item.id))


@bp.post("/<int:request_id>/payment")
@roles_allowed(*ANY_STAFF)
def payment(request_id: int):
    """The cashier records the connection fee: the process waiting for it moves on."""
    item = db.session.get(CustomerRequest, request_id) or abort(404)
    reference = request.form.get("reference", "").strip()
    commit_or_flash(lambda: record_fee_payment(db.session, item, reference),
                    lambda _: f"Payment {reference} recorded; {item.number} is now "
                                      f"{item.status.value.replace('_', ' ')}.")
    return redirect(url_for(".show", request_id=item.id))
