"""Contracts (service agreements) and their versions: a change adds a version, never overwrites."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.customers.entities import Account
from models.objects import business_object
from models.premises.entities import ServicePoint
from models.statuses import transitions
from models.tariffs.entities import Tariff
from models.types import RATE, UTCDateTime, enum_type, rule


class ContractStatus(enum.StrEnum):
    ACTIVE = "active"
    TERMINATED = "terminated"


transitions(ContractStatus, {ContractStatus.ACTIVE: {ContractStatus.TERMINATED}})


class ContractType(enum.StrEnum):
    PERMANENT = "permanent"
    TEMPORARY = "temporary"   # L tariff: events, construction
    PREPAID = "prepaid"


class Cycle(enum.StrEnum):
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"


@business_object("contract", "contract")
class Contract(db.Model):
    __tablename__ = "contracts"
    __table_args__ = (
        sa.UniqueConstraint("service_point_id", "serial", info={
            "field": "serial", "message": "this service point already has a contract with this serial"}),
        rule("terminated_on IS NULL OR terminated_on >= registered_on",
             "dates_ordered", "terminated_on", "must not be before the registration date"),
        rule("serial > 0", "serial_positive", "serial", "must be a positive number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(sa.ForeignKey("service_points.id"), index=True)
    serial: Mapped[int] = mapped_column(sa.SmallInteger)
    customer_no: Mapped[str] = mapped_column(sa.String(12), unique=True, info={"label": "ID Pelanggan"})
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    status: Mapped[ContractStatus] = mapped_column(
        enum_type(ContractStatus), default=ContractStatus.ACTIVE, index=True)
    registered_on: Mapped[date]
    terminated_on: Mapped[date | None]

    service_point: Mapped[ServicePoint] = relationship()
    account: Mapped[Account] = relationship()
    versions: Mapped[list[ContractVersion]] = relationship(
        back_populates="contract", order_by="ContractVersion.version_no", cascade="all, delete-orphan")

    def __str__(self) -> str:
        spn = self.service_point.spn if self.service_point else "?"
        return f"{spn}/{self.serial} ({self.customer_no})"

    def version_on(self, day: date) -> ContractVersion | None:
        for v in self.versions:
            if v.valid_from <= day and (v.valid_to is None or day < v.valid_to):
                return v
        return None


class ContractVersion(db.Model):
    """The terms of a contract for a date range [valid_from, valid_to)."""

    __tablename__ = "contract_versions"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "version_no"),
        rule("valid_to IS NULL OR valid_to > valid_from",
             "dates_ordered", "valid_to", "must be after the valid-from date"),
        rule("contracted_power_va > 0", "power_positive", "contracted_power_va", "must be greater than zero"),
        rule("late_penalty_percent >= 0 AND late_penalty_percent <= 100",
             "penalty_range", "late_penalty_percent", "must be 0 to 100"),
        rule("penalty_grace_days >= 0", "grace_not_negative", "penalty_grace_days", "must not be negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    version_no: Mapped[int] = mapped_column(sa.SmallInteger)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    tariff_id: Mapped[int] = mapped_column(sa.ForeignKey("tariffs.id"), index=True)
    contracted_power_va: Mapped[int]
    contract_type: Mapped[ContractType] = mapped_column(enum_type(ContractType), default=ContractType.PERMANENT)
    reading_cycle: Mapped[Cycle] = mapped_column(enum_type(Cycle, "reading_cycle"), default=Cycle.MONTHLY)
    billing_cycle: Mapped[Cycle] = mapped_column(enum_type(Cycle, "billing_cycle"), default=Cycle.MONTHLY)
    late_penalty_percent: Mapped[Decimal] = mapped_column(RATE, default=Decimal("0"))
    penalty_grace_days: Mapped[int] = mapped_column(default=0)
    change_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    contract: Mapped[Contract] = relationship(back_populates="versions")
    tariff: Mapped[Tariff] = relationship()

    def __str__(self) -> str:
        return f"v{self.version_no} from {self.valid_from.isoformat()}"
