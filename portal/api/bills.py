"""Bills: price hypothetical quantities on a tariff (the customer-advice simulator builds on it)."""
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from models.base import db
from models.billing.simulation import priced_bill_json, simulate_bill
from models.errors import DomainError
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
@blp.arguments(SimulateSchema)
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
