"""Bills: a service point's bills, one bill with its lines, its invoice document; and the pricing of
hypothetical quantities on a tariff (the customer-advice simulator builds on it)."""
from flask import Response
from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from models.base import db
from models.billing.queries import bills_of_spn, document_of, get_bill
from models.billing.simulation import decimal_text, priced_bill_json, simulate_bill
from models.errors import DomainError, NotFound
from portal.api.auth import token_required
from portal.auth import ANY_STAFF

blp = Blueprint("api_bills", __name__, url_prefix="/api/v1/bills", description="Bills and bill simulation")

_NUMBER = {"description": "A number or a decimal string, already multiplied (kWh at the customer)",
           "oneOf": [{"type": "number"}, {"type": "string"}]}


class SimulateSchema(Schema):
    # Raw, so a wrong type reaches simulate_bill, which answers 400 naming the field like every refusal.
    tariff = fields.Raw(required=True, metadata={"description": "Tariff code, e.g. R-1/TR 1300",
                                                 "type": "string"})
    power_va = fields.Raw(required=True, metadata={"description": "Contracted power in VA", "type": "integer"})
    period = fields.Raw(required=True, metadata={"description": "Month as YYYY-MM", "type": "string"})
    kwh = fields.Raw(load_default=None, metadata={**_NUMBER, "description": "kWh (single-rate tariffs)"})
    lwbp = fields.Raw(load_default=None, metadata={**_NUMBER, "description": "Off-peak kWh (time-of-use)"})
    wbp = fields.Raw(load_default=None, metadata={**_NUMBER, "description": "Peak kWh (time-of-use)"})
    kvarh = fields.Raw(load_default=None, metadata=_NUMBER)
    kw = fields.Raw(load_default=None, metadata={**_NUMBER, "description": "Maximum demand in kW"})


class SimulatedLineSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "Tariff component kind"})
    label = fields.String(required=True)
    quantity = fields.String(required=True)
    unit = fields.String(required=True)
    rate = fields.String(required=True)
    amount = fields.String(required=True)


class SimulatedBillSchema(Schema):
    lines = fields.List(fields.Nested(SimulatedLineSchema), required=True)
    subtotal = fields.String(required=True, metadata={"description": "Everything before taxes and stamp duty"})
    taxes = fields.String(required=True)
    total = fields.String(required=True)


@blp.post("/simulate")
@token_required(blp, *ANY_STAFF)     # outside the body's parsing: no token, no look at the body
@blp.arguments(SimulateSchema())          # an instance: from a class webargs builds one per call
@blp.response(200, SimulatedBillSchema)
@blp.alt_response(422, schema=ErrorSchema, description="A required field is missing")
def simulate(body: dict):
    """Price hypothetical quantities on a tariff: the lines a bill would have, subtotal, taxes and total.

    An unknown tariff, a period without a tariff version, a negative or non-numeric quantity or a power
    outside the tariff's range is refused with 400, naming the field.
    """
    if not isinstance(body.get("tariff"), str) or not isinstance(body.get("period"), str):
        raise DomainError("must be text", "tariff" if not isinstance(body.get("tariff"), str) else "period")
    bill = simulate_bill(db.session, body["tariff"], body["power_va"], body["period"], kwh=body["kwh"],
                         lwbp=body["lwbp"], wbp=body["wbp"], kvarh=body["kvarh"], kw=body["kw"])
    return priced_bill_json(bill)


def _money(value) -> str:
    return decimal_text(value, money=True)


class ReadingSchema(Schema):
    register = fields.String(required=True, metadata={"description": "Register code, e.g. 1.8.0"})
    meter = fields.String(allow_none=True, metadata={"description": "Meter number"})
    previous = fields.String(required=True, metadata={"description": "Previous reading (register units)"})
    previous_type = fields.String(required=True, metadata={"description": "actual, estimated, removal..."})
    previous_on = fields.String(required=True, metadata={"description": "ISO date"})
    current = fields.String(required=True)
    current_type = fields.String(required=True)
    current_on = fields.String(required=True)
    multiplier = fields.String(required=True)
    estimated = fields.Boolean(required=True)


class BillLineSchema(Schema):
    sequence = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "Tariff component kind, correction or misc_charge"})
    label = fields.String(required=True)
    quantity = fields.Function(lambda line: decimal_text(line.quantity), required=True,
                               metadata={"type": "string"})
    unit = fields.String(required=True)
    rate = fields.Function(lambda line: _money(line.rate), required=True, metadata={"type": "string"})
    amount = fields.Function(lambda line: _money(line.amount), required=True, metadata={"type": "string"})
    covers_from = fields.Date(allow_none=True)
    covers_to = fields.Date(allow_none=True, metadata={"description": "Exclusive"})
    split = fields.String(allow_none=True, metadata={"description": "by readings / by days when prorated"})
    explanation = fields.String(required=True, metadata={"description": "The line in words a clerk reads out"})
    readings = fields.List(fields.Nested(ReadingSchema), allow_none=True,
                           metadata={"description": "The readings behind a consumption line"})


class BillSummarySchema(Schema):
    number = fields.String(allow_none=True, metadata={"description": "Invoice number; none before issue"})
    kind = fields.Function(lambda b: b.kind.value, required=True, metadata={"type": "string",
                                                                            "enum": ["invoice", "credit_note"]})
    status = fields.Function(lambda b: b.status.value, required=True,
                             metadata={"type": "string", "enum": ["draft", "held", "issued", "cancelled"]})
    period = fields.Function(lambda b: f"{b.period:%Y-%m}", required=True,
                             metadata={"type": "string", "description": "YYYY-MM"})
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True, metadata={"description": "Exclusive"})
    customer_no = fields.Function(lambda b: b.contract.customer_no, required=True,
                                  metadata={"type": "string", "description": "ID Pelanggan"})
    tariff = fields.String(attribute="tariff_code", required=True)
    tariff_class = fields.String(required=True)
    power_va = fields.Integer(required=True)
    kwh = fields.Function(lambda b: decimal_text(b.kwh), required=True, metadata={"type": "string"})
    jam_nyala = fields.Function(lambda b: decimal_text(b.jam_nyala), required=True, metadata={"type": "string"})
    subtotal = fields.Function(lambda b: _money(b.subtotal), required=True, metadata={"type": "string"})
    taxes = fields.Function(lambda b: _money(b.taxes), required=True,
                            metadata={"type": "string", "description": "Taxes and stamp duty"})
    total = fields.Function(lambda b: _money(b.total), required=True, metadata={"type": "string"})
    issued_on = fields.Date(allow_none=True)
    due_on = fields.Date(allow_none=True)
    cancels = fields.Function(lambda b: b.cancels.number if b.cancels else None, allow_none=True,
                              metadata={"type": "string",
                                        "description": "A credit note: the number of the bill it cancels"})
    rebill_of = fields.Function(lambda b: b.rebill_of.number if b.rebill_of else None, allow_none=True,
                                metadata={"type": "string",
                                          "description": "A rebill: the number of the bill it replaces"})


class BillSchema(BillSummarySchema):
    spn = fields.Function(lambda b: b.service_point.spn, required=True,
                          metadata={"type": "string", "description": "Service point number"})
    account_no = fields.Function(lambda b: b.account.account_no, required=True, metadata={"type": "string"})
    hold_reasons = fields.List(fields.String(), allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(BillLineSchema), required=True)


class BillQuerySchema(Schema):
    spn = fields.String(required=True, metadata={"description": "Service point number"})


@blp.get("")
@token_required(blp, *ANY_STAFF)
@blp.arguments(BillQuerySchema(), location="query")
@blp.response(200, BillSummarySchema(many=True))
@blp.alt_response(404, schema=ErrorSchema, description="No service point with this number")
@blp.alt_response(422, schema=ErrorSchema, description="The spn query parameter is missing")
def list_bills(args: dict):
    """A service point's bills and credit notes, newest first (drafts and held bills have no number yet)"""
    try:
        return bills_of_spn(db.session, args["spn"])
    except NotFound as exc:
        abort(404, message=exc.message)


def _bill(number: str):
    try:
        return get_bill(db.session, number)
    except NotFound as exc:
        abort(404, message=exc.message)


@blp.get("/<string:number>")
@blp.response(200, BillSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No bill with this number")
@token_required(blp, *ANY_STAFF)
def get_one_bill(number: str):
    """One bill or credit note with its lines, their explanations and the readings behind them"""
    return _bill(number)


@blp.get("/<string:number>/document")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The invoice document (PDF), as stored when it was rendered")
@blp.alt_response(404, schema=ErrorSchema, description="No bill with this number, or its document is not "
                  "rendered yet")
@token_required(blp, *ANY_STAFF)
def get_bill_document(number: str):
    """The invoice document of an issued bill or credit note, with its SHA-256 in the ETag"""
    bill = _bill(number)
    document = document_of(db.session, bill.id)
    if document is None:
        abort(404, message=f"the document of {bill.number} is not rendered yet: documents are rendered after "
                           "issue by the document job")
    return Response(document.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{bill.number}.pdf"', "ETag": f'"{document.sha256}"'})
