"""Register readings. The meter-reading work adds routes, validation and anomalies on top."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.meters.entities import Installation, Register
from models.types import QUANTITY, UTCDateTime, enum_type, now_utc, rule


class ReadingType(enum.StrEnum):
    ACTUAL = "actual"
    ESTIMATED = "estimated"
    CUSTOMER = "customer"          # given by the customer, e.g. on the telephone
    INSTALLATION = "installation"
    REMOVAL = "removal"
    CONTROL = "control"


class Reading(db.Model):
    __tablename__ = "readings"
    __table_args__ = (
        sa.UniqueConstraint("register_id", "read_on", "reading_type", info={
            "field": "value", "message": "this register already has a reading of this type that day"}),
        rule("value >= 0", "value_not_negative", "value", "must not be negative"),
        sa.Index("ix_readings_register_date", "register_id", "read_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(sa.ForeignKey("registers.id", ondelete="CASCADE"))
    read_on: Mapped[date]
    value: Mapped[Decimal] = mapped_column(QUANTITY)
    reading_type: Mapped[ReadingType] = mapped_column(enum_type(ReadingType))
    installation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("installations.id"), index=True)
    source: Mapped[str | None] = mapped_column(sa.String(100))
    by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    register: Mapped[Register] = relationship()
    installation: Mapped[Installation | None] = relationship()

    def __str__(self) -> str:
        return f"{self.register.code if self.register else ''} {self.value.normalize():f} on {self.read_on}"
