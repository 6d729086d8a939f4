"""Tariffs as data: a tariff has dated versions, a version has priced components.

The component kinds cover every rule of the PLN catalogue (reference/pln-tariffs-2024.md):
fixed charge per kVA, flat/block/TOU energy (WBP = K x LWBP), demand, reactive excess over a
kVArh/kWh ratio, minimum bill (hours x kVA x rate), percentage taxes on a base, stamp duty above a
threshold. Pricing itself reads these rows; no tariff is code.
"""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.premises.entities import SupplyVoltage
from models.tariffs.rate_structures import TariffRateStructure
from models.types import QUANTITY, RATE, enum_type, rule


class PaymentMode(enum.StrEnum):
    POSTPAID = "postpaid"
    PREPAID = "prepaid"


class RoundingRule(enum.StrEnum):
    HALF_UP = "half_up"        # ROUND_HALF_UP to the rounding unit: PLN bills
    DOWN = "down"              # truncate: prepaid kWh credit
    HALF_EVEN = "half_even"
    NONE = "none"              # keep exact decimals


class ComponentKind(enum.StrEnum):
    FIXED_PER_KVA = "fixed_per_kva"        # rate per connected kVA per month
    ENERGY = "energy"                      # rate per kWh; optional block and TOU period
    DEMAND = "demand"                      # rate per kW of maximum demand
    REACTIVE_EXCESS = "reactive_excess"    # rate per kVArh above threshold_ratio x kWh
    MINIMUM_BILL = "minimum_bill"          # hours x connected kVA x rate, when energy is lower
    TAX = "tax"                            # percentage of a base (PPJ, VAT)
    STAMP_DUTY = "stamp_duty"              # amount when the bill reaches threshold


class TouPeriod(enum.StrEnum):
    ALL = "all"
    WBP = "wbp"     # peak
    LWBP = "lwbp"   # off-peak


class TaxBase(enum.StrEnum):
    ELECTRICITY = "electricity"   # energy + fixed + demand + reactive (+ minimum top-up)
    TOTAL = "total"               # everything before this tax


class Tariff(db.Model):
    __tablename__ = "tariffs"
    __table_args__ = (
        rule("max_power_va IS NULL OR min_power_va IS NULL OR max_power_va >= min_power_va",
             "power_range_ordered", "max_power_va", "must not be below the minimum power"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)          # "R-1/TR 1300"
    tariff_class: Mapped[str] = mapped_column(sa.String(10), index=True)   # golongan: R-1, B-3, I-4...
    name: Mapped[str] = mapped_column(sa.String(200))
    voltage: Mapped[SupplyVoltage] = mapped_column(enum_type(SupplyVoltage))
    payment_mode: Mapped[PaymentMode] = mapped_column(enum_type(PaymentMode), default=PaymentMode.POSTPAID)
    min_power_va: Mapped[int | None]
    max_power_va: Mapped[int | None]
    time_of_use: Mapped[bool] = mapped_column(default=False)

    versions: Mapped[list[TariffVersion]] = relationship(
        back_populates="tariff", order_by="TariffVersion.effective_from", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.code


class TariffVersion(db.Model):
    __tablename__ = "tariff_versions"
    __table_args__ = (
        rule("effective_to IS NULL OR effective_to > effective_from",
             "dates_ordered", "effective_to", "must be after the effective-from date"),
        rule("rounding_unit > 0", "rounding_unit_positive", "rounding_unit", "must be greater than zero"),
        sa.UniqueConstraint("tariff_id", "effective_from", info={
            "field": "effective_from", "message": "this tariff already has a version starting that day"}),
        # The operation checks overlaps on every engine; PostgreSQL also guarantees it.
        ExcludeConstraint(
            ("tariff_id", "="), (sa.text("daterange(effective_from, effective_to, '[)')"), "&&"),
            name="ex_tariff_versions_no_overlap", using="gist",
            info={"field": "effective_from", "message": "overlaps another version of this tariff"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(sa.ForeignKey("tariffs.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]    # exclusive; open-ended when empty
    rounding_rule: Mapped[RoundingRule] = mapped_column(enum_type(RoundingRule), default=RoundingRule.HALF_UP)
    rounding_unit: Mapped[Decimal] = mapped_column(RATE, default=Decimal("1"))
    legal_basis: Mapped[str | None] = mapped_column(sa.String(200))

    tariff: Mapped[Tariff] = relationship(back_populates="versions")
    components: Mapped[list[TariffComponent]] = relationship(
        back_populates="version", order_by="TariffComponent.sequence", cascade="all, delete-orphan")
    rate_structure: Mapped[TariffRateStructure | None] = relationship(
        back_populates="version", cascade="all, delete-orphan", uselist=False)

    def __str__(self) -> str:
        until = self.effective_to.isoformat() if self.effective_to else "open"
        return f"{self.tariff.code if self.tariff else '?'} {self.effective_from.isoformat()}..{until}"


class TariffComponent(db.Model):
    __tablename__ = "tariff_components"
    __table_args__ = (
        rule("rate IS NULL OR rate >= 0", "rate_not_negative", "rate", "must not be negative"),
        rule("block_to IS NULL OR block_from IS NULL OR block_to > block_from",
             "block_ordered", "block_to", "must be above block from"),
        rule("percentage IS NULL OR (percentage >= 0 AND percentage <= 100)",
             "percentage_range", "percentage", "must be 0 to 100"),
        rule("factor IS NULL OR factor > 0", "factor_positive", "factor", "must be greater than zero"),
        rule("kind NOT IN ('fixed_per_kva', 'demand', 'reactive_excess') OR rate IS NOT NULL",
             "rate_required", "rate", "is required for this kind"),
        rule("kind <> 'energy' OR rate IS NOT NULL OR factor IS NOT NULL",
             "energy_priced", "rate", "energy needs a rate, or a factor on the LWBP rate"),
        rule("kind <> 'tax' OR percentage IS NOT NULL", "tax_percentage", "percentage", "is required for a tax"),
        rule("kind <> 'minimum_bill' OR hours IS NOT NULL", "minimum_hours", "hours", "is required for a minimum bill"),
        rule("kind <> 'stamp_duty' OR (threshold IS NOT NULL AND amount IS NOT NULL)",
             "stamp_duty_complete", "threshold", "stamp duty needs a threshold and an amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("tariff_versions.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(default=10)
    kind: Mapped[ComponentKind] = mapped_column(enum_type(ComponentKind))
    label: Mapped[str] = mapped_column(sa.String(100))
    tou_period: Mapped[TouPeriod] = mapped_column(enum_type(TouPeriod), default=TouPeriod.ALL)
    block_from: Mapped[Decimal | None] = mapped_column(QUANTITY, info={"min": 0})   # kWh, inclusive
    block_to: Mapped[Decimal | None] = mapped_column(QUANTITY, info={"min": 0})     # kWh, exclusive; open when empty
    rate: Mapped[Decimal | None] = mapped_column(RATE, info={"min": 0})
    factor: Mapped[Decimal | None] = mapped_column(RATE, info={"min": 0})           # K for WBP = K x LWBP
    threshold_ratio: Mapped[Decimal | None] = mapped_column(RATE, info={"min": 0, "max": 100})  # 0.62 kVArh per kWh
    hours: Mapped[Decimal | None] = mapped_column(QUANTITY, info={"min": 0, "max": 744})        # 40 for RM1/RM2
    percentage: Mapped[Decimal | None] = mapped_column(RATE, info={"min": 0, "max": 100})
    tax_base: Mapped[TaxBase | None] = mapped_column(enum_type(TaxBase))
    threshold: Mapped[Decimal | None] = mapped_column(RATE, info={"min": 0})        # stamp duty bill threshold
    amount: Mapped[Decimal | None] = mapped_column(RATE, info={"min": 0})           # stamp duty amount

    version: Mapped[TariffVersion] = relationship(back_populates="components")

    def __str__(self) -> str:
        return self.label
