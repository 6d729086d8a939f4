"""Registering customer requests and moving them through their statuses."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from models.clock import now_utc, today
from models.errors import DomainError
from models.numbering import assign_number
from models.process.operations import record_status_change
from models.requests.entities import (
    REQUEST_TRANSITIONS,
    Channel,
    CustomerRequest,
    RequestStatus,
    RequestType,
)
from models.statuses import check_transition

FINAL = {RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.CANCELLED, RequestStatus.CLOSED}


def register_request(session: Session, request_type: RequestType, by: str, *, customer_id: int | None = None,
                     service_point_id: int | None = None, channel: Channel = Channel.COUNTER,
                     registered_on: date | None = None, description: str = "",
                     requested_power_va: int | None = None, fee_amount: Decimal | None = None) -> CustomerRequest:
    if customer_id is None and service_point_id is None:
        raise DomainError("name the customer or the service point", "customer")
    if request_type is RequestType.POWER_CHANGE and not requested_power_va:
        raise DomainError("is required for a power change", "requested_power_va")
    request = CustomerRequest(request_type=request_type, customer_id=customer_id, service_point_id=service_point_id,
                              channel=channel, registered_on=registered_on or today(),
                              description=description, requested_power_va=requested_power_va,
                              fee_amount=fee_amount, registered_by=by, status=RequestStatus.REGISTERED)
    assign_number(session, request, "REQ", request.registered_on.year)
    record_status_change(session, "customer_request", request.id, None, RequestStatus.REGISTERED.value, by)
    return request


def change_request_status(session: Session, request: CustomerRequest, target: RequestStatus, by: str,
                          note: str | None = None, instance_id: int | None = None) -> None:
    check_transition(REQUEST_TRANSITIONS, request.status, target, f"request {request.number}")
    previous = request.status
    request.status = target
    if target in FINAL:
        request.closed_at = now_utc()
        if note:
            request.resolution = note
    record_status_change(session, "customer_request", request.id, previous.value, target.value, by, note,
                         instance_id)
