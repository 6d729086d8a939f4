"""Registering customer requests and moving them through their statuses."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.clock import now_utc, today
from models.errors import DomainError
from models.numbering import assign_number
from models.requests.entities import Channel, CustomerRequest, RequestStatus, RequestType
from models.statuses import begin_status, move_status

FINAL = {RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.CANCELLED, RequestStatus.CLOSED}


def register_request(session: Session, request_type: RequestType, *, customer_id: int | None = None,
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
                              fee_amount=fee_amount, registered_by=acting_name(), status=RequestStatus.REGISTERED)
    assign_number(session, request, "REQ", request.registered_on.year)
    begin_status(session, request, RequestStatus.REGISTERED)
    session.flush()
    return request


def change_request_status(session: Session, request: CustomerRequest, target: RequestStatus,
                          note: str | None = None, instance_id: int | None = None) -> None:
    move_status(session, request, target, what=f"request {request.number}", note=note, instance_id=instance_id)
    if target in FINAL:
        request.closed_at = now_utc()
        if note:
            request.resolution = note
    session.flush()
