"""Configured rules turn reading anomalies into an inspection order or the meter replacement process."""
from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from models.installations.operations import install_meter
from models.premises.entities import ServicePoint
from models.process.entities import ProcessInstance
from models.readings.entities import AnomalyFollowUp, AnomalyStatus, FollowUpAction, ReadingType
from models.readings.operations import record_reading
from models.service_orders.entities import ServiceOrder, ServiceOrderType
from workflows.reading_follow_ups import follow_up_anomalies


@pytest.fixture
def register(db, make, shipped):
    contract = make.contract()
    meter = make.meter(number="71001")
    install_meter(db.session, contract.service_point, meter, date(2026, 1, 1), {"1.8.0": D("500")})
    db.session.add_all([AnomalyFollowUp(code="tampering_suspected", action=FollowUpAction.INSPECTION_ORDER),
                        AnomalyFollowUp(code="negative_consumption", action=FollowUpAction.METER_REPLACEMENT)])
    return meter.registers[0]


def anomalies(db, register, on, value, notes=()):
    reading = record_reading(db.session, register, on, D(value), ReadingType.ACTUAL, notes=notes)
    return [a.id for a in reading.anomalies], reading


def test_tampering_note_opens_one_inspection_order_for_the_service_point(db, register):
    first, reading = anomalies(db, register, date(2026, 2, 1), "600", ("tampering_suspected",))
    second, _ = anomalies(db, register, date(2026, 3, 1), "700", ("tampering_suspected",))
    assert follow_up_anomalies(db.session, first + second) == {
        "inspection_orders": 1, "meter_replacements": 0, "linked": 1}
    order = db.session.scalar(sa.select(ServiceOrder).where(ServiceOrder.order_type == ServiceOrderType.INSPECTION))
    assert reading.anomalies[0].service_order_id == order.id
    assert reading.anomalies[0].status is AnomalyStatus.FOLLOW_UP
    assert follow_up_anomalies(db.session, None)["inspection_orders"] == 0   # nothing open is left


def test_negative_consumption_starts_the_meter_replacement(db, register):
    ids, reading = anomalies(db, register, date(2026, 2, 1), "400")
    assert follow_up_anomalies(db.session, ids)["meter_replacements"] == 1
    instance = db.session.get(ProcessInstance, reading.anomalies[0].process_instance_id)
    only_service_point = db.session.scalar(sa.select(ServicePoint.id))
    assert (instance.definition.key, instance.object_id) == ("meter_replacement", only_service_point)
