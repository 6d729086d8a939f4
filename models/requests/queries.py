"""Finding requests by what a clerk knows: the request number, the SPN or the customer's name."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.customers.entities import Customer
from models.premises.entities import ServicePoint
from models.requests.entities import CustomerRequest


def find_requests(session: Session, term: str, limit: int = 50) -> list[CustomerRequest]:
    term = term.strip()
    like = f"%{term}%"
    return list(session.scalars(
        sa.select(CustomerRequest)
        .outerjoin(ServicePoint, ServicePoint.id == CustomerRequest.service_point_id)
        .outerjoin(Customer, Customer.id == CustomerRequest.customer_id)
        .where(sa.or_(CustomerRequest.number == term, ServicePoint.spn == term, Customer.name.ilike(like)))
        .order_by(CustomerRequest.id.desc()).limit(limit)))
