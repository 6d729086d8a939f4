from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from models.base import db
from models.contracts.queries import service_point_summary
from models.errors import NotFound
from portal.api.auth import token_required
from portal.auth import ANY_STAFF

blp = Blueprint("api_service_points", __name__, url_prefix="/api/v1/service-points",
                description="Service points: the anchor of every inquiry")


class ContractSummarySchema(Schema):
    serial = fields.Integer(required=True)
    customer_no = fields.String(required=True, metadata={"description": "ID Pelanggan"})
    account_no = fields.String(required=True)
    registered_on = fields.Date(required=True)
    tariff = fields.String(allow_none=True)
    contracted_power_va = fields.Integer(allow_none=True)
    contract_type = fields.String(allow_none=True)


class ServicePointSchema(Schema):
    spn = fields.String(required=True, metadata={"description": "Service point number"})
    status = fields.String(required=True)
    supply_voltage = fields.String(required=True, metadata={"description": "TR, TM or TT"})
    created_on = fields.Date(required=True)
    address = fields.String(required=True)
    city = fields.String(required=True)
    route = fields.String(allow_none=True)
    itinerary = fields.String(allow_none=True)
    reading_sequence = fields.Integer(allow_none=True)
    contract = fields.Nested(ContractSummarySchema, allow_none=True)


@blp.get("/<string:spn>")
@blp.response(200, ServicePointSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No service point with this number")
@token_required(blp, *ANY_STAFF)
def get_service_point(spn: str):
    """One service point's basic data and its active contract"""
    try:
        return service_point_summary(db.session, spn)
    except NotFound as exc:
        abort(404, message=exc.message)
