"""Customer requests: new connections, power and tariff changes, terminations, complaints."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.customers.entities import Customer
from models.objects import business_object
from models.premises.entities import ServicePoint
from models.statuses import transitions
from models.types import MONEY, UTCDateTime, enum_type, rule


class RequestType(enum.StrEnum):
    NEW_CONNECTION = "new_connection"
    POWER_CHANGE = "power_change"
    TARIFF_CHANGE = "tariff_change"
    CONTRACT_CHANGE = "contract_change"
    TERMINATION = "termination"
    COMPLAINT = "complaint"


CONNECTION_TYPES = {RequestType.NEW_CONNECTION, RequestType.POWER_CHANGE, RequestType.TARIFF_CHANGE,
                    RequestType.CONTRACT_CHANGE, RequestType.TERMINATION}


class Channel(enum.StrEnum):
    COUNTER = "counter"
    PHONE = "phone"
    WEB = "web"
    EMAIL = "email"
    LETTER = "letter"
    FIELD = "field"


class RequestStatus(enum.StrEnum):
    REGISTERED = "registered"
    TECHNICAL_REVIEW = "technical_review"
    SURVEY = "survey"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    AWAITING_PAYMENT = "awaiting_payment"
    INSTALLATION = "installation"
    ACTIVATION = "activation"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    INVESTIGATION = "investigation"
    RESPONSE = "response"
    CLOSED = "closed"


R = RequestStatus
transitions(RequestStatus, {
    R.REGISTERED: {R.TECHNICAL_REVIEW, R.INVESTIGATION, R.CANCELLED},
    R.TECHNICAL_REVIEW: {R.SURVEY, R.REJECTED, R.CANCELLED},
    R.SURVEY: {R.AWAITING_APPROVAL, R.CANCELLED},
    R.AWAITING_APPROVAL: {R.APPROVED, R.REJECTED, R.CANCELLED},
    R.APPROVED: {R.AWAITING_PAYMENT, R.INSTALLATION, R.CANCELLED},
    R.AWAITING_PAYMENT: {R.INSTALLATION, R.CANCELLED},
    R.INSTALLATION: {R.ACTIVATION, R.CANCELLED},
    R.ACTIVATION: {R.COMPLETED},
    R.INVESTIGATION: {R.RESPONSE, R.CANCELLED},
    R.RESPONSE: {R.CLOSED, R.INVESTIGATION},
})


@business_object("customer_request", "customer request")
class CustomerRequest(db.Model):
    __tablename__ = "customer_requests"
    __table_args__ = (
        rule("customer_id IS NOT NULL OR service_point_id IS NOT NULL", "has_subject", "customer",
             "name the customer or the service point"),
        rule("requested_power_va IS NULL OR requested_power_va > 0", "power_positive", "requested_power_va",
             "must be greater than zero"),
        rule("fee_amount IS NULL OR fee_amount >= 0", "fee_not_negative", "fee_amount", "must not be negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    request_type: Mapped[RequestType] = mapped_column(enum_type(RequestType), index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    service_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_points.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel), default=Channel.COUNTER)
    registered_on: Mapped[date]
    status: Mapped[RequestStatus] = mapped_column(enum_type(RequestStatus), default=RequestStatus.REGISTERED,
                                                  index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    requested_power_va: Mapped[int | None]
    requested_tariff: Mapped[str | None] = mapped_column(sa.String(40))
    fee_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    resolution: Mapped[str | None] = mapped_column(sa.Text)
    registered_by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer | None] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()

    def __str__(self) -> str:
        return f"{self.number} {self.request_type.value.replace('_', ' ')}"
