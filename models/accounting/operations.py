"""Posting what is not yet posted (bills issued, credit notes, payments, reversals, write-offs), each exactly
once, into the open batch of its date; exporting a batch (frozen from then on); the trial balance.

Signs: a bill's lines credit revenue and taxes and its total debits receivables; a negative amount (a credit
note, a correction line) goes to the other side, so a credit note reverses its bill line for line.
"""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, selectinload

from models.accounting.chart import seed_default_chart
from models.accounting.entities import (
    BatchStatus,
    JournalBatch,
    JournalEntry,
    JournalEvent,
    JournalLine,
    LedgerAccount,
    PostingRule,
    RuleKind,
    SourceType,
)
from models.audit.recorder import acting_name
from models.billing.entities import Bill, BillKind, BillStatus
from models.clock import local_day, now_utc, today
from models.collection.entities import Payment, PaymentStatus, WriteOff
from models.csv_cells import csv_cell
from models.customers.entities import Account
from models.errors import DomainError
from models.statuses import move_status

ZERO = Decimal(0)
MISC_KIND = "misc_charge"
TAX_KINDS = ("tax", "stamp_duty")


class _Rules:
    """The posting rules, loaded once per sweep; a missing one is a refusal that names it."""

    def __init__(self, session: Session):
        self.by_key = {(r.kind, r.key): r.account_id for r in session.scalars(sa.select(PostingRule))}

    def account(self, kind: RuleKind, *keys: str, what: str) -> int:
        for key in keys:
            if (kind, key) in self.by_key:
                return self.by_key[kind, key]
        raise DomainError(f"no posting rule for {kind.value} {keys[0]!r} ({what}): add it in the admin's "
                          "posting rules, then post again", "posting_rule")


@dataclass
class Posted:
    entries: int = 0
    by_event: dict[str, int] = field(default_factory=dict)


class _Poster:
    def __init__(self, session: Session):
        self.session = session
        self.rules = _Rules(session)
        self.batches: dict[date, JournalBatch] = {}
        self.posted = Posted()

    def batch_for(self, day: date) -> JournalBatch:
        """The open batch of `day`, or of the first later day whose batch is not exported."""
        if day in self.batches:
            return self.batches[day]
        frozen = set(self.session.scalars(sa.select(JournalBatch.posting_date).where(
            JournalBatch.posting_date >= day, JournalBatch.status == BatchStatus.EXPORTED)))
        target = day
        while target in frozen:
            target += timedelta(days=1)
        batch = self.session.scalar(sa.select(JournalBatch).where(JournalBatch.posting_date == target))
        if batch is None:
            batch = JournalBatch(posting_date=target)
            self.session.add(batch)
        self.batches[day] = batch
        return batch

    def entry(self, source_type: SourceType, source_id: int, event: JournalEvent, on: date, reference: str,
              description: str, customer_id: int | None, amounts: list[tuple[int, Decimal]]) -> None:
        """`amounts`: (account, signed amount: + debit, - credit); they must sum to zero."""
        net: dict[int, Decimal] = defaultdict(Decimal)
        for account_id, amount in amounts:
            net[account_id] += amount
        if sum(net.values(), ZERO) != 0:
            raise DomainError(f"{event.value} {reference} does not balance", "journal")
        entry = JournalEntry(batch=self.batch_for(on), source_type=source_type, source_id=source_id, event=event,
                             event_on=on, reference=reference[:80], description=description[:200],
                             customer_id=customer_id)
        entry.lines = [JournalLine(account_id=a, debit=max(v, ZERO), credit=max(-v, ZERO))
                       for a, v in net.items() if v != 0]
        self.session.add(entry)
        self.posted.entries += 1
        self.posted.by_event[event.value] = self.posted.by_event.get(event.value, 0) + 1

    def bill(self, bill: Bill, customer_id: int) -> None:
        what = f"bill {bill.number}"
        receivables = self.rules.account(RuleKind.RECEIVABLES, "*", what=what)
        amounts = [(receivables, bill.total)]
        for line in bill.lines:
            if line.kind in TAX_KINDS:
                account = self.rules.account(RuleKind.TAX, line.label, line.kind, what=what)
            elif line.kind == MISC_KIND:
                account = self.rules.account(RuleKind.MISC, line.label, "*", what=what)
            else:
                account = self.rules.account(RuleKind.REVENUE, bill.tariff_class, what=what)
            amounts.append((account, -line.amount))
        rest = bill.total - sum((line.amount for line in bill.lines), ZERO)
        if rest:
            amounts.append((self.rules.account(RuleKind.ROUNDING, "*", what=what), -rest))
        credit = bill.kind is BillKind.CREDIT_NOTE
        self.entry(SourceType.BILL, bill.id, JournalEvent.CREDIT_NOTE if credit else JournalEvent.INVOICE,
                   bill.issued_on, bill.number, f"{'credit note' if credit else 'invoice'} {bill.number} "
                   f"{bill.tariff_code}", customer_id, amounts)

    def payment(self, payment: Payment, event: JournalEvent) -> None:
        what = f"payment {payment.reference}"
        receivables = self.rules.account(RuleKind.RECEIVABLES, "*", what=what)
        cash = self.rules.account(RuleKind.CASH, payment.channel.value, what=what)
        sign = 1 if event is JournalEvent.PAYMENT else -1
        on = payment.paid_on if event is JournalEvent.PAYMENT else local_day(payment.reversed_at)
        self.entry(SourceType.PAYMENT, payment.id, event, on, payment.reference,
                   f"{event.value} {payment.channel.value} {payment.reference}", payment.customer_id,
                   [(cash, sign * payment.amount), (receivables, -sign * payment.amount)])

    def write_off(self, write_off: WriteOff, bill_number: str, customer_id: int, event: JournalEvent,
                  on: date) -> None:
        what = f"write-off of bill {bill_number}"
        receivables = self.rules.account(RuleKind.RECEIVABLES, "*", what=what)
        expense = self.rules.account(RuleKind.WRITE_OFF, "*", what=what)
        sign = 1 if event is JournalEvent.WRITE_OFF else -1
        label = "write-off" if sign == 1 else "write-off void (bill cancelled)"
        self.entry(SourceType.WRITE_OFF, write_off.id, event, on, bill_number,
                   f"{label} {bill_number}: {write_off.reason}", customer_id,
                   [(expense, sign * write_off.amount), (receivables, -sign * write_off.amount)])


def _unposted(source_type: SourceType, event: JournalEvent, source_id):
    return ~sa.exists().where(JournalEntry.source_type == source_type, JournalEntry.event == event,
                              JournalEntry.source_id == source_id)


def post_unposted(session: Session, chunk: int = 2000) -> Posted:
    """Post every source event not yet in the journal; running it again posts nothing new."""
    seed_default_chart(session)
    poster = _Poster(session)
    for kind, event in ((BillKind.INVOICE, JournalEvent.INVOICE), (BillKind.CREDIT_NOTE, JournalEvent.CREDIT_NOTE)):
        query = (sa.select(Bill, Account.customer_id).join(Account, Account.id == Bill.account_id)
                 .where(Bill.kind == kind, Bill.number.is_not(None), Bill.issued_on.is_not(None),
                        _unposted(SourceType.BILL, event, Bill.id))
                 .order_by(Bill.issued_on, Bill.id).options(selectinload(Bill.lines)))
        for bill, customer_id in session.execute(query.execution_options(yield_per=chunk)):
            poster.bill(bill, customer_id)
    session.flush()
    for event, condition in ((JournalEvent.PAYMENT, sa.true()),
                             (JournalEvent.REVERSAL, Payment.status == PaymentStatus.REVERSED)):
        query = (sa.select(Payment).where(condition, _unposted(SourceType.PAYMENT, event, Payment.id))
                 .order_by(Payment.id))
        for payment in session.scalars(query.execution_options(yield_per=chunk)):
            poster.payment(payment, event)
        session.flush()
    credit_note = aliased(Bill)
    for event, condition in ((JournalEvent.WRITE_OFF, sa.true()),
                             (JournalEvent.WRITE_OFF_VOID, Bill.status == BillStatus.CANCELLED)):
        query = (sa.select(WriteOff, Bill.number, Account.customer_id, credit_note.issued_on)
                 .join(Bill, Bill.id == WriteOff.bill_id).join(Account, Account.id == Bill.account_id)
                 .outerjoin(credit_note, credit_note.cancels_id == Bill.id)
                 .where(condition, _unposted(SourceType.WRITE_OFF, event, WriteOff.id)).order_by(WriteOff.id))
        for write_off, number, customer_id, cancelled_on in session.execute(query):
            on = write_off.written_off_on if event is JournalEvent.WRITE_OFF else cancelled_on or today()
            poster.write_off(write_off, number or str(write_off.bill_id), customer_id, event, on)
        session.flush()
    return poster.posted


# ------------------------------------------------------------------ export

EXPORT_COLUMNS = ("batch_date", "entry_id", "event", "source_type", "source_id", "event_on", "reference",
                  "account", "account_name", "debit", "credit", "description")


def batch_rows(session: Session, batch: JournalBatch) -> list[dict]:
    query = (sa.select(JournalEntry, JournalLine, LedgerAccount)
             .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
             .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
             .where(JournalEntry.batch_id == batch.id).order_by(JournalEntry.id, JournalLine.id))
    return [{"batch_date": batch.posting_date.isoformat(), "entry_id": e.id, "event": e.event.value,
             "source_type": e.source_type.value, "source_id": e.source_id, "event_on": e.event_on.isoformat(),
             "reference": e.reference, "account": a.code, "account_name": a.name,
             "debit": f"{line.debit:.2f}", "credit": f"{line.credit:.2f}", "description": e.description}
            for e, line, a in session.execute(query)]


def export_batch(session: Session, day: date, fmt: str = "csv") -> bytes:
    """The batch of `day` as CSV or JSON; exporting freezes it (later postings go to the next batch). The file
    is rendered once, on the first export, so exporting again gives the same bytes."""
    if fmt not in ("csv", "json"):
        raise DomainError("must be csv or json", "format")
    seed_default_chart(session)
    batch = session.scalar(sa.select(JournalBatch).where(JournalBatch.posting_date == day))
    if batch is None:       # an empty day still gets its (empty) file, and nothing may join it later
        batch = JournalBatch(posting_date=day)
        session.add(batch)
    if batch.status is BatchStatus.OPEN:
        # Through the one status writer (its transition check); the batch's own columns say who and when.
        move_status(session, batch, BatchStatus.EXPORTED, what=f"journal batch {day.isoformat()}", record=False)
        batch.exported_at = now_utc()
        batch.exported_by = acting_name()
        session.flush()
        rows = batch_rows(session, batch)
        batch.csv_file, batch.json_file = _csv(rows), _json(day, rows)
        session.flush()
    return batch.csv_file if fmt == "csv" else batch.json_file


def _json(day: date, rows: list[dict]) -> bytes:
    debit = sum((Decimal(r["debit"]) for r in rows), ZERO)
    credit = sum((Decimal(r["credit"]) for r in rows), ZERO)
    doc = {"posting_date": day.isoformat(), "debit": f"{debit:.2f}", "credit": f"{credit:.2f}", "lines": rows}
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows)
    return out.getvalue().encode()
