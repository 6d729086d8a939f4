"""A contact is any interaction with a customer (a call, a visit at the counter, a letter); a service
note is what a clerk wants the next clerk to know about a service point."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.customers.entities import Customer
from models.objects import business_object
from models.premises.entities import ServicePoint
from models.requests.entities import Channel, CustomerRequest
from models.types import UTCDateTime, enum_type


class ContactReason(enum.StrEnum):
    BILL_QUESTION = "bill_question"
    PAYMENT = "payment"
    METER_READING = "meter_reading"
    OUTAGE = "outage"
    CONNECTION = "connection"
    TARIFF_ADVICE = "tariff_advice"
    COMPLAINT = "complaint"
    OTHER = "other"


class ContactOutcome(enum.StrEnum):
    ANSWERED = "answered"
    CALL_BACK = "call_back"
    REQUEST_REGISTERED = "request_registered"
    COMPLAINT_REGISTERED = "complaint_registered"
    ESCALATED = "escalated"


@business_object("contact", "contact")
class Contact(db.Model):
    __tablename__ = "contacts"
    __table_args__ = (sa.Index("ix_contacts_sp_at", "service_point_id", "contacted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_points.id"))
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "contact_channel"))
    reason: Mapped[ContactReason] = mapped_column(enum_type(ContactReason))
    text: Mapped[str] = mapped_column(sa.String(2000))
    outcome: Mapped[ContactOutcome] = mapped_column(enum_type(ContactOutcome))
    # The complaint or request the contact started, when it started one.
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customer_requests.id"), index=True)
    by: Mapped[str] = mapped_column(sa.String(255))
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    service_point: Mapped[ServicePoint | None] = relationship()
    customer: Mapped[Customer | None] = relationship()
    request: Mapped[CustomerRequest | None] = relationship()

    def __str__(self) -> str:
        return f"{self.channel.value} contact: {self.reason.value.replace('_', ' ')}"


@business_object("service_note", "service note")
class ServiceNote(db.Model):
    __tablename__ = "service_notes"
    __table_args__ = (sa.Index("ix_service_notes_sp_at", "service_point_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(sa.ForeignKey("service_points.id"))
    text: Mapped[str] = mapped_column(sa.String(1000))
    by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    service_point: Mapped[ServicePoint] = relationship()

    def __str__(self) -> str:
        return self.text[:60]
