"""The accounting interface: a chart of accounts, posting rules (which accounts an event posts to, edited in the
admin), and the journal: a batch per posting date -> entries (one per source event) -> balanced lines.

An exported batch is frozen: later postings for its date go to the next open batch, so its file never changes.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.statuses import transitions
from models.types import MONEY, UTCDateTime, enum_type, rule


class AccountType(enum.StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"


class RuleKind(enum.StrEnum):
    """What a posting rule maps; its key says which one (a tariff class, a tax label or kind, a channel)."""

    RECEIVABLES = "receivables"     # key "*"
    REVENUE = "revenue"             # key: the bill's tariff class (R-1, B-2...)
    TAX = "tax"                     # key: the tax line's label, else its kind (tax, stamp_duty)
    MISC = "misc"                   # key: the misc charge line's label (Late-payment penalty), else "*"
    CASH = "cash"                   # key: the payment channel
    WRITE_OFF = "write_off"         # key "*": bad-debt expense
    ROUNDING = "rounding"           # key "*": a bill total that differs from the sum of its lines


class BatchStatus(enum.StrEnum):
    OPEN = "open"
    EXPORTED = "exported"


transitions(BatchStatus, {BatchStatus.OPEN: {BatchStatus.EXPORTED}})


class SourceType(enum.StrEnum):
    BILL = "bill"
    PAYMENT = "payment"
    WRITE_OFF = "write_off"


class JournalEvent(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    REVERSAL = "reversal"
    WRITE_OFF = "write_off"
    # The bill written off was cancelled since: its credit note reverses the whole total, so the write-off
    # is undone too, or receivables would be credited twice.
    WRITE_OFF_VOID = "write_off_void"


class LedgerAccount(db.Model):
    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    type: Mapped[AccountType] = mapped_column(enum_type(AccountType))

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PostingRule(db.Model):
    __tablename__ = "posting_rules"
    __table_args__ = (sa.UniqueConstraint("kind", "key", info={
        "field": "key", "message": "there is already a posting rule for this kind and key"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RuleKind] = mapped_column(enum_type(RuleKind))
    key: Mapped[str] = mapped_column(sa.String(200), default="*")
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"), index=True)

    account: Mapped[LedgerAccount] = relationship()

    def __str__(self) -> str:
        return f"{self.kind.value} {self.key}"


class JournalBatch(db.Model):
    __tablename__ = "journal_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_date: Mapped[date] = mapped_column(unique=True)
    status: Mapped[BatchStatus] = mapped_column(enum_type(BatchStatus), default=BatchStatus.OPEN, index=True)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exported_by: Mapped[str | None] = mapped_column(sa.String(120))
    # Both files, rendered once on export: renaming an account later must not change what was sent.
    csv_file: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    json_file: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    entries: Mapped[list[JournalEntry]] = relationship(back_populates="batch", order_by="JournalEntry.id")

    def __str__(self) -> str:
        return f"journal {self.posting_date.isoformat()}"


class JournalEntry(db.Model):
    __tablename__ = "journal_entries"
    __table_args__ = (sa.UniqueConstraint("source_type", "source_id", "event", info={
        "field": "source_id", "message": "this event was already posted"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_batches.id"), index=True)
    source_type: Mapped[SourceType] = mapped_column(enum_type(SourceType))
    source_id: Mapped[int]
    event: Mapped[JournalEvent] = mapped_column(enum_type(JournalEvent))
    event_on: Mapped[date]                      # when it happened; the batch's date may be later
    # Whose receivable it moves: the reconciliation compares it per customer.
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(80))    # bill number, payment reference
    description: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    batch: Mapped[JournalBatch] = relationship(back_populates="entries")
    lines: Mapped[list[JournalLine]] = relationship(back_populates="entry", order_by="JournalLine.id",
                                                    cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.event.value} {self.reference}"


class JournalLine(db.Model):
    __tablename__ = "journal_lines"
    __table_args__ = (
        rule("debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0)", "one_side", "debit",
             "a line is a debit or a credit, never negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"), index=True)
    debit: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    credit: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))

    entry: Mapped[JournalEntry] = relationship(back_populates="lines")
    account: Mapped[LedgerAccount] = relationship()
