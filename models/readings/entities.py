"""Register readings, their anomalies and follow-up rules, reading cycles with their orders, interval data."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.contracts.entities import Cycle
from models.meters.entities import Installation, Meter, Register
from models.objects import business_object
from models.premises.entities import ReadingRoute, ServicePoint
from models.service_orders.entities import ServiceOrder
from models.statuses import transitions
from models.types import QUANTITY, UTCDateTime, enum_type, rule


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


# A reading's status is judged as it is recorded and moved in bulk by SQL (an actual reading superseding
# estimates, a withdrawn reading giving them back): its rows say who and when, so no StatusChange per row.
transitions(ReadingStatus, {
    ReadingStatus.VALID: {ReadingStatus.SUPERSEDED},
    ReadingStatus.ANOMALY: {ReadingStatus.SUPERSEDED},
    ReadingStatus.SUPERSEDED: {ReadingStatus.VALID},
})


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


transitions(AnomalyStatus, {
    AnomalyStatus.OPEN: {AnomalyStatus.FOLLOW_UP, AnomalyStatus.RESOLVED},
    AnomalyStatus.FOLLOW_UP: {AnomalyStatus.RESOLVED},
})


class Reading(db.Model):
    __tablename__ = "readings"
    __table_args__ = (
        sa.UniqueConstraint("register_id", "read_on", "reading_type", info={
            "field": "value", "message": "this register already has a reading of this type that day"}),
        rule("value >= 0", "value_not_negative", "value", "must not be negative"),
        # (register_id, read_on) lookups use the unique constraint's index: a second one only slows inserts
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
    # An estimate points at the actual reading that replaced it; the actual keeps the difference
    # between its consumption and the estimates' (what the next bill must add or give back).
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("readings.id", ondelete="SET NULL"),
                                                         index=True)
    correction: Mapped[Decimal | None] = mapped_column(QUANTITY)

    register: Mapped[Register] = relationship()
    installation: Mapped[Installation | None] = relationship()
    anomalies: Mapped[list[ReadingAnomaly]] = relationship(back_populates="reading", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.register.code if self.register else ''} {self.value.normalize():f} on {self.read_on}"


@business_object("reading_anomaly", "reading anomaly")
class ReadingAnomaly(db.Model):
    __tablename__ = "reading_anomalies"
    __table_args__ = (sa.Index("ix_reading_anomalies_status_code", "status", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(sa.ForeignKey("readings.id", ondelete="CASCADE"), index=True)
    code: Mapped[AnomalyCode] = mapped_column(enum_type(AnomalyCode))
    status: Mapped[AnomalyStatus] = mapped_column(enum_type(AnomalyStatus), default=AnomalyStatus.OPEN)
    detail: Mapped[str | None] = mapped_column(sa.String(300))
    service_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_orders.id"))
    process_instance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_instances.id"))

    reading: Mapped[Reading] = relationship(back_populates="anomalies")
    service_order: Mapped[ServiceOrder | None] = relationship()

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
    # kWh a day for estimating a service point of this class without history of its own
    profile_daily: Mapped[Decimal | None] = mapped_column(QUANTITY)

    def __str__(self) -> str:
        return f"{self.tariff_class}: x{self.high_factor.normalize()} / x{self.low_factor.normalize()}"


class FollowUpAction(enum.StrEnum):
    INSPECTION_ORDER = "inspection_order"
    METER_REPLACEMENT = "meter_replacement"


class AnomalyFollowUp(db.Model):
    """Which anomaly codes start follow-up work, and which work."""

    __tablename__ = "anomaly_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[AnomalyCode] = mapped_column(enum_type(AnomalyCode), unique=True)
    action: Mapped[FollowUpAction] = mapped_column(enum_type(FollowUpAction))
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return f"{self.code.value} -> {self.action.value}"


class CycleStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


transitions(CycleStatus, {CycleStatus.OPEN: {CycleStatus.CLOSED}})


@business_object("reading_cycle", "reading cycle")
class ReadingCycle(db.Model):
    """One route read for one period (billing cycle x route x scheduled day)."""

    __tablename__ = "reading_cycles"
    __table_args__ = (
        sa.UniqueConstraint("route_id", "period", "billing_cycle", info={
            "field": "period", "message": "this route already has a reading cycle of that kind for that period"}),
        rule("scheduled_on >= period", "scheduled_in_period", "scheduled_on", "must not be before the period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(sa.ForeignKey("reading_routes.id"), index=True)
    period: Mapped[date]                 # first day of the billing month
    billing_cycle: Mapped[Cycle] = mapped_column(enum_type(Cycle, "cycle_billing_cycle"), default=Cycle.MONTHLY)
    scheduled_on: Mapped[date]
    status: Mapped[CycleStatus] = mapped_column(enum_type(CycleStatus), default=CycleStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(sa.String(255))

    route: Mapped[ReadingRoute] = relationship()
    orders: Mapped[list[ReadingOrder]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="(ReadingOrder.sequence, ReadingOrder.id)")

    def __str__(self) -> str:
        return f"{self.route.code if self.route else '?'} {self.period:%Y-%m}"


class OrderStatus(enum.StrEnum):
    OPEN = "open"
    READ = "read"
    ESTIMATED = "estimated"
    NOT_READ = "not_read"      # closed without a reading and nothing to estimate from


# Typing over a reading of an open cycle answers the order again (a typo fixed at once).
transitions(OrderStatus, {
    OrderStatus.OPEN: {OrderStatus.READ, OrderStatus.ESTIMATED, OrderStatus.NOT_READ},
    OrderStatus.READ: {OrderStatus.READ},
})


@business_object("reading_order", "reading order")
class ReadingOrder(db.Model):
    """One register to read in a cycle, with what the reader needs to judge the reading on the spot."""

    __tablename__ = "reading_orders"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "register_id"),
        sa.Index("ix_reading_orders_cycle_sequence", "cycle_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("reading_cycles.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    service_point_id: Mapped[int] = mapped_column(sa.ForeignKey("service_points.id"), index=True)
    register_id: Mapped[int] = mapped_column(sa.ForeignKey("registers.id"), index=True)
    previous_on: Mapped[date | None]
    previous_value: Mapped[Decimal | None] = mapped_column(QUANTITY)
    expected_low: Mapped[Decimal | None] = mapped_column(QUANTITY)    # register index, not consumption
    expected_high: Mapped[Decimal | None] = mapped_column(QUANTITY)
    status: Mapped[OrderStatus] = mapped_column(enum_type(OrderStatus), default=OrderStatus.OPEN)
    reading_id: Mapped[int | None] = mapped_column(sa.ForeignKey("readings.id", ondelete="SET NULL"), index=True)
    remark: Mapped[str | None] = mapped_column(sa.String(200))

    cycle: Mapped[ReadingCycle] = relationship(back_populates="orders")
    service_point: Mapped[ServicePoint] = relationship()
    register: Mapped[Register] = relationship()
    reading: Mapped[Reading | None] = relationship()


class IntervalReading(db.Model):
    """Energy in one interval of a meter's channel (OBIS code) from interval data (NEM12, Green Button)."""

    __tablename__ = "interval_readings"
    __table_args__ = (
        sa.UniqueConstraint("meter_id", "channel", "start_at"),
        rule("minutes > 0", "minutes_positive", "minutes", "must be greater than zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(sa.ForeignKey("meters.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(sa.String(10))     # 1.8.0 import, 2.8.0 export, 3.8.0/4.8.0 reactive
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(sa.SmallInteger)
    value: Mapped[Decimal] = mapped_column(QUANTITY)        # kWh or kVArh
    quality: Mapped[str] = mapped_column(sa.String(4), default="A")
    source: Mapped[str | None] = mapped_column(sa.String(100))

    meter: Mapped[Meter] = relationship()


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"      # bad rows listed, nothing written
    FAILED = "failed"        # something broke; nothing written


transitions(ImportStatus, {
    ImportStatus.QUEUED: {ImportStatus.RUNNING},
    ImportStatus.RUNNING: {ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED},
})


@business_object("reading_import", "reading import")
class ReadingImport(db.Model):
    """A file uploaded in the portal, imported by a worker; the page follows its progress."""

    __tablename__ = "reading_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    service_point: Mapped[str | None] = mapped_column(sa.String(20))     # for Green Button files
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)   # dropped once imported
    status: Mapped[ImportStatus] = mapped_column(enum_type(ImportStatus), default=ImportStatus.QUEUED, index=True)
    phase: Mapped[str | None] = mapped_column(sa.String(40))
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict | None] = mapped_column(sa.JSON)
    message: Mapped[str | None] = mapped_column(sa.Text)
    by: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
