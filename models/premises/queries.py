"""Lookups of service points and reading routes by the keys clerks type."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.errors import NotFound
from models.premises.entities import ReadingRoute, ServicePoint


def get_service_point(session: Session, spn: str) -> ServicePoint:
    sp = session.scalar(sa.select(ServicePoint).where(ServicePoint.spn == spn))
    if sp is None:
        raise NotFound(f"no service point with number {spn}", "spn")
    return sp


def get_route(session: Session, code: str) -> ReadingRoute:
    route = session.scalar(sa.select(ReadingRoute).where(ReadingRoute.code == code))
    if route is None:
        raise NotFound(f"no route {code}", "route")
    return route


def all_routes(session: Session) -> list[ReadingRoute]:
    return list(session.scalars(sa.select(ReadingRoute).order_by(ReadingRoute.code)))


def route_areas(session: Session) -> list[str]:
    return list(session.scalars(sa.select(ReadingRoute.area).distinct().order_by(ReadingRoute.area)))
