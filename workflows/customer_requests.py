"""Opening a customer request: register it and start its process, in one step."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.contracts.entities import Contract, ContractStatus
from models.customers.entities import Customer
from models.errors import DomainError
from models.inquiry.applicants import Application, NewConnection, register_applicant
from models.premises.entities import ServicePoint
from models.requests.entities import Channel, CustomerRequest, RequestType
from models.requests.operations import register_request
from workflows.runtime import deliver_message, start_instance

PROCESS_KEY = "customer_request"


def register_new_connection(session: Session, application: Application) -> NewConnection:
    """A new applicant (models.inquiry.applicants.register_applicant: customer, planned service point, the
    new-connection request) and the request's process started, in the caller's transaction."""
    created = register_applicant(session, application)
    start_instance(session, PROCESS_KEY, "customer_request", created.request.id,
                   {"request_type": RequestType.NEW_CONNECTION.value})
    return created


def open_customer_request(session: Session, request_type: RequestType, *, spn: str | None = None,
                          customer_no: str | None = None, channel: Channel = Channel.COUNTER, description: str = "",
                          requested_power_va: int | None = None) -> CustomerRequest:
    """Find the service point (SPN) and/or customer (ID Pelanggan), register the request, start its process."""
    service_point = customer = active = None
    if spn:
        service_point = session.scalar(sa.select(ServicePoint).where(ServicePoint.spn == spn.strip()))
        if service_point is None:
            raise DomainError(f"no service point with number {spn}", "spn")
        active = session.scalar(sa.select(Contract).where(Contract.service_point_id == service_point.id,
                                                          Contract.status == ContractStatus.ACTIVE))
        customer = active.account.customer if active else None
    if customer_no:
        contract = session.scalar(sa.select(Contract).where(Contract.customer_no == customer_no.strip()))
        if contract is None:
            raise DomainError(f"no contract with ID Pelanggan {customer_no}", "customer_no")
        if service_point is not None:
            _same_contract(service_point, active, contract)
        customer = session.get(Customer, contract.account.customer_id)
        service_point = service_point or contract.service_point
    if service_point is None and customer is None:
        raise DomainError("give the service point number or the customer's ID Pelanggan", "spn")
    if request_type is not RequestType.NEW_CONNECTION and service_point is None:
        raise DomainError("this kind of request needs the service point", "spn")
    request = register_request(session, request_type, customer_id=customer.id if customer else None,
                               service_point_id=service_point.id if service_point else None, channel=channel,
                               description=description, requested_power_va=requested_power_va)
    start_instance(session, PROCESS_KEY, "customer_request", request.id, {"request_type": request_type.value})
    return request


def _same_contract(service_point: ServicePoint, active: Contract | None, named: Contract) -> None:
    """SPN and ID Pelanggan typed together must name one contract: otherwise the request would be filed
    under one customer's name at another customer's service point."""
    if named.service_point_id != service_point.id:
        raise DomainError(f"ID Pelanggan {named.customer_no} is the contract of service point "
                          f"{named.service_point.spn}, not of {service_point.spn}", "customer_no")
    if active is not None and active.id != named.id:
        raise DomainError(f"ID Pelanggan {named.customer_no} is a former contract at {service_point.spn}; "
                          f"its contract now is {active.customer_no}", "customer_no")


def record_fee_payment(session: Session, request: CustomerRequest, reference: str) -> None:
    """The cashier's receipt of the connection fee: the process waiting for it moves on."""
    if not (reference or "").strip():
        raise DomainError("the payment reference is required", "reference")
    deliver_message(session, "payment_received", "customer_request", request.id,
                    {"reference": reference.strip(), "amount": str(request.fee_amount or "")})
