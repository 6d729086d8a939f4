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


class ReadingStatus(enum.StrEnum):
    VALID = "valid"
    ANOMALY = "anomaly"          # kept, but held back until someone looks
    SUPERSEDED = "superseded"    # an estimate replaced by the next actual reading


class AnomalyCode(enum.StrEnum):
    NEGATIVE_CONSUMPTION = "negative_consumption"
    ROLLOVER = "rollover"
    ZERO_CONSUMPTION = "zero_consumption"
    HIGH_CONSUMPTION = "high_consumption"
    LOW_CONSUMPTION = "low_consumption"
    METER_STOPPED = "meter_stopped"
    NO_ACCESS = "no_access"
    METER_DAMAGED = "meter_damaged"
    TAMPERING_SUSPECTED = "tampering_suspected"
    DANGEROUS_DOG = "dangerous_dog"


# Codes that only inform: the reading still bills.
INFORMATIONAL = {AnomalyCode.ROLLOVER}


class AnomalyStatus(enum.StrEnum):
    OPEN = "open"
    FOLLOW_UP = "follow_up"      # a service order or process was started
    RESOLVED = "resolved"


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
    # (this - previous reading) x multiplier; empty for the first reading or an implausible drop
    consumption: Mapped[Decimal | None] = mapped_column(QUANTITY)
    status: Mapped[ReadingStatus] = mapped_column(enum_type(ReadingStatus), default=ReadingStatus.VALID)

    register: Mapped[Register] = relationship()
    installation: Mapped[Installation | None] = relationship()
    anomalies: Mapped[list[ReadingAnomaly]] = relationship(back_populates="reading", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.register.code if self.register else ''} {self.value.normalize():f} on {self.read_on}"


class ReadingAnomaly(db.Model):
    __tablename__ = "reading_anomalies"
    __table_args__ = (sa.Index("ix_reading_anomalies_status_code", "status", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(sa.ForeignKey("readings.id", ondelete="CASCADE"), index=True)
    code: Mapped[AnomalyCode] = mapped_column(enum_type(AnomalyCode))
    status: Mapped[AnomalyStatus] = mapped_column(enum_type(AnomalyStatus), default=AnomalyStatus.OPEN)
    detail: Mapped[str | None] = mapped_column(sa.String(300))
    service_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_orders.id"))

    reading: Mapped[Reading] = relationship(back_populates="anomalies")

    def __str__(self) -> str:
        return f"{self.code.value} ({self.status.value})"


class ReadingRule(db.Model):
    """Validation settings per tariff class; classes without a row use the defaults in code."""

    __tablename__ = "reading_rules"
    __table_args__ = (
        rule("high_factor > 1", "high_above_one", "high_factor", "must be above 1"),
        rule("low_factor >= 0 AND low_factor < 1", "low_below_one", "low_factor", "must be from 0 up to 1"),
        rule("stopped_periods >= 2", "stopped_at_least_two", "stopped_periods", "must be 2 or more"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_class: Mapped[str] = mapped_column(sa.String(10), unique=True)
    high_factor: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("3"))
    low_factor: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0.2"))
    stopped_periods: Mapped[int] = mapped_column(default=3)

    def __str__(self) -> str:
        return f"{self.tariff_class}: x{self.high_factor.normalize()} / x{self.low_factor.normalize()}"
