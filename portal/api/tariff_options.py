"""Tariff and power advice: a service point's last 12 months priced on every tariff and power it may choose."""
from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from models.base import db
from models.billing.advice import request_type_for, tariff_options
from models.billing.simulation import decimal_text
from models.errors import DomainError, NotFound
from portal.api.auth import token_required
from portal.auth import ANY_STAFF

blp = Blueprint("api_tariff_options", __name__, url_prefix="/api/v1/service-points",
                description="Tariff and power advice from the customer's own history")


class MonthSchema(Schema):
    period = fields.String(required=True, metadata={"description": "YYYY-MM"})
    source = fields.String(required=True, metadata={"description": "bill or intervals"})
    kwh = fields.String(required=True)
    lwbp = fields.String(allow_none=True)
    wbp = fields.String(allow_none=True)
    kvarh = fields.String(allow_none=True)
    kw = fields.String(allow_none=True)


class OptionSchema(Schema):
    tariff = fields.String(required=True)
    name = fields.String(required=True)
    power_va = fields.Integer(required=True)
    current = fields.Boolean(required=True)
    allowed = fields.Boolean(required=True, metadata={"description": "A change request may start from it"})
    annual_cost = fields.String(allow_none=True, metadata={"description": "Rp, last year's use at today's rates"})
    difference = fields.String(allow_none=True, metadata={"description": "Rp, annual cost minus today's"})
    limit = fields.String(allow_none=True, metadata={"description": "Why the option is ruled out"})
    request_type = fields.String(allow_none=True)


class AdviceSchema(Schema):
    spn = fields.String(required=True)
    supply_voltage = fields.String(required=True)
    tariff = fields.String(required=True)
    power_va = fields.Integer(required=True)
    peak_kw = fields.String(allow_none=True)
    scaled = fields.Boolean(required=True, metadata={"description": "Fewer than 12 months, scaled to a year"})
    months = fields.List(fields.Nested(MonthSchema), required=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)


def _text(value, money=False):
    return None if value is None else decimal_text(value, money=money)


@blp.get("/<string:spn>/tariff-options")
@blp.response(200, AdviceSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No service point with this number")
@blp.alt_response(409, schema=ErrorSchema, description="The service point has no active contract")
@token_required(blp, *ANY_STAFF)
def get_tariff_options(spn: str):
    """Every tariff and contracted power the service point may choose, priced on its last 12 months"""
    try:
        advice = tariff_options(db.session, spn)
    except NotFound as exc:
        abort(404, message=exc.message)
    except DomainError as exc:
        abort(409, message=exc.message)
    return {
        "spn": advice.spn, "supply_voltage": advice.supply_voltage, "tariff": advice.tariff_code,
        "power_va": advice.power_va, "peak_kw": _text(advice.peak_kw), "scaled": advice.scaled,
        "months": [{"period": f"{m.period:%Y-%m}", "source": m.source, "kwh": _text(m.kwh), "lwbp": _text(m.lwbp),
                    "wbp": _text(m.wbp), "kvarh": _text(m.kvarh), "kw": _text(m.kw)} for m in advice.months],
        "options": [{"tariff": o.tariff_code, "name": o.tariff_name, "power_va": o.power_va, "current": o.current,
                     "allowed": o.allowed, "annual_cost": _text(o.annual_cost, True),
                     "difference": _text(o.difference, True), "limit": o.limit,
                     "request_type": request_type_for(advice, o).value if o.allowed else None}
                    for o in advice.options],
    }
