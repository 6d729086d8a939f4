"""Payments from payment partners (banks, payment points): posted exactly once, whoever sends them and however
often, and the customer's debt.

`POST /api/v1/payments` needs an `Idempotency-Key` header: a replay of the same key and body answers the
first result (the same payment id); the same key with another body is a 409 saying so. Independently of
the key, one (channel, reference) pair posts once.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

import sqlalchemy as sa
from flask import request
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from models.base import db
from models.billing.simulation import decimal_text
from models.clock import today
from models.collection.entities import Payment, PaymentChannel, PaymentMethod
from models.collection.operations import PostedPayment, post_payment
from models.collection.queries import bill_balances, customer_credit, customer_debt, find_payer
from models.customers.queries import get_customer
from models.errors import Conflicting, DomainError
from models.limits import check_business_date, check_text, parse_decimal
from portal.api.auth import token_required
from portal.auth import ANY_STAFF
from portal.edges import request_transaction

blp = Blueprint("api_payments", __name__, url_prefix="/api/v1", description="Payments and customer debt")

KEY_MAX = 100
# The channels a partner may post on: the counter and direct debit have their own paths.
API_CHANNELS = {PaymentChannel.PARTNER, PaymentChannel.BANK_TRANSFER}
_DEFAULT_METHOD = {PaymentChannel.PARTNER: PaymentMethod.TRANSFER, PaymentChannel.BANK_TRANSFER: PaymentMethod.TRANSFER}


class PaymentRequestSchema(Schema):
    # Raw: a wrong type reaches the checks below, which answer 400 naming the field like every refusal.
    bill_number = fields.Raw(load_default=None, metadata={"type": "string", "description": "Invoice number"})
    customer_no = fields.Raw(load_default=None, metadata={"type": "string", "description": "ID Pelanggan"})
    payment_reference = fields.Raw(load_default=None, metadata={
        "type": "string", "description": "The digits printed (and in the QR code) on the invoice"})
    amount = fields.Raw(required=True, metadata={"type": "string", "description": "Decimal string, e.g. \"267847.00\""})
    channel = fields.Raw(required=True, metadata={"type": "string", "enum": sorted(c.value for c in API_CHANNELS)})
    reference = fields.Raw(required=True, metadata={"type": "string",
                                                    "description": "The partner's own transaction reference"})
    paid_on = fields.Raw(required=True, metadata={"type": "string", "format": "date"})
    payer = fields.Raw(load_default=None, metadata={"type": "string"})


class AllocationSchema(Schema):
    bill_number = fields.String(required=True)
    amount = fields.String(required=True)
    balance = fields.String(required=True, metadata={"description": "What the bill still owes"})


class PaymentResultSchema(Schema):
    payment_id = fields.Integer(required=True)
    status = fields.String(required=True)
    channel = fields.String(required=True)
    reference = fields.String(required=True)
    amount = fields.String(required=True)
    paid_on = fields.Date(required=True)
    customer_id = fields.Integer(required=True)
    replayed = fields.Boolean(required=True, metadata={"description": "This payment was posted before"})
    allocations = fields.List(fields.Nested(AllocationSchema), required=True)
    credit = fields.String(required=True, metadata={"description": "The customer's unallocated credit now"})


def _text(body: dict, name: str, length: int, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError("is required", name)
        return None
    if not isinstance(value, str):
        raise DomainError("must be text", name)
    return check_text(value.strip(), name, length)


def _fingerprint(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _result(posted: PostedPayment) -> dict:
    payment = posted.payment
    if posted.balances is None:         # a replay: read what it allocated and what is owed now
        live = [a for a in payment.allocations if a.released_at is None]
        balances = bill_balances(db.session, [a.bill_id for a in live])
        credit = customer_credit(db.session, payment.customer_id)
    else:                               # just posted: allocate_credit knows both (no query)
        live = [a for a in posted.allocations if a.payment_id == payment.id]
        balances, credit = posted.balances, posted.credit
    return {"payment_id": payment.id, "status": payment.status.value, "channel": payment.channel.value,
            "reference": payment.reference, "amount": decimal_text(payment.amount, money=True),
            "paid_on": payment.paid_on, "customer_id": payment.customer_id, "replayed": posted.replay,
            "allocations": [{"bill_number": posted.numbers.get(a.bill_id) or a.bill.number,
                             "amount": decimal_text(a.amount, money=True),
                             "balance": decimal_text(balances.get(a.bill_id, 0), money=True)} for a in live],
            "credit": decimal_text(credit, money=True)}


def _replay(key: str, fingerprint: str) -> Payment | None:
    """The payment posted under this key, if any; a 409 if it was posted for another body. Asked only once a post
    found its (channel, reference) or its key taken: a new payment costs no look-up."""
    earlier = db.session.scalars(sa.select(Payment).where(Payment.idempotency_key == key)).one_or_none()
    if earlier is not None and earlier.request_hash != fingerprint:
        raise Conflicting("this Idempotency-Key was used for another request: send a new key for a new payment",
                          "Idempotency-Key")
    return earlier


@blp.post("/payments")
@token_required(blp, *ANY_STAFF)     # outside the body's parsing: no token, no look at the body
@blp.arguments(PaymentRequestSchema())   # an instance: from a class webargs builds one per call
@blp.response(201, PaymentResultSchema)
@blp.alt_response(400, schema=ErrorSchema, description="A field is wrong, or the Idempotency-Key is missing")
@blp.alt_response(404, schema=ErrorSchema, description="No bill or customer has that number")
@blp.alt_response(409, schema=ErrorSchema, description="The Idempotency-Key was used for another request")
@blp.alt_response(422, schema=ErrorSchema, description="A required field is missing")
def post(body: dict):
    """Post a payment: allocated to the named bill, else the customer's oldest open bills; what is left stays as
    credit. Needs the header `Idempotency-Key` (at most 100 characters): the same key and body again answer the
    first result; the same (channel, reference) posts once whatever the key."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key or len(key) > KEY_MAX or not key.isprintable():
        raise DomainError(f"the header is required: a unique key of at most {KEY_MAX} printable characters per "
                          "payment", "Idempotency-Key")
    fingerprint = _fingerprint(body)
    try:
        return _post(body, key, fingerprint)
    except DomainError:
        # A refused body under a key used before: that request's answer (the same body), or a 409 (another
        # one) whatever this body's fault. Looked up only for refusals: a new payment costs no look-up.
        earlier = _replay(key, fingerprint)
        if earlier is None:
            raise
        return _result(PostedPayment(earlier, replay=True))


def _post(body: dict, key: str, fingerprint: str) -> dict:
    channel_text = _text(body, "channel", 20, required=True)
    try:
        channel = PaymentChannel(channel_text)
    except ValueError:
        channel = None
    if channel not in API_CHANNELS:
        raise DomainError(f"must be one of {', '.join(sorted(c.value for c in API_CHANNELS))}", "channel")
    if not isinstance(body.get("amount"), str):
        raise DomainError("must be a decimal string such as \"267847.00\" (a JSON number may lose digits)", "amount")
    amount = parse_decimal(body["amount"], "amount", places=2)
    reference = _text(body, "reference", 80, required=True)
    try:
        paid_on = date.fromisoformat(_text(body, "paid_on", 10, required=True))
    except ValueError as exc:
        raise DomainError("must be a date YYYY-MM-DD", "paid_on") from exc
    check_business_date(paid_on, "paid_on")
    keys = {name: _text(body, name, 40) for name in ("bill_number", "customer_no", "payment_reference")}
    with request_transaction():
        payer = find_payer(db.session, **keys, lock=True)
        # A post finding its key taken by another reference is refused (field idempotency_key): the 409 above.
        posted = post_payment(db.session, payer, channel=channel, method=_DEFAULT_METHOD[channel],
                              reference=reference, amount=amount, paid_on=paid_on,
                              payer_name=_text(body, "payer", 200), idempotency_key=key, request_hash=fingerprint)
        if posted.replay:           # its key, or its reference, was posted before: the first answer, or a 409
            posted = PostedPayment(_replay(key, fingerprint) or posted.payment, replay=True)
        return _result(posted)


class DebtBillSchema(Schema):
    bill_number = fields.String(required=True)
    period = fields.String(required=True, metadata={"description": "YYYY-MM"})
    due_on = fields.Date(allow_none=True)
    total = fields.String(required=True)
    balance = fields.String(required=True)
    days_overdue = fields.Integer(required=True)


class DebtSchema(Schema):
    customer_id = fields.Integer(required=True)
    name = fields.String(required=True)
    as_of = fields.Date(required=True)
    total = fields.String(required=True, metadata={"description": "Sum of the open bill balances"})
    overdue = fields.String(required=True)
    credit = fields.String(required=True, metadata={"description": "Payments not yet allocated"})
    net = fields.String(required=True, metadata={"description": "total - credit"})
    aging = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": "current, 1-30, 31-60, 61-90, over 90 days past due"})
    bills = fields.List(fields.Nested(DebtBillSchema), required=True)


@blp.get("/customers/<int:customer_id>/debt")
@token_required(blp, *ANY_STAFF)
@blp.response(200, DebtSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such customer")
def debt(customer_id: int):
    """The customer's debt: the open bills of all their accounts and service points, summed and aged."""
    customer = get_customer(db.session, customer_id)
    found = customer_debt(db.session, customer, today())
    money = lambda value: decimal_text(value, money=True)   # noqa: E731
    return {"customer_id": customer.id, "name": customer.name, "as_of": found.as_of, "total": money(found.total),
            "overdue": money(found.overdue), "credit": money(found.credit), "net": money(found.net),
            "aging": {name: money(value) for name, value in found.aging.items()},
            "bills": [{"bill_number": b.bill.number, "period": f"{b.bill.period:%Y-%m}", "due_on": b.bill.due_on,
                       "total": money(b.bill.total), "balance": money(b.balance), "days_overdue": b.days_overdue}
                      for b in found.bills]}
