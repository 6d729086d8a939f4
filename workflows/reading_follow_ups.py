"""Turning reading anomalies into follow-up work by the configured rules (AnomalyFollowUp).

An inspection service order or the meter replacement process, one per service point: anomalies of a
service point that already has such work open are linked to it instead of starting more. Runs after
readings are recorded (entry screen, imports, cycle close); anomalies already followed up are skipped,
so running it twice starts nothing new.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.meters.entities import Installation, Register
from models.premises.entities import ServicePoint
from models.readings.entities import AnomalyFollowUp, AnomalyStatus, FollowUpAction, Reading, ReadingAnomaly
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus, ServiceOrderType
from models.service_orders.operations import create_service_order
from models.statuses import move_status
from workflows.meter_processes import running_replacement, start_meter_replacement

OPEN_ORDER = (ServiceOrderStatus.CREATED, ServiceOrderStatus.ASSIGNED, ServiceOrderStatus.IN_PROGRESS)


def follow_up_anomalies(session: Session, anomaly_ids: list[int] | None) -> dict[str, int]:
    """Follow up the given open anomalies (None: every open one); returns what was started and linked."""
    rules = {rule.code: rule.action for rule in session.scalars(sa.select(AnomalyFollowUp)
                                                                .where(AnomalyFollowUp.active.is_(True)))}
    counts = {"inspection_orders": 0, "meter_replacements": 0, "linked": 0}
    if not rules:
        return counts
    query = (sa.select(ReadingAnomaly, Installation.service_point_id)
             .join(Reading, Reading.id == ReadingAnomaly.reading_id)
             .join(Register, Register.id == Reading.register_id)
             .join(Installation, sa.and_(Installation.meter_id == Register.meter_id, Installation.removed_on.is_(None)))
             .where(ReadingAnomaly.status == AnomalyStatus.OPEN, ReadingAnomaly.code.in_(list(rules)))
             .order_by(ReadingAnomaly.id))
    if anomaly_ids is not None:
        query = query.where(ReadingAnomaly.id.in_(anomaly_ids))
    orders: dict[int, ServiceOrder] = {}
    instances: dict[int, int] = {}
    for anomaly, service_point_id in session.execute(query).all():
        if rules[anomaly.code] is FollowUpAction.INSPECTION_ORDER:
            order = orders.get(service_point_id) or _open_inspection(session, service_point_id)
            if order is None:
                order = create_service_order(session, ServiceOrderType.INSPECTION, service_point_id=service_point_id)
                counts["inspection_orders"] += 1
            else:
                counts["linked"] += 1
            orders[service_point_id] = order
            anomaly.service_order_id = order.id
        else:
            instance_id = instances.get(service_point_id) or running_replacement(session, service_point_id)
            if instance_id is None:
                service_point = session.get(ServicePoint, service_point_id)
                instance_id = start_meter_replacement(session, service_point,
                                                      f"reading anomaly: {anomaly.code.value}").id
                counts["meter_replacements"] += 1
            else:
                counts["linked"] += 1
            instances[service_point_id] = instance_id
            anomaly.process_instance_id = instance_id
        move_status(session, anomaly, AnomalyStatus.FOLLOW_UP, what=f"anomaly {anomaly.id} ({anomaly.code})")
    session.flush()
    return counts


def _open_inspection(session: Session, service_point_id: int) -> ServiceOrder | None:
    return session.scalar(sa.select(ServiceOrder).where(
        ServiceOrder.service_point_id == service_point_id, ServiceOrder.order_type == ServiceOrderType.INSPECTION,
        ServiceOrder.status.in_(OPEN_ORDER)).limit(1))


def enter_reading(session: Session, order, value: str, note: str | None, read_on):
    """A reading typed on the entry screen, and the follow-up work its anomalies call for."""
    from models.readings.cycles import enter_order_reading
    reading = enter_order_reading(session, order, value, note, read_on)
    if reading is not None and reading.anomalies:
        follow_up_anomalies(session, [a.id for a in reading.anomalies])
    return reading


def close_reading_cycle(session: Session, cycle) -> dict[str, int]:
    """Close a cycle with its estimates, then follow up what the readers noted."""
    from models.readings.cycles import close_cycle
    counts = close_cycle(session, cycle)
    follow_up_anomalies(session, None)
    return counts
