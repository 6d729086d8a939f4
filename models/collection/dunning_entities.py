"""Dunning: the debt actions of the collection process (reminder, warning, disconnection, reconnection),
payment arrangements with their instalments, and late-payment penalties (one per bill and rule)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.contracts.entities import Contract
from models.objects import business_object
from models.service_orders.entities import ServiceOrder
from models.statuses import transitions
from models.types import MONEY, RATE, UTCDateTime, enum_type, rule


class DebtActionKind(enum.StrEnum):
    REMINDER = "reminder"
    WARNING = "warning"
    DISCONNECTION = "disconnection"
    RECONNECTION = "reconnection"
    PROTECTED = "protected"          # a protected service point: a clerk's task instead of a disconnection


class DebtChannel(enum.StrEnum):
    LETTER = "letter"
    SMS = "sms"


class ArrangementStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"


transitions(ArrangementStatus, {ArrangementStatus.ACTIVE: {ArrangementStatus.COMPLETED, ArrangementStatus.BROKEN}})


class DebtAction(db.Model):
    """One step the collection process took against a service point's overdue debt."""

    __tablename__ = "debt_actions"
    __table_args__ = (sa.Index("ix_debt_actions_contract_id_created_on", "contract_id", "created_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DebtActionKind] = mapped_column(enum_type(DebtActionKind))
    channel: Mapped[DebtChannel | None] = mapped_column(enum_type(DebtChannel))
    service_point_id: Mapped[int] = mapped_column(sa.ForeignKey("service_points.id"), index=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("process_instances.id", ondelete="SET NULL"), index=True)
    service_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_orders.id"), index=True)
    bill_ids: Mapped[list] = mapped_column(sa.JSON)       # the overdue bills the action was about
    amount: Mapped[Decimal] = mapped_column(MONEY)        # what they owed then
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_on: Mapped[date]
    by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    service_order: Mapped[ServiceOrder | None] = relationship()

    def __str__(self) -> str:
        return f"{self.kind.value} {self.created_on.isoformat()}"


@business_object("payment_arrangement", "payment arrangement")
class PaymentArrangement(db.Model):
    """A promise to pay overdue bills by a down payment and instalments: dunning waits while it is kept."""

    __tablename__ = "payment_arrangements"
    __table_args__ = (rule("total > 0", "total_positive", "total", "must be greater than zero"),
                      rule("down_payment >= 0", "down_payment_not_negative", "down_payment", "must not be negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    status: Mapped[ArrangementStatus] = mapped_column(enum_type(ArrangementStatus), default=ArrangementStatus.ACTIVE,
                                                      index=True)
    bill_ids: Mapped[list] = mapped_column(sa.JSON)       # the bills it covers
    total: Mapped[Decimal] = mapped_column(MONEY)         # what they owed when it was made
    down_payment: Mapped[Decimal] = mapped_column(MONEY)
    created_on: Mapped[date]
    ended_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.String(500))
    by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    instalments: Mapped[list[ArrangementInstalment]] = relationship(
        back_populates="arrangement", order_by="ArrangementInstalment.sequence", cascade="all, delete-orphan")
    contract: Mapped[Contract] = relationship()

    def __str__(self) -> str:
        return f"arrangement #{self.id}"


class ArrangementInstalment(db.Model):
    """Sequence 0 is the down payment; an instalment is met once everything due up to it has been paid."""

    __tablename__ = "arrangement_instalments"
    __table_args__ = (sa.UniqueConstraint("arrangement_id", "sequence"),
                      rule("amount > 0", "amount_positive", "amount", "must be greater than zero"))

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(sa.ForeignKey("payment_arrangements.id", ondelete="CASCADE"),
                                                index=True)
    sequence: Mapped[int] = mapped_column(sa.SmallInteger)
    due_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(MONEY)
    met_on: Mapped[date | None]

    arrangement: Mapped[PaymentArrangement] = relationship(back_populates="instalments")


class LatePenalty(db.Model):
    """A late-payment penalty raised on a bill under a rule, once: the misc charge the next bill carries."""

    __tablename__ = "late_penalties"
    __table_args__ = (sa.UniqueConstraint("bill_id", "rule", info={
        "field": "bill", "message": "this bill already has this penalty"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"))
    rule: Mapped[str] = mapped_column(sa.String(40))      # which penalty: "late_payment" (contract version's)
    contract_version_id: Mapped[int] = mapped_column(sa.ForeignKey("contract_versions.id"))
    percent: Mapped[Decimal] = mapped_column(RATE)
    base: Mapped[Decimal] = mapped_column(MONEY)          # the balance it was reckoned on
    amount: Mapped[Decimal] = mapped_column(MONEY)
    misc_charge_id: Mapped[int] = mapped_column(sa.ForeignKey("misc_charges.id"), index=True)
    posted_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
