"""Stores, meter models, meters with their registers, control devices and installations."""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.limits import IDENTIFIER, IDENTIFIER_PART
from models.objects import business_object
from models.premises.entities import MeterPoint, ServicePoint
from models.statuses import transitions
from models.types import QUANTITY, enum_type, rule


class StoreKind(enum.StrEnum):
    CENTRAL = "central"
    DISTRICT = "district"
    LABORATORY = "laboratory"
    FIELD_CREW = "field_crew"


class MeterStatus(enum.StrEnum):
    IN_STORE = "in_store"
    IN_TRANSIT = "in_transit"
    IN_LAB = "in_lab"
    INSTALLED = "installed"
    REJECTED = "rejected"
    SCRAPPED = "scrapped"


M = MeterStatus
# Every move a meter can make: movements, installations, calibrations and scrapping all go through it.
transitions(MeterStatus, {
    M.IN_STORE: {M.IN_TRANSIT, M.INSTALLED, M.REJECTED},
    M.IN_TRANSIT: {M.IN_STORE, M.IN_LAB},
    M.IN_LAB: {M.IN_TRANSIT, M.REJECTED, M.IN_STORE},
    M.INSTALLED: {M.IN_STORE, M.IN_LAB},
    M.REJECTED: {M.SCRAPPED, M.IN_TRANSIT},
})


class MovementKind(enum.StrEnum):
    RECEIVE = "receive"
    SEND = "send"
    REJECT = "reject"


class UsageType(enum.StrEnum):
    ACTIVE = "active"            # kWh, single rate
    ACTIVE_WBP = "active_wbp"    # kWh, peak
    ACTIVE_LWBP = "active_lwbp"  # kWh, off-peak
    REACTIVE = "reactive"        # kVArh
    DEMAND = "demand"            # kW


class ControlDeviceKind(enum.StrEnum):
    CIRCUIT_BREAKER = "circuit_breaker"   # MCB
    LIMITER = "limiter"


class Store(db.Model):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[StoreKind] = mapped_column(enum_type(StoreKind))
    address: Mapped[str | None] = mapped_column(sa.String(300))

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MeterModel(db.Model):
    __tablename__ = "meter_models"
    __table_args__ = (
        sa.UniqueConstraint("manufacturer", "model_code", info={
            "field": "model_code", "message": "this manufacturer already has a model with this code"}),
        rule("digits BETWEEN 3 AND 12", "digits_range", "digits", "must be between 3 and 12"),
        rule("calibration_interval_months > 0",
             "interval_positive", "calibration_interval_months", "must be greater than zero"),
        rule("phases IN (1, 3)", "phases_valid", "phases", "must be 1 or 3"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer: Mapped[str] = mapped_column(sa.String(100))
    model_code: Mapped[str] = mapped_column(sa.String(50))
    description: Mapped[str | None] = mapped_column(sa.String(200))
    phases: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    digits: Mapped[int] = mapped_column(sa.SmallInteger, default=6)
    time_of_use: Mapped[bool] = mapped_column(default=False)
    calibration_interval_months: Mapped[int] = mapped_column(sa.SmallInteger, default=120, info={"max": 600})

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.model_code}"


@business_object("meter", "meter")
class Meter(db.Model):
    __tablename__ = "meters"
    __table_args__ = (
        rule("next_calibration_due IS NULL OR last_calibrated_on IS NULL OR next_calibration_due > last_calibrated_on",
             "calibration_dates_ordered", "next_calibration_due", "must be after the last calibration"),
        rule("status <> 'in_store' OR store_id IS NOT NULL",
             "stored_has_store", "store", "a meter in store needs its store"),
        # Covers the calibration inquiry (due month x store x status) without touching the table.
        sa.Index("ix_meters_due_store", "next_calibration_due", "store_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The manufacturer's serial number: unique forever, independent of contracts and service points.
    number: Mapped[str] = mapped_column(sa.String(30), unique=True,
                                        info={"label": "Meter number", "pattern": IDENTIFIER})
    model_id: Mapped[int] = mapped_column(sa.ForeignKey("meter_models.id"), index=True)
    status: Mapped[MeterStatus] = mapped_column(enum_type(MeterStatus), default=MeterStatus.IN_STORE, index=True)
    store_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stores.id"), index=True)
    manufactured_year: Mapped[int | None] = mapped_column(sa.SmallInteger)
    last_calibrated_on: Mapped[date | None]
    next_calibration_due: Mapped[date | None]
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meter_batches.id"), index=True)
    # Where a meter in transit is going: only that store may receive it.
    in_transit_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stores.id"))

    model: Mapped[MeterModel] = relationship()
    store: Mapped[Store | None] = relationship(foreign_keys=[store_id])
    in_transit_to: Mapped[Store | None] = relationship(foreign_keys=[in_transit_to_id])
    registers: Mapped[list[Register]] = relationship(
        back_populates="meter", cascade="all, delete-orphan", order_by="Register.code")

    def __str__(self) -> str:
        return self.number


class MeterBatch(db.Model):
    """A delivery registered as a number range: 30001-30010 creates ten meters."""

    __tablename__ = "meter_batches"
    __table_args__ = (
        rule("last_number >= first_number", "range_ordered", "last_number", "must not be below the first number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(sa.String(10), default="", info={"pattern": IDENTIFIER_PART})
    first_number: Mapped[int] = mapped_column(sa.BigInteger, info={"min": 0})
    last_number: Mapped[int] = mapped_column(sa.BigInteger, info={"min": 0})
    model_id: Mapped[int] = mapped_column(sa.ForeignKey("meter_models.id"))
    store_id: Mapped[int] = mapped_column(sa.ForeignKey("stores.id"))
    delivery_document: Mapped[str] = mapped_column(sa.String(40))
    received_on: Mapped[date]
    registered_by: Mapped[str] = mapped_column(sa.String(255))

    model: Mapped[MeterModel] = relationship()
    store: Mapped[Store] = relationship()

    @property
    def count(self) -> int:
        return self.last_number - self.first_number + 1

    def __str__(self) -> str:
        return f"{self.prefix}{self.first_number}-{self.prefix}{self.last_number} ({self.delivery_document})"


class MeterMovement(db.Model):
    """One receive, send or reject of one meter, with its document number."""

    __tablename__ = "meter_movements"
    __table_args__ = (sa.Index("ix_meter_movements_report", "moved_on", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(sa.ForeignKey("meters.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MovementKind] = mapped_column(enum_type(MovementKind))
    from_store_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stores.id"), index=True)
    to_store_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stores.id"), index=True)
    document_no: Mapped[str] = mapped_column(sa.String(40))
    moved_on: Mapped[date]
    by: Mapped[str] = mapped_column(sa.String(255))
    reason: Mapped[str | None] = mapped_column(sa.String(300))

    meter: Mapped[Meter] = relationship()
    from_store: Mapped[Store | None] = relationship(foreign_keys=[from_store_id])
    to_store: Mapped[Store | None] = relationship(foreign_keys=[to_store_id])

    def __str__(self) -> str:
        return f"{self.kind.value} {self.meter.number if self.meter else ''} {self.document_no}"


class Calibration(db.Model):
    """A laboratory test of a meter: passed with a certificate and a new due date, or failed."""

    __tablename__ = "calibrations"
    __table_args__ = (
        rule("NOT passed OR certificate IS NOT NULL", "certificate_when_passed", "certificate",
             "a passed calibration needs its certificate number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(sa.ForeignKey("meters.id", ondelete="CASCADE"), index=True)
    tested_on: Mapped[date]
    passed: Mapped[bool]
    certificate: Mapped[str | None] = mapped_column(sa.String(60))
    next_due: Mapped[date | None]
    remarks: Mapped[str | None] = mapped_column(sa.String(500))
    by: Mapped[str] = mapped_column(sa.String(255))

    meter: Mapped[Meter] = relationship()

    def __str__(self) -> str:
        return f"{self.meter.number if self.meter else ''} {'passed' if self.passed else 'failed'} {self.tested_on}"


class Register(db.Model):
    """One measured quantity of a meter; consumption = reading difference x multiplier."""

    __tablename__ = "registers"
    __table_args__ = (
        sa.UniqueConstraint("meter_id", "code", info={
            "field": "code", "message": "this meter already has a register with this code"}),
        sa.Index("ix_registers_usage_meter", "usage_type", "meter_id"),
        rule("multiplier > 0", "multiplier_positive", "multiplier", "must be greater than zero"),
        rule("digits BETWEEN 3 AND 12", "digits_range", "digits", "must be between 3 and 12"),
        rule("decimals BETWEEN 0 AND 4", "decimals_range", "decimals", "must be between 0 and 4"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(sa.ForeignKey("meters.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(10))  # OBIS-style: 1.8.0, 1.8.1 (WBP), 1.8.2 (LWBP), 3.8.0
    usage_type: Mapped[UsageType] = mapped_column(enum_type(UsageType))
    digits: Mapped[int] = mapped_column(sa.SmallInteger, default=6)
    decimals: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    multiplier: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("1"),
                                                 info={"max": 100_000})
    # The data stream (NMI suffix such as E1, 11, 41) that meter data files use for this register,
    # where the default translation (E->1.8.0, B->2.8.0, Q->3.8.0, K->4.8.0) does not fit.
    stream: Mapped[str | None] = mapped_column(sa.String(10))

    meter: Mapped[Meter] = relationship(back_populates="registers")

    def __str__(self) -> str:
        number = self.meter.number if self.meter else "?"
        return f"{number} {self.code} ({self.usage_type.value}, x{self.multiplier.normalize():f})"


class ControlDevice(db.Model):
    __tablename__ = "control_devices"
    __table_args__ = (
        rule("rating_amperes > 0", "rating_positive", "rating_amperes", "must be greater than zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(sa.String(30), unique=True)
    kind: Mapped[ControlDeviceKind] = mapped_column(enum_type(ControlDeviceKind))
    rating_amperes: Mapped[Decimal] = mapped_column(QUANTITY)
    phases: Mapped[int] = mapped_column(sa.SmallInteger, default=1)

    def __str__(self) -> str:
        return f"{self.serial} {self.kind.value.replace('_', ' ')} {self.rating_amperes.normalize():f} A"


class Installation(db.Model):
    """A meter or a control device at a service point (and meter point) from install to removal."""

    __tablename__ = "installations"
    __table_args__ = (
        rule("(meter_id IS NULL) <> (control_device_id IS NULL)",
             "one_device", "meter", "choose a meter or a control device, not both"),
        rule("removed_on IS NULL OR removed_on >= installed_on",
             "dates_ordered", "removed_on", "must not be before the installation date"),
        sa.Index("ix_installations_sp_dates", "service_point_id", "installed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(sa.ForeignKey("service_points.id"))
    meter_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meter_points.id"), index=True)
    meter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meters.id"), index=True)
    control_device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("control_devices.id"), index=True)
    installed_on: Mapped[date]
    removed_on: Mapped[date | None]

    service_point: Mapped[ServicePoint] = relationship()
    meter_point: Mapped[MeterPoint | None] = relationship()
    meter: Mapped[Meter | None] = relationship()
    control_device: Mapped[ControlDevice | None] = relationship()

    def __str__(self) -> str:
        device = self.meter or self.control_device
        spn = self.service_point.spn if self.service_point else "?"
        return f"{device} at {spn} from {self.installed_on.isoformat()}"
