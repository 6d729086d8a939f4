"""Creating and moving service orders."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.clock import today
from models.errors import DomainError
from models.numbering import assign_number
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus, ServiceOrderType
from models.statuses import begin_status, move_status


def create_service_order(session: Session, order_type: ServiceOrderType, *,
                         service_point_id: int | None = None, request_id: int | None = None,
                         planned_on: date | None = None, crew: str | None = None) -> ServiceOrder:
    if service_point_id is None and request_id is None:
        raise DomainError("a service order needs a service point or a request", "service_point")
    order = ServiceOrder(order_type=order_type, service_point_id=service_point_id, request_id=request_id,
                         created_on=today(), planned_on=planned_on, crew=crew)
    assign_number(session, order, "SO", order.created_on.year)
    begin_status(session, order, ServiceOrderStatus.CREATED)
    session.flush()
    return order


def change_service_order_status(session: Session, order: ServiceOrder, target: ServiceOrderStatus,
                                result: str | None = None, actual_on: date | None = None) -> None:
    move_status(session, order, target, what=f"service order {order.number}", note=result)
    if result is not None:
        order.result = result
    if target in (ServiceOrderStatus.COMPLETED, ServiceOrderStatus.FAILED):
        order.actual_on = actual_on or today()
    session.flush()
