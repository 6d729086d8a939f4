"""Bank channels: statement imports, the suspense queue of lines that matched nothing, direct-debit mandates
and the pain.008 batches collected from them."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.customers.entities import MASKED, mask_number
from models.objects import business_object
from models.statuses import transitions
from models.types import MONEY, UTCDateTime, enum_type, rule


class StatementFormat(enum.StrEnum):
    CAMT053 = "camt053"
    CAMT054 = "camt054"
    CSV = "csv"


class SuspenseStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"      # a clerk named the customer or bill: it became a payment
    REFUNDED = "refunded"    # sent back to the payer, with the reason


class MandateStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class DebitItemStatus(enum.StrEnum):
    COLLECTED = "collected"
    RETURNED = "returned"


transitions(SuspenseStatus, {SuspenseStatus.OPEN: {SuspenseStatus.MATCHED, SuspenseStatus.REFUNDED}})
transitions(MandateStatus, {MandateStatus.ACTIVE: {MandateStatus.REVOKED}})
transitions(DebitItemStatus, {DebitItemStatus.COLLECTED: {DebitItemStatus.RETURNED}})


@business_object("statement_import", "bank statement import")
class StatementImport(db.Model):
    """A bank file imported once (by its SHA-256), with what became of its lines."""

    __tablename__ = "statement_imports"
    __table_args__ = (sa.UniqueConstraint("sha256", info={
        "field": "file", "message": "this file was already imported"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    format: Mapped[StatementFormat] = mapped_column(enum_type(StatementFormat))
    message_id: Mapped[str | None] = mapped_column(sa.String(80))
    lines: Mapped[int] = mapped_column(default=0)
    posted: Mapped[int] = mapped_column(default=0)
    replayed: Mapped[int] = mapped_column(default=0)       # posted before (another file, the same line)
    suspense: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)        # debits, entries not booked, other currencies
    total_posted: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    report: Mapped[dict | None] = mapped_column(sa.JSON)   # the skipped lines, with their reasons
    by: Mapped[str] = mapped_column(sa.String(120))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d})"


@business_object("suspense_item", "suspense item")
class SuspenseItem(db.Model):
    """A bank line that matched no customer or bill: a clerk matches it or refunds it."""

    __tablename__ = "suspense_items"
    __table_args__ = (
        sa.UniqueConstraint("bank_reference", info={
            "field": "bank_reference", "message": "this bank line is already in the suspense queue"}),
        rule("amount > 0", "amount_positive", "amount", "must be greater than zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("statement_imports.id"), index=True)
    line_no: Mapped[int]
    bank_reference: Mapped[str] = mapped_column(sa.String(80))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    booked_on: Mapped[date]
    payer: Mapped[str | None] = mapped_column(sa.String(200))
    payer_account: Mapped[str | None] = mapped_column(sa.String(40), info={MASKED: True})
    remittance: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[SuspenseStatus] = mapped_column(enum_type(SuspenseStatus), default=SuspenseStatus.OPEN,
                                                   index=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    reason: Mapped[str | None] = mapped_column(sa.String(500))       # why refunded, or the clerk's match note
    resolved_by: Mapped[str | None] = mapped_column(sa.String(120))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    statement_import = relationship(StatementImport)
    payment = relationship("Payment")

    @property
    def masked_account(self) -> str:
        return mask_number(self.payer_account)

    def __str__(self) -> str:
        return f"{self.bank_reference} {self.amount:,.2f}"


@business_object("mandate", "direct-debit mandate")
class Mandate(db.Model):
    """The account holder's authority to collect their bills from their bank account."""

    __tablename__ = "mandates"
    __table_args__ = (sa.UniqueConstraint("reference", info={
        "field": "reference", "message": "a mandate with this reference exists"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(35))          # pain.008 MndtId: at most 35
    signed_on: Mapped[date]
    status: Mapped[MandateStatus] = mapped_column(enum_type(MandateStatus), default=MandateStatus.ACTIVE)
    revoked_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    account = relationship("Account")

    def __str__(self) -> str:
        return self.reference


@business_object("direct_debit_batch", "direct-debit batch")
class DirectDebitBatch(db.Model):
    """The pain.008 collection file of one due date; stored so that a download is always the same bytes."""

    __tablename__ = "direct_debit_batches"
    __table_args__ = (sa.UniqueConstraint("due_on", info={
        "field": "due_on", "message": "this due date already has a collection file"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    due_on: Mapped[date]
    message_id: Mapped[str] = mapped_column(sa.String(35))
    count: Mapped[int] = mapped_column(default=0)
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    xml: Mapped[str | None] = mapped_column(sa.Text)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # its payments posted (on/after the due date)
    by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    items: Mapped[list[DirectDebitItem]] = relationship(back_populates="batch", order_by="DirectDebitItem.id")

    def __str__(self) -> str:
        return f"direct debit {self.due_on.isoformat()}"


@business_object("direct_debit_item", "direct-debit item")
class DirectDebitItem(db.Model):
    """One bill collected in a batch: the payment it became, and its return."""

    __tablename__ = "direct_debit_items"
    __table_args__ = (
        sa.UniqueConstraint("end_to_end_id", info={"field": "end_to_end_id", "message": "already in a batch"}),
        rule("amount > 0", "amount_positive", "amount", "must be greater than zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("direct_debit_batches.id"), index=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(sa.ForeignKey("mandates.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    end_to_end_id: Mapped[str] = mapped_column(sa.String(35))
    status: Mapped[DebitItemStatus] = mapped_column(enum_type(DebitItemStatus), default=DebitItemStatus.COLLECTED)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    return_reason: Mapped[str | None] = mapped_column(sa.String(200))

    batch: Mapped[DirectDebitBatch] = relationship(back_populates="items")
    bill = relationship("Bill")
    mandate = relationship(Mandate)
    payment = relationship("Payment")
