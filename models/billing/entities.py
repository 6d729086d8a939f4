"""Bills and what makes them: billing runs in chunks, bills with priced lines, misc charges, documents.

An issued bill is immutable: its lines, amounts and document never change; a correction is a credit
note (a bill of kind credit_note that references it) and a rebill (a new bill that links back).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.limits import IDENTIFIER
from models.objects import business_object
from models.statuses import transitions
from models.types import MONEY, QUANTITY, RATE, UTCDateTime, enum_type, rule


class BillStatus(enum.StrEnum):
    DRAFT = "draft"          # priced, not yet issued
    HELD = "held"            # a plausibility check stopped it: worked in the bill_exception process
    ISSUED = "issued"        # numbered, dated, immutable
    CANCELLED = "cancelled"  # reversed by a credit note; a draft or held bill discarded


class BillKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"        # a chunk kept failing; resuming takes the rest again


class ChunkStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


transitions(BillStatus, {
    BillStatus.DRAFT: {BillStatus.HELD, BillStatus.ISSUED, BillStatus.CANCELLED},
    BillStatus.HELD: {BillStatus.ISSUED, BillStatus.CANCELLED},
    BillStatus.ISSUED: {BillStatus.CANCELLED},
})
transitions(RunStatus, {
    RunStatus.QUEUED: {RunStatus.RUNNING, RunStatus.FAILED},
    RunStatus.RUNNING: {RunStatus.DONE, RunStatus.FAILED},
    RunStatus.FAILED: {RunStatus.RUNNING},          # resumed
})
transitions(ChunkStatus, {
    ChunkStatus.PENDING: {ChunkStatus.RUNNING, ChunkStatus.DONE},
    ChunkStatus.RUNNING: {ChunkStatus.DONE, ChunkStatus.FAILED, ChunkStatus.PENDING},
    ChunkStatus.FAILED: {ChunkStatus.PENDING},
})


@business_object("billing_run", "billing run")
class BillingRun(db.Model):
    __tablename__ = "billing_runs"
    __table_args__ = (
        rule("done >= 0 AND total >= 0 AND held >= 0 AND errors >= 0", "counts_not_negative", "done",
             "must not be negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[date] = mapped_column(index=True)   # the month's first day
    routes: Mapped[list | None] = mapped_column(sa.JSON)                        # route codes; all when empty
    cycles: Mapped[list | None] = mapped_column(sa.JSON)           # billing cycles ("monthly"...); all when empty
    status: Mapped[RunStatus] = mapped_column(enum_type(RunStatus), default=RunStatus.QUEUED, index=True)
    total: Mapped[int] = mapped_column(default=0)       # contracts in scope
    done: Mapped[int] = mapped_column(default=0)        # contracts settled (billed, held, skipped or failed)
    held: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    refused_routes: Mapped[dict | None] = mapped_column(sa.JSON)   # route code -> why nothing was billed
    by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    chunks: Mapped[list[BillingChunk]] = relationship(back_populates="run", order_by="BillingChunk.sequence",
                                                      cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"billing run {self.id} ({self.period:%Y-%m})"


class BillingChunk(db.Model):
    """A slice of a run's contracts that one worker takes whole; taken again after a crash."""

    __tablename__ = "billing_chunks"
    __table_args__ = (sa.UniqueConstraint("run_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_runs.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int]
    contract_ids: Mapped[list] = mapped_column(sa.JSON)
    status: Mapped[ChunkStatus] = mapped_column(enum_type(ChunkStatus), default=ChunkStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    billed: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)
    errors: Mapped[dict | None] = mapped_column(sa.JSON)     # contract id -> reason
    # seconds per stage (gather, price, write, exceptions) of the attempt that billed it: a run's page and
    # the benchmarks say where a run's time goes without a profiler
    seconds: Mapped[dict | None] = mapped_column(sa.JSON)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[BillingRun] = relationship(back_populates="chunks")


@business_object("bill", "bill")
class Bill(db.Model):
    __tablename__ = "bills"
    __table_args__ = (
        # One live invoice per contract and period: a second run, a redelivered chunk or a racing worker
        # cannot bill twice; a cancelled bill frees the period for its rebill.
        sa.Index("uq_bills_contract_period_live", "contract_id", "period", unique=True,
                 sqlite_where=sa.text("kind = 'invoice' AND status <> 'cancelled'"),
                 postgresql_where=sa.text("kind = 'invoice' AND status <> 'cancelled'"),
                 info={"field": "period", "message": "this contract already has a bill for this period"}),
        sa.UniqueConstraint("number", info={"field": "number", "message": "this invoice number is taken"}),
        rule("period_end > period_start", "period_ordered", "period_end", "must be after the period start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(30))     # assigned on issue, gapless per series/year
    kind: Mapped[BillKind] = mapped_column(enum_type(BillKind), default=BillKind.INVOICE)
    status: Mapped[BillStatus] = mapped_column(enum_type(BillStatus), default=BillStatus.DRAFT, index=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    service_point_id: Mapped[int] = mapped_column(sa.ForeignKey("service_points.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("billing_runs.id"), index=True)
    period: Mapped[date] = mapped_column(index=True)
    period_start: Mapped[date]
    period_end: Mapped[date] = mapped_column()        # exclusive
    tariff_code: Mapped[str] = mapped_column(sa.String(40))
    tariff_class: Mapped[str] = mapped_column(sa.String(10), index=True)
    power_va: Mapped[int]
    kwh: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0"))
    jam_nyala: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("0"))
    # Rests on an estimated reading (the usage charts mark it; three in a row hold the bill).
    estimated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    taxes: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    hold_reasons: Mapped[list | None] = mapped_column(sa.JSON)
    issued_on: Mapped[date | None]
    due_on: Mapped[date | None]
    cancels_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bills.id"), index=True)     # credit note -> bill
    rebill_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bills.id"), index=True)   # rebill -> bill
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    lines: Mapped[list[BillLine]] = relationship(back_populates="bill", order_by="BillLine.sequence",
                                                 cascade="all, delete-orphan")
    contract = relationship("Contract")
    service_point = relationship("ServicePoint")
    account = relationship("Account")
    cancels: Mapped[Bill | None] = relationship(remote_side=[id], foreign_keys=[cancels_id])
    rebill_of: Mapped[Bill | None] = relationship(remote_side=[id], foreign_keys=[rebill_of_id])

    def __str__(self) -> str:
        return self.number or f"draft bill {self.id}"


class BillLine(db.Model):
    __tablename__ = "bill_lines"
    __table_args__ = (sa.UniqueConstraint("bill_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(30))     # a tariff component kind, or correction / misc_charge
    label: Mapped[str] = mapped_column(sa.String(200))
    tariff_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tariff_versions.id"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit: Mapped[str] = mapped_column(sa.String(20))
    rate: Mapped[Decimal] = mapped_column(RATE)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    covers_from: Mapped[date | None]
    covers_to: Mapped[date | None]
    split: Mapped[str | None] = mapped_column(sa.String(20))       # "by readings" / "by days" when prorated
    readings: Mapped[list | None] = mapped_column(sa.JSON)         # register, previous/current value and type
    explanation: Mapped[str] = mapped_column(sa.String(500))

    bill: Mapped[Bill] = relationship(back_populates="lines")


class BillDocument(db.Model):
    """The rendered invoice: written once with its SHA-256, never rewritten."""

    __tablename__ = "bill_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"), unique=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class InvoiceCounter(db.Model):
    """The last number issued per series and year: incremented under a row lock, so gapless."""

    __tablename__ = "invoice_counters"
    __table_args__ = (sa.PrimaryKeyConstraint("series", "year"),)

    series: Mapped[str] = mapped_column(sa.String(10))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class MiscChargeType(db.Model):
    __tablename__ = "misc_charge_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True, info={"pattern": IDENTIFIER})
    name: Mapped[str] = mapped_column(sa.String(100))
    default_amount: Mapped[Decimal | None] = mapped_column(MONEY, info={"min": 0})
    taxable: Mapped[bool] = mapped_column(default=False)

    def __str__(self) -> str:
        return self.name


@business_object("misc_charge", "misc charge")
class MiscCharge(db.Model):
    """A charge outside the tariff (reconnection fee, meter test fee) waiting for the contract's next bill."""

    __tablename__ = "misc_charges"
    __table_args__ = (rule("amount <> 0", "amount_not_zero", "amount", "must not be zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    charge_type_id: Mapped[int] = mapped_column(sa.ForeignKey("misc_charge_types.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(sa.String(500))
    by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    bill_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bills.id"), index=True)   # set when billed

    charge_type: Mapped[MiscChargeType] = relationship()
