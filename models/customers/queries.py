"""Finding customers."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models.customers.entities import Customer
from models.errors import NotFound


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}", "customer")
    return customer
