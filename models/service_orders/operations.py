"""Creating and moving service orders.

A protected service point (life support, hospital, state institution) never gets a disconnection order,
whoever asks (the collection process, the service-order page, the admin, the API): create_service_order refuses
it with the reason. A disconnection or reconnection order that ends (completed or failed) is noted in the session
(FIELD_RESULTS_KEY) so that the collection process hears the crew's result before the transaction commits
(workflows.collection.tell_field_results_before_commit); models never call the workflows themselves."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.clock import today
from models.errors import DomainError
from models.numbering import assign_number
from models.premises.entities import ServicePoint
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus, ServiceOrderType
from models.statuses import begin_status, move_status

FIELD_RESULTS_KEY = "cms.field_results"   # session.info: ids of disconnection/reconnection orders that ended
FIELD_WORK = (ServiceOrderType.DISCONNECTION, ServiceOrderType.RECONNECTION)
ENDED = (ServiceOrderStatus.COMPLETED, ServiceOrderStatus.FAILED)


def protection_reason(service_point: ServicePoint) -> str | None:
    """Why this service point may not be disconnected ("life support", ...), or None."""
    return service_point.protected.value.replace("_", " ") if service_point.protected is not None else None


def create_service_order(session: Session, order_type: ServiceOrderType, *,
                         service_point_id: int | None = None, request_id: int | None = None,
                         planned_on: date | None = None, crew: str | None = None) -> ServiceOrder:
    if service_point_id is None and request_id is None:
        raise DomainError("a service order needs a service point or a request", "service_point")
    if order_type is ServiceOrderType.DISCONNECTION and service_point_id is not None:
        sp = session.get(ServicePoint, service_point_id)
        reason = protection_reason(sp) if sp is not None else None
        if reason:
            raise DomainError(f"no disconnection: protected service point ({reason})", "service_point")
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
    if target in ENDED:
        order.actual_on = actual_on or today()
        if order.order_type in FIELD_WORK:
            session.info.setdefault(FIELD_RESULTS_KEY, set()).add(order.id)
    session.flush()
