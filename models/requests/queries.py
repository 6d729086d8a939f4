"""Finding requests by what a clerk knows: the request number, the SPN or the customer's name."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.customers.entities import Customer
from models.errors import NotFound
from models.premises.entities import ServicePoint
from models.requests.entities import CustomerRequest, RequestStatus, RequestType


def requests_matching(term: str = "") -> sa.Select:
    """Requests, newest first; a term keeps those whose number holds it, whose service point's SPN is
    it, or whose customer's name holds it (any case)."""
    query = sa.select(CustomerRequest).order_by(CustomerRequest.id.desc())
    term = term.strip()
    if not term:
        return query
    return (query.outerjoin(ServicePoint, ServicePoint.id == CustomerRequest.service_point_id)
            .outerjoin(Customer, Customer.id == CustomerRequest.customer_id)
            .where(sa.or_(CustomerRequest.number.icontains(term, autoescape=True), ServicePoint.spn == term,
                          Customer.name.icontains(term, autoescape=True))))


def find_requests(session: Session, term: str, limit: int = 50) -> list[CustomerRequest]:
    return list(session.scalars(requests_matching(term).limit(limit)))


def request_list(term: str = "", status: str | None = None, kind: str | None = None) -> sa.Select:
    """The requests page: `requests_matching` narrowed to a known status and type (others are ignored),
    with the customer and service point each row shows."""
    query = requests_matching(term)
    if status in RequestStatus.__members__.values():
        query = query.where(CustomerRequest.status == status)
    if kind in RequestType.__members__.values():
        query = query.where(CustomerRequest.request_type == kind)
    return query.options(selectinload(CustomerRequest.customer), selectinload(CustomerRequest.service_point))


def get_request(session: Session, number: str) -> CustomerRequest:
    item = session.scalar(sa.select(CustomerRequest).where(CustomerRequest.number == number))
    if item is None:
        raise NotFound(f"no request with number {number}", "number")
    return item
