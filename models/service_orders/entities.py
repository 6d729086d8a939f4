"""Field work orders (survey, installation, meter change, ...). The meter-management issue extends it."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.objects import business_object
from models.premises.entities import ServicePoint
from models.statuses import transitions
from models.types import UTCDateTime, enum_type, rule


class ServiceOrderType(enum.StrEnum):
    SURVEY = "survey"
    INSTALLATION = "installation"
    REMOVAL = "removal"
    METER_CHANGE = "meter_change"
    DISCONNECTION = "disconnection"
    RECONNECTION = "reconnection"
    INSPECTION = "inspection"


class ServiceOrderStatus(enum.StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


S = ServiceOrderStatus
transitions(ServiceOrderStatus, {
    S.CREATED: {S.ASSIGNED, S.IN_PROGRESS, S.CANCELLED},
    S.ASSIGNED: {S.IN_PROGRESS, S.CANCELLED, S.CREATED},
    S.IN_PROGRESS: {S.COMPLETED, S.FAILED, S.CANCELLED},
    S.FAILED: {S.CREATED},
})


@business_object("service_order", "service order")
class ServiceOrder(db.Model):
    __tablename__ = "service_orders"
    __table_args__ = (
        rule("actual_on IS NULL OR actual_on >= created_on", "dates_ordered", "actual_on",
             "must not be before the order was created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    order_type: Mapped[ServiceOrderType] = mapped_column(enum_type(ServiceOrderType), index=True)
    status: Mapped[ServiceOrderStatus] = mapped_column(enum_type(ServiceOrderStatus),
                                                       default=ServiceOrderStatus.CREATED, index=True)
    service_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_points.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customer_requests.id"), index=True)
    crew: Mapped[str | None] = mapped_column(sa.String(100))
    created_on: Mapped[date]
    planned_on: Mapped[date | None]
    actual_on: Mapped[date | None]
    result: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    service_point: Mapped[ServicePoint | None] = relationship()

    def __str__(self) -> str:
        return f"{self.number} {self.order_type.value.replace('_', ' ')}"
