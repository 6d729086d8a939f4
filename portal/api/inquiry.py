"""The inquiry over the API: the one-box search and a service point's overview (the view's sections as
data), masked like the screens: ID and bank account numbers show their last digits to all but admins."""
from __future__ import annotations

from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from models.base import db
from models.customers.entities import mask_number
from models.errors import DomainError, NotFound
from models.inquiry.overview import SECTIONS, header, section
from models.inquiry.search import PATHS, search
from models.users.entities import RoleName
from portal.api.auth import token_required
from portal.auth import ANY_STAFF, has_any_role

blp = Blueprint("api_inquiry", __name__, url_prefix="/api/v1", description="Customer-service inquiry")


class SearchArgs(Schema):
    q = fields.String(required=True, metadata={"description": "SPN, ID Pelanggan, meter, bill, ID or bank account "
                                                              "number, phone, or a name or address"})
    path = fields.String(load_default=None, metadata={"description": f"one of {', '.join(PATHS)}"})


class MatchSchema(Schema):
    spn = fields.String(required=True)
    customer = fields.String(allow_none=True)
    address = fields.String(required=True)
    tariff = fields.String(allow_none=True)
    power_va = fields.Integer(allow_none=True)
    status = fields.String(required=True)
    meter = fields.String(allow_none=True)
    matched = fields.String(required=True, metadata={"description": "the path that found it"})


class SearchSchema(Schema):
    term = fields.String(required=True)
    paths = fields.List(fields.String(), required=True)
    truncated = fields.Boolean(required=True, metadata={"description": "more than 300 matched: narrow the search"})
    matches = fields.List(fields.Nested(MatchSchema), required=True)


class OverviewSchema(Schema):
    spn = fields.String(required=True)
    header = fields.Dict(required=True)
    sections = fields.Dict(required=True, metadata={
        "description": "section key -> its data (debt: the customer's open bills summed and aged; invoices: "
                       "payments per bill id)"})


@blp.get("/search")
@blp.arguments(SearchArgs(), location="query")   # an instance: from a class webargs builds one per call
@blp.response(200, SearchSchema)
@blp.alt_response(400, schema=ErrorSchema, description="A term too long or an unknown path")
@token_required(blp, *ANY_STAFF)
def search_points(args):
    """Find service points by whatever the caller knows"""
    try:
        return search(db.session, args["q"], args.get("path"))
    except DomainError as exc:
        abort(400, message=exc.message)


def _shown(number: str | None) -> str:
    return (number or "") if has_any_role(RoleName.ADMIN) else mask_number(number)


def _bill(b) -> dict:
    return {"number": b.number, "kind": b.kind.value, "status": b.status.value, "period": f"{b.period:%Y-%m}",
            "kwh": str(b.kwh), "subtotal": str(b.subtotal), "taxes": str(b.taxes), "total": str(b.total),
            "issued_on": b.issued_on and b.issued_on.isoformat(), "due_on": b.due_on and b.due_on.isoformat(),
            "estimated": b.estimated}


def _terms(v) -> dict | None:
    return None if v is None else {
        "version": v.version_no, "valid_from": v.valid_from.isoformat(),
        "valid_to": v.valid_to and v.valid_to.isoformat(),
        "tariff": v.tariff.code, "contracted_power_va": v.contracted_power_va, "contract_type": v.contract_type.value,
        "reading_cycle": v.reading_cycle.value, "billing_cycle": v.billing_cycle.value,
        "late_penalty_percent": str(v.late_penalty_percent), "penalty_grace_days": v.penalty_grace_days}


def _installation(i) -> dict:
    device = {"meter": i.meter.number, "model": f"{i.meter.model.manufacturer} {i.meter.model.model_code}"} if i.meter \
        else {"control_device": i.control_device.serial, "kind": i.control_device.kind.value,
              "rating_amperes": str(i.control_device.rating_amperes)}
    return {**device, "installed_on": i.installed_on.isoformat(),
            "removed_on": i.removed_on and i.removed_on.isoformat()}


def _debt(debt) -> dict | None:
    if debt is None:
        return None
    return {"total": f"{debt.total:.2f}", "overdue": f"{debt.overdue:.2f}", "credit": f"{debt.credit:.2f}",
            "aging": {name: f"{value:.2f}" for name, value in debt.aging.items()},
            "bills": [{"number": b.bill.number, "balance": f"{b.balance:.2f}", "days_overdue": b.days_overdue}
                      for b in debt.bills]}


def _payments(paid: dict | None) -> dict | None:
    """Bill number -> its outstanding amount and the payments allocated to it."""
    if paid is None:
        return None
    return {str(bill_id): {"outstanding": f"{p.outstanding:.2f}",
                           "payments": [{"payment_id": a.payment_id, "paid_on": a.payment.paid_on.isoformat(),
                                         "amount": f"{a.amount:.2f}", "reversed": a.released_at is not None}
                                        for a in p.payments]} for bill_id, p in paid.items()}


def _sections(spn: str) -> dict:
    s = {key: section(db.session, spn, key) for key in SECTIONS}
    customer = s["customer"]["customer"]
    return {
        "general": {"open_service_orders": s["general"]["open_orders"],
                    "open_anomalies": s["general"]["open_anomalies"],
                    "contacts": s["general"]["contacts"], "terms": _terms(s["general"]["terms"])},
        "history": [{"serial": c.serial, "customer_no": c.customer_no, "status": c.status.value,
                     "holder": c.account.customer.name, "registered_on": c.registered_on.isoformat(),
                     "terminated_on": c.terminated_on and c.terminated_on.isoformat(),
                     "versions": [_terms(v) for v in c.versions]} for c in s["history"]["contracts"]],
        "invoices": {"bills": [_bill(b) for b in s["invoices"]["bills"]],
                     "payments": _payments(s["invoices"]["payments"])},
        "devices": {"installations": [_installation(i) for i in s["devices"]["meter_history"]
                                      + s["devices"]["control_history"]],
                    "readings": [{"read_on": r.read_on.isoformat(), "register": code, "value": str(r.value),
                                  "type": r.reading_type.value, "status": r.status.value}
                                 for r, code, _ in s["devices"]["readings"]]},
        "property": {"address": s["property"]["property"].address, "city": s["property"]["property"].city,
                     "route": s["property"]["route"].code if s["property"]["route"] else None,
                     "service_points": [p.spn for p in s["property"]["service_points"]]},
        "customer": None if customer is None else {
            "name": customer.name, "phone": customer.phone,
            "identity_documents": [{"type": d.doc_type.value, "number": _shown(d.number)}
                                   for d in customer.identity_documents],
            "accounts": [{"account_no": a.account_no, "services": [r.spn for r in rows]}
                         for a, rows in s["customer"]["accounts"]]},
        "debt": _debt(s["debt"]["debt"]),
        "account": None if customer is None else {
            "account_no": s["account"]["account"].account_no, "payer": s["account"]["account"].payer_name,
            "billing_address": s["account"]["account"].billing_address,
            "payment_method": s["account"]["account"].payment_method.value,
            "bank_account": (lambda b: b and {"bank": b.bank, "number": _shown(b.number), "holder": b.holder})(
                s["account"]["account"].bank_account),
            "mandate": s["account"]["mandate"]},
        "contract": None if s["contract"]["contract"] is None else {
            "customer_no": s["contract"]["contract"].customer_no, "serial": s["contract"]["contract"].serial,
            "registered_on": s["contract"]["contract"].registered_on.isoformat(), **_terms(s["contract"]["terms"])},
        "billed_usage": [_bill(b) for b in s["billed_usage"]["bills"]],
        "connection": {"chamber": s["connection"]["chamber"].code if s["connection"]["chamber"] else None,
                       "meter_point": s["connection"]["point"].position if s["connection"]["point"] else None,
                       "meter": s["connection"]["meter"].number if s["connection"]["meter"] else None,
                       "same_chamber": [n.spn for n in s["connection"]["neighbours"]]},
        "requests": [{"number": r.number, "type": r.request_type.value, "status": r.status.value,
                      "registered_on": r.registered_on.isoformat(), "resolution": r.resolution,
                      "statuses": [c.to_status for c in changes],
                      "waiting_for": [t.role for t in steps if t.role]}
                     for r, changes, steps in s["requests"]["requests"]],
    }


@blp.get("/service-points/<string:spn>/overview")
@blp.response(200, OverviewSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No service point with this number")
@token_required(blp, *ANY_STAFF)
def overview(spn: str):
    """A service point's header, alerts and every section of the inquiry view"""
    try:
        h = header(db.session, spn)
        return {"spn": h["sp"].spn, "sections": _sections(spn), "header": {
            "customer_no": h["contract"].customer_no if h["contract"] else None,
            "customer": h["customer"].name if h["customer"] else None,
            "address": str(h["sp"].property), "status": h["sp"].status.value, "terms": _terms(h["terms"]),
            "balance": f"{h['debt'].net:.2f}" if h["debt"] else None,
            "alerts": [{"kind": a["kind"], "text": a["text"]} for a in h["alerts"]]}}
    except NotFound as exc:
        abort(404, message=exc.message)
