"""Creating and moving service orders."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.clock import today
from models.errors import DomainError
from models.numbering import assign_number
from models.process.operations import record_status_change
from models.service_orders.entities import (
    SERVICE_ORDER_TRANSITIONS,
    ServiceOrder,
    ServiceOrderStatus,
    ServiceOrderType,
)
from models.statuses import check_transition


def create_service_order(session: Session, order_type: ServiceOrderType, by: str, *,
                         service_point_id: int | None = None, request_id: int | None = None,
                         planned_on: date | None = None, crew: str | None = None) -> ServiceOrder:
    if service_point_id is None and request_id is None:
        raise DomainError("a service order needs a service point or a request", "service_point")
    order = ServiceOrder(order_type=order_type, service_point_id=service_point_id, request_id=request_id,
                         created_on=today(), planned_on=planned_on, crew=crew)
    assign_number(session, order, "SO", order.created_on.year)
    record_status_change(session, "service_order", order.id, None, ServiceOrderStatus.CREATED.value, by)
    return order


def change_service_order_status(session: Session, order: ServiceOrder, target: ServiceOrderStatus, by: str,
                                result: str | None = None, actual_on: date | None = None) -> None:
    check_transition(SERVICE_ORDER_TRANSITIONS, order.status, target, f"service order {order.number}")
    previous = order.status
    order.status = target
    if result is not None:
        order.result = result
    if target in (ServiceOrderStatus.COMPLETED, ServiceOrderStatus.FAILED):
        order.actual_on = actual_on or today()
    record_status_change(session, "service_order", order.id, previous.value, target.value, by, result)
