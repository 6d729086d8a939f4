"""Lookups by the keys clerks type: the record, or a NotFound naming the field."""
from decimal import Decimal

import pytest

from models.errors import NotFound
from models.meters.entities import ControlDevice, ControlDeviceKind
from models.meters.queries import get_control_device, get_meter, get_store
from models.premises.queries import get_route, get_service_point
from models.requests.entities import RequestType
from models.requests.operations import register_request
from models.requests.queries import get_request
from models.service_orders.entities import ServiceOrderType
from models.service_orders.operations import create_service_order
from models.service_orders.queries import get_service_order


def refusal(lookup, *args) -> tuple[str | None, str]:
    with pytest.raises(NotFound) as caught:
        lookup(*args)
    return caught.value.field, caught.value.message


def test_service_point_by_spn(db, make):
    sp = make.service_point()
    assert get_service_point(db.session, sp.spn) is sp
    assert refusal(get_service_point, db.session, "NOPE") == ("spn", "no service point with number NOPE")


def test_meter_by_number(db, make):
    meter = make.meter(number="77001")
    assert get_meter(db.session, "77001") is meter
    assert refusal(get_meter, db.session, "NOPE") == ("meter", "no meter with number NOPE")


def test_route_and_store_by_code(db, make):
    route, store = make.route(), make.store()
    assert (get_route(db.session, route.code), get_store(db.session, store.code)) == (route, store)
    assert refusal(get_route, db.session, "R-0") == ("route", "no route R-0")
    assert refusal(get_store, db.session, "S-0") == ("store", "no store S-0")


def test_control_device_by_serial(db):
    device = ControlDevice(serial="MCB-9", kind=ControlDeviceKind.CIRCUIT_BREAKER, rating_amperes=Decimal(6))
    db.session.add(device)
    assert get_control_device(db.session, "MCB-9") is device
    assert refusal(get_control_device, db.session, "X") == ("serial", "no control device with serial X")


def test_request_and_service_order_by_number(db, make):
    sp = make.service_point()
    request = register_request(db.session, RequestType.COMPLAINT, service_point_id=sp.id)
    order = create_service_order(db.session, ServiceOrderType.SURVEY, service_point_id=sp.id)
    assert (get_request(db.session, request.number), get_service_order(db.session, order.number)) == (request, order)
    assert refusal(get_request, db.session, "RQ-0") == ("number", "no request with number RQ-0")
    assert refusal(get_service_order, db.session, "SO-0") == ("number", "no service order with number SO-0")
