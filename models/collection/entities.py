"""Payments and what they pay: a payment from a channel, allocated to the customer's bills oldest first (or to
a named bill); what is left is the customer's credit, allocated to the next bill.

A bill's open balance is its total less the live allocations to it, while it is issued: a cancelled bill owes
nothing, and what was allocated to it counts as credit again (its payment's unallocated amount), so
cancelling a paid bill leaves the payment as the customer's credit without rewriting the payment.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.objects import business_object
from models.statuses import transitions
from models.types import MONEY, UTCDateTime, enum_type, rule


class PaymentChannel(enum.StrEnum):
    CASHIER = "cashier"              # the utility's own counter
    BANK_TRANSFER = "bank_transfer"  # a bank statement line (camt.053/054, CSV)
    PARTNER = "partner"              # a payment partner (bank, payment point) through the API
    DIRECT_DEBIT = "direct_debit"    # collected from the account's mandate


class PaymentMethod(enum.StrEnum):
    """How the money came: a cashier's day is counted per method."""

    CASH = "cash"
    CARD = "card"
    QRIS = "qris"                    # Indonesia's QR payment standard
    TRANSFER = "transfer"
    DEBIT = "debit"


class PaymentStatus(enum.StrEnum):
    POSTED = "posted"
    REVERSED = "reversed"            # returned transfer, failed debit, cashier's error: its allocations released


class CashierDayStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


transitions(PaymentStatus, {PaymentStatus.POSTED: {PaymentStatus.REVERSED}})
transitions(CashierDayStatus, {CashierDayStatus.OPEN: {CashierDayStatus.CLOSED}})


@business_object("payment", "payment")
class Payment(db.Model):
    """Money received from a channel, once per (channel, external reference)."""

    __tablename__ = "payments"
    __table_args__ = (
        sa.UniqueConstraint("channel", "reference", info={
            "field": "reference", "message": "a payment with this reference was already posted on this channel"}),
        sa.UniqueConstraint("idempotency_key", info={
            "field": "idempotency_key", "message": "this Idempotency-Key was already used"}),
        rule("amount > 0", "amount_positive", "amount", "must be greater than zero"),
        sa.Index("ix_payments_customer_id_paid_on", "customer_id", "paid_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[PaymentChannel] = mapped_column(enum_type(PaymentChannel))
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod))
    reference: Mapped[str] = mapped_column(sa.String(80))        # the channel's own: receipt, bank ref, partner id
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date]
    status: Mapped[PaymentStatus] = mapped_column(enum_type(PaymentStatus), default=PaymentStatus.POSTED, index=True)
    payer: Mapped[str | None] = mapped_column(sa.String(200))
    # The bill the payer named (a scanned payment reference, a partner's bill number): allocated first.
    named_bill_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bills.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100))
    request_hash: Mapped[str | None] = mapped_column(sa.String(64))     # SHA-256 of the request that posted it
    cashier_day_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cashier_days.id"), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    by: Mapped[str] = mapped_column(sa.String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_reason: Mapped[str | None] = mapped_column(sa.String(500))

    customer = relationship("Customer")
    named_bill = relationship("Bill", foreign_keys=[named_bill_id])
    allocations: Mapped[list[PaymentAllocation]] = relationship(back_populates="payment",
                                                                order_by="PaymentAllocation.id")

    def __str__(self) -> str:
        return f"{self.channel.value} {self.reference}"


class PaymentAllocation(db.Model):
    """Part of a payment applied to a bill; released (never deleted) when the payment is reversed."""

    __tablename__ = "payment_allocations"
    __table_args__ = (rule("amount > 0", "amount_positive", "amount", "must be greater than zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    allocated_on: Mapped[date]
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    bill = relationship("Bill")


@business_object("cashier_day", "cashier day")
class CashierDay(db.Model):
    """A cashier's day at the counter: opened with the first payment, closed with a count per method that
    must match what was posted."""

    __tablename__ = "cashier_days"
    __table_args__ = (sa.UniqueConstraint("cashier", "business_day", info={
        "field": "business_day", "message": "this cashier already has a day for this date"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cashier: Mapped[str] = mapped_column(sa.String(120))
    business_day: Mapped[date]
    status: Mapped[CashierDayStatus] = mapped_column(enum_type(CashierDayStatus), default=CashierDayStatus.OPEN)
    expected: Mapped[dict | None] = mapped_column(sa.JSON)       # method -> posted amount (decimal strings)
    counted: Mapped[dict | None] = mapped_column(sa.JSON)        # method -> counted amount
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __str__(self) -> str:
        return f"{self.cashier} {self.business_day.isoformat()}"


@business_object("write_off", "write-off")
class WriteOff(db.Model):
    """Debt given up on a bill (uncollectable, below the cost of collecting): it owes that much less."""

    __tablename__ = "write_offs"
    __table_args__ = (rule("amount > 0", "amount_positive", "amount", "must be greater than zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(sa.String(500))
    written_off_on: Mapped[date]
    by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    bill = relationship("Bill")
