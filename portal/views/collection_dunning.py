"""/collection/dunning: service points with overdue bills and their dunning stage, a service point's debt
actions, protection and arrangements; a clerk arranges the overdue bills in instalments (dunning pauses)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for

from models.base import db
from models.clock import today
from models.collection.arrangements import active_arrangement
from models.collection.dunning import active_contract, contract_overdue, debt_actions, latest_actions, overdue_contracts
from models.collection.dunning_entities import PaymentArrangement
from models.contracts.entities import Contract
from models.errors import DomainError
from models.limits import parse_decimal, parse_int
from models.params import optional_date
from models.premises.entities import ServicePoint
from models.premises.queries import get_service_point
from models.types import add_months
from models.users.roles import BOOKS_READERS
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import request_transaction
from workflows.collection import make_arrangement, open_case

bp = Blueprint("collection_dunning", __name__, url_prefix="/collection/dunning")
LIST_LIMIT = 500
MONEY_MAX = Decimal("9999999999999999.99")


@bp.get("/")
@roles_allowed(*BOOKS_READERS)
def index():
    overdue = overdue_contracts(db.session, today())
    shown = overdue[:LIST_LIMIT]
    sps = {sp.id: sp for sp in db.session.scalars(
        sa.select(ServicePoint).where(ServicePoint.id.in_([o.service_point_id for o in shown])))}
    contracts = {c.id: c for c in db.session.scalars(
        sa.select(Contract).where(Contract.id.in_([o.contract_id for o in shown])))}
    arranged = set(db.session.scalars(sa.select(PaymentArrangement.contract_id).where(
        PaymentArrangement.status == "active", PaymentArrangement.contract_id.in_(list(contracts)))))
    return render_template("collection/dunning/index.html", rows=shown, total=len(overdue), sps=sps,
                           contracts=contracts, stages=latest_actions(db.session, list(contracts)), arranged=arranged)


def _page(spn: str, errors: dict | None = None, form=None, status: int = 200):
    sp = get_service_point(db.session, spn)
    contract = db.session.scalar(sa.select(Contract).where(Contract.service_point_id == sp.id)
                                 .order_by(Contract.registered_on.desc()).limit(1))
    bills, owed = contract_overdue(db.session, contract.id) if contract else ([], Decimal(0))
    arrangements = list(db.session.scalars(sa.select(PaymentArrangement).where(
        PaymentArrangement.contract_id == contract.id).order_by(PaymentArrangement.id.desc()))) if contract else []
    return render_template("collection/dunning/show.html", sp=sp, contract=contract, owed=owed, bill_count=len(bills),
                           actions=debt_actions(db.session, sp.id), case=open_case(db.session, sp.id),
                           arrangements=arrangements, active=contract and active_arrangement(db.session, contract.id),
                           errors=errors or {}, form=form or {}, first_due=today() + timedelta(days=30)), status


@bp.get("/<spn>")
@roles_allowed(*BOOKS_READERS)
def show(spn: str):
    return _page(spn)


def _plan(form, owed: Decimal) -> tuple[Decimal, list[tuple[date, Decimal]]]:
    """Equal monthly instalments from the first due date; the last one takes the rounding."""
    down = parse_decimal(form.get("down_payment"), "down_payment", Decimal(0), MONEY_MAX, places=2) or Decimal(0)
    count = parse_int(form.get("instalments"), "instalments", 1, 36)
    if count is None:
        raise DomainError("is required: how many instalments", "instalments")
    first = optional_date(form.get("first_due_on"))
    if first is None:
        raise DomainError("is required (YYYY-MM-DD)", "first_due_on")
    rest = owed - down
    if rest <= 0:
        raise DomainError(f"must be less than what is overdue ({owed:,.2f})", "down_payment")
    part = (rest / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    amounts = [part] * (count - 1) + [rest - part * (count - 1)]
    return down, [(add_months(first, n), amount) for n, amount in enumerate(amounts)]


@bp.post("/<spn>/arrangements")
@roles_allowed(*ANY_STAFF)
def arrange(spn: str):
    sp = get_service_point(db.session, spn)
    try:
        with request_transaction():
            contract = active_contract(db.session, sp.id)
            down, plan = _plan(request.form, contract_overdue(db.session, contract.id)[1])
            arrangement = make_arrangement(db.session, contract, down, plan, request.form.get("note"))
    except (DomainError, ValueError) as exc:
        db.session.rollback()
        return _page(spn, {getattr(exc, "field", None) or "instalments": getattr(exc, "message", str(exc))},
                     request.form, 422)
    flash(f"{arrangement} made: {len(plan)} instalments; dunning waits while it is kept.", "success")
    return redirect(url_for(".show", spn=spn))
