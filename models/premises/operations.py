"""Service points: moving one through its statuses (planned, active, disconnected, retired)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models.premises.entities import ServicePoint, ServicePointStatus
from models.statuses import move_status


def change_service_point_status(session: Session, service_point: ServicePoint, target: ServicePointStatus,
                                note: str | None = None) -> None:
    move_status(session, service_point, target, what=f"service point {service_point.spn}", note=note)
    session.flush()
