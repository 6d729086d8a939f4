"""Lookups of service orders for the pages."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.errors import NotFound
from models.service_orders.entities import ServiceOrder


def get_service_order(session: Session, number: str) -> ServiceOrder:
    order = session.scalar(sa.select(ServiceOrder).where(ServiceOrder.number == number))
    if order is None:
        raise NotFound(f"no service order with number {number}", "number")
    return order


def recent_orders_at(session: Session, service_point_id: int, limit: int = 20) -> list[ServiceOrder]:
    return list(session.scalars(sa.select(ServiceOrder).where(ServiceOrder.service_point_id == service_point_id)
                                .order_by(ServiceOrder.id.desc()).limit(limit)))
