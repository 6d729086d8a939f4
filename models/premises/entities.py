"""Properties, the supply topology (meter chambers and meter points), reading routes, service points."""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.limits import IDENTIFIER
from models.objects import business_object
from models.statuses import transitions
from models.types import enum_type, rule


class SupplyVoltage(enum.StrEnum):
    LOW = "TR"       # tegangan rendah
    MEDIUM = "TM"    # tegangan menengah
    HIGH = "TT"      # tegangan tinggi


class Protection(enum.StrEnum):
    """Why a service point is never disconnected for debt (its dunning becomes a clerk's task)."""

    LIFE_SUPPORT = "life_support"
    HOSPITAL = "hospital"
    STATE_INSTITUTION = "state_institution"


class ServicePointStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DISCONNECTED = "disconnected"
    RETIRED = "retired"


SP = ServicePointStatus
transitions(ServicePointStatus, {
    SP.PLANNED: {SP.ACTIVE, SP.RETIRED},
    SP.ACTIVE: {SP.DISCONNECTED, SP.RETIRED},
    SP.DISCONNECTED: {SP.ACTIVE, SP.RETIRED},
})


class Property(db.Model):
    __tablename__ = "properties"
    __table_args__ = (
        rule("latitude IS NULL OR (latitude BETWEEN -90 AND 90)",
             "latitude_range", "latitude", "must be between -90 and 90"),
        rule("longitude IS NULL OR (longitude BETWEEN -180 AND 180)",
             "longitude_range", "longitude", "must be between -180 and 180"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(300), index=True)
    city: Mapped[str] = mapped_column(sa.String(100), index=True)
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(40), default="house")  # house, apartment, shop, plant...
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))

    service_points: Mapped[list[ServicePoint]] = relationship(back_populates="property")
    meter_chambers: Mapped[list[MeterChamber]] = relationship(back_populates="property")

    def __str__(self) -> str:
        return f"{self.address}, {self.city}"


class MeterChamber(db.Model):
    """Where several meters sit together (apartments, dense areas): supply -> chamber -> points."""

    __tablename__ = "meter_chambers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"), index=True)
    feeder: Mapped[str | None] = mapped_column(sa.String(40))
    transformer: Mapped[str | None] = mapped_column(sa.String(40))
    location_note: Mapped[str | None] = mapped_column(sa.String(200))

    property: Mapped[Property] = relationship(back_populates="meter_chambers")
    meter_points: Mapped[list[MeterPoint]] = relationship(
        back_populates="chamber", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.code


class MeterPoint(db.Model):
    """A socket in a meter chamber that one meter occupies at a time."""

    __tablename__ = "meter_points"
    __table_args__ = (sa.UniqueConstraint("chamber_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chamber_id: Mapped[int] = mapped_column(sa.ForeignKey("meter_chambers.id", ondelete="CASCADE"), index=True)
    position: Mapped[str] = mapped_column(sa.String(20))

    chamber: Mapped[MeterChamber] = relationship(back_populates="meter_points")

    def __str__(self) -> str:
        return f"{self.chamber.code}/{self.position}" if self.chamber else self.position


class ReadingRoute(db.Model):
    __tablename__ = "reading_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    area: Mapped[str] = mapped_column(sa.String(100), index=True)
    scheduled_day: Mapped[int] = mapped_column(sa.SmallInteger, default=1)

    __table_args__ = (
        rule("scheduled_day BETWEEN 1 AND 28",
             "scheduled_day_range", "scheduled_day", "must be a day between 1 and 28"),
    )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@business_object("service_point", "service point")
class ServicePoint(db.Model):
    __tablename__ = "service_points"
    __table_args__ = (
        rule("reading_sequence IS NULL OR reading_sequence > 0",
             "reading_sequence_positive", "reading_sequence", "must be a positive number"),
        sa.Index("ix_service_points_route_sequence", "route_id", "reading_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    spn: Mapped[str] = mapped_column(sa.String(20), unique=True, info={"label": "SPN", "pattern": IDENTIFIER})
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"), index=True)
    meter_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meter_points.id"), unique=True)
    route_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reading_routes.id"))
    itinerary: Mapped[str | None] = mapped_column(sa.String(20))
    reading_sequence: Mapped[int | None]
    supply_voltage: Mapped[SupplyVoltage] = mapped_column(enum_type(SupplyVoltage), default=SupplyVoltage.LOW)
    feeder: Mapped[str | None] = mapped_column(sa.String(40))
    transformer: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[ServicePointStatus] = mapped_column(
        enum_type(ServicePointStatus), default=ServicePointStatus.ACTIVE, index=True)
    created_on: Mapped[date]
    protected: Mapped[Protection | None] = mapped_column(enum_type(Protection))

    property: Mapped[Property] = relationship(back_populates="service_points")
    meter_point: Mapped[MeterPoint | None] = relationship()
    route: Mapped[ReadingRoute | None] = relationship()

    def __str__(self) -> str:
        return self.spn
