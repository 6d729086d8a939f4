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
from json.encoder import encode_basestring

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

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
from models.audit.recorder import acting_name, record_bulk
from models.base import chunks, insert_rows, new_ids
from models.billing.entities import Bill, BillKind, BillLine, BillStatus
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
    """Collects the entries and lines of a sweep as plain rows and writes them in bulk (`write`): a day's
    batch of a million postings goes in through COPY on PostgreSQL, not a million ORM objects."""

    def __init__(self, session: Session):
        self.session = session
        self.rules = _Rules(session)
        self.batches: dict[date, int] = {}
        self.posted = Posted()
        self.entries: list[dict] = []
        self.lines: list[list[tuple[int, Decimal, Decimal]]] = []
        self.written = 0

    def batch_for(self, day: date) -> int:
        """The id of the open batch of `day`, or of the first later day whose batch is not exported."""
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
            self.session.flush()
        self.batches[day] = batch.id
        return batch.id

    def entry(self, source_type: SourceType, source_id: int, event: JournalEvent, on: date, reference: str,
              description: str, customer_id: int | None, amounts: list[tuple[int, Decimal]]) -> None:
        """`amounts`: (account, signed amount: + debit, - credit); they must sum to zero."""
        net: dict[int, Decimal] = defaultdict(Decimal)
        for account_id, amount in amounts:
            net[account_id] += amount
        if sum(net.values(), ZERO) != 0:
            raise DomainError(f"{event.value} {reference} does not balance", "journal")
        self.entries.append({"batch_id": self.batch_for(on), "source_type": source_type, "source_id": source_id,
                             "event": event, "event_on": on, "reference": reference[:80],
                             "description": description[:200], "customer_id": customer_id})
        self.lines.append([(a, max(v, ZERO), max(-v, ZERO)) for a, v in net.items() if v != 0])
        self.posted.entries += 1
        self.posted.by_event[event.value] = self.posted.by_event.get(event.value, 0) + 1

    def write(self) -> None:
        """Insert the collected entries (ids reserved first, so that their lines can name them) and lines."""
        if not self.entries:
            return
        ids = new_ids(self.session, JournalEntry.__table__, len(self.entries))
        for entry, entry_id in zip(self.entries, ids, strict=True):
            entry["id"] = entry_id
        lines = [{"entry_id": entry_id, "account_id": a, "debit": debit, "credit": credit}
                 for entry_id, made in zip(ids, self.lines, strict=True) for a, debit, credit in made]
        created = {"created_at": now_utc()}
        insert_rows(self.session, JournalEntry.__table__, self.entries, created)
        insert_rows(self.session, JournalLine.__table__, lines)
        self.written += len(self.entries)
        self.entries, self.lines = [], []

    def bill(self, bill, lines, customer_id: int) -> None:
        what = f"bill {bill.number}"
        receivables = self.rules.account(RuleKind.RECEIVABLES, "*", what=what)
        amounts = [(receivables, bill.total)]
        for kind, label, amount in lines:
            if kind in TAX_KINDS:
                account = self.rules.account(RuleKind.TAX, label, kind, what=what)
            elif kind == MISC_KIND:
                account = self.rules.account(RuleKind.MISC, label, "*", what=what)
            else:
                account = self.rules.account(RuleKind.REVENUE, bill.tariff_class, what=what)
            amounts.append((account, -amount))
        rest = bill.total - sum((amount for _, _, amount in lines), ZERO)
        if rest:
            amounts.append((self.rules.account(RuleKind.ROUNDING, "*", what=what), -rest))
        credit = bill.kind is BillKind.CREDIT_NOTE
        self.entry(SourceType.BILL, bill.id, JournalEvent.CREDIT_NOTE if credit else JournalEvent.INVOICE,
                   bill.issued_on, bill.number, f"{'credit note' if credit else 'invoice'} {bill.number} "
                   f"{bill.tariff_code}", customer_id, amounts)

    def payment(self, payment, event: JournalEvent) -> None:
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


def post_unposted(session: Session, chunk: int = 5000) -> Posted:
    """Post every source event not yet in the journal; running it again posts nothing new. Reads plain columns
    in chunks of ids and writes each chunk's entries in bulk (one audit event per table and sweep)."""
    seed_default_chart(session)
    poster = _Poster(session)
    for kind, event in ((BillKind.INVOICE, JournalEvent.INVOICE), (BillKind.CREDIT_NOTE, JournalEvent.CREDIT_NOTE)):
        ids = list(session.scalars(sa.select(Bill.id).where(
            Bill.kind == kind, Bill.number.is_not(None), Bill.issued_on.is_not(None),
            _unposted(SourceType.BILL, event, Bill.id)).order_by(Bill.issued_on, Bill.id)))
        for part in chunks(ids, chunk):
            rows = {r.id: r for r in session.execute(
                sa.select(Bill.id, Bill.number, Bill.kind, Bill.total, Bill.issued_on, Bill.tariff_class,
                          Bill.tariff_code, Account.customer_id).join(Account, Account.id == Bill.account_id)
                .where(Bill.id.in_(part)))}
            lines = defaultdict(list)
            for bill_id, line_kind, label, amount in session.execute(
                    sa.select(BillLine.bill_id, BillLine.kind, BillLine.label, BillLine.amount)
                    .where(BillLine.bill_id.in_(part)).order_by(BillLine.bill_id, BillLine.sequence)):
                lines[bill_id].append((line_kind, label, amount))
            for bill_id in part:
                poster.bill(rows[bill_id], lines[bill_id], rows[bill_id].customer_id)
            poster.write()
    for event, condition in ((JournalEvent.PAYMENT, sa.true()),
                             (JournalEvent.REVERSAL, Payment.status == PaymentStatus.REVERSED)):
        ids = list(session.scalars(sa.select(Payment.id).where(
            condition, _unposted(SourceType.PAYMENT, event, Payment.id)).order_by(Payment.id)))
        for part in chunks(ids, chunk):
            for payment in session.execute(
                    sa.select(Payment.id, Payment.reference, Payment.channel, Payment.amount, Payment.paid_on,
                              Payment.reversed_at, Payment.customer_id).where(Payment.id.in_(part))
                    .order_by(Payment.id)):
                poster.payment(payment, event)
            poster.write()
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
        poster.write()
    if poster.written:
        record_bulk(session, "journal_entry", {"entries": poster.written, **poster.posted.by_event})
    return poster.posted


# ------------------------------------------------------------------ export

EXPORT_COLUMNS = ("batch_date", "entry_id", "event", "source_type", "source_id", "event_on", "reference",
                  "account", "account_name", "debit", "credit", "description")


def batch_rows(session: Session, batch: JournalBatch) -> list[dict]:
    return [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in _batch_tuples(session, batch)]


def _batch_tuples(session: Session, batch: JournalBatch) -> list[tuple]:
    """The batch's postings in EXPORT_COLUMNS order, entry by entry (plain columns: a million in seconds)."""
    accounts = {a.id: (a.code, a.name) for a in session.scalars(sa.select(LedgerAccount))}
    query = (sa.select(JournalEntry.id, JournalEntry.event, JournalEntry.source_type, JournalEntry.source_id,
                       JournalEntry.event_on, JournalEntry.reference, JournalEntry.description,
                       JournalLine.account_id, JournalLine.debit, JournalLine.credit)
             .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
             .where(JournalEntry.batch_id == batch.id).order_by(JournalEntry.id, JournalLine.id))
    day, days = batch.posting_date.isoformat(), {}
    return [(day, entry_id, event.value, source.value, source_id,
             days.get(on) or days.setdefault(on, on.isoformat()), reference, *accounts[account_id],
             f"{debit:.2f}", f"{credit:.2f}", description)
            for entry_id, event, source, source_id, on, reference, description, account_id, debit, credit
            in session.execute(query)]


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
        rows = _batch_tuples(session, batch)
        batch.csv_file, batch.json_file = _csv(rows), _json(day, rows)
        session.flush()
    return batch.csv_file if fmt == "csv" else batch.json_file


def _json(day: date, rows: list[tuple]) -> bytes:
    """The batch as one JSON document, a line per posting (each line's object on its own line)."""
    debit = sum((Decimal(r[9]) for r in rows), ZERO)
    credit = sum((Decimal(r[10]) for r in rows), ZERO)
    head = json.dumps({"posting_date": day.isoformat(), "debit": f"{debit:.2f}", "credit": f"{credit:.2f}"},
                      ensure_ascii=False)
    text = encode_basestring       # a JSON string literal (C)
    keys = [text(c) for c in EXPORT_COLUMNS]
    template = "{" + ", ".join(f"{k}: %s" for k in keys) + "}"
    lines = ",\n".join(template % (text(r[0]), r[1], text(r[2]), text(r[3]), r[4], text(r[5]), text(r[6]),
                                   text(r[7]), text(r[8]), text(r[9]), text(r[10]), text(r[11])) for r in rows)
    body = f"[\n{lines}\n]" if rows else "[]"
    return f'{head[:-1]}, "lines": {body}}}\n'.encode()


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv(rows: list[tuple]) -> bytes:
    """The CSV; only the free-text cells (reference, account name, description) can start like a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(r if not (r[6].startswith(_FORMULA) or r[8].startswith(_FORMULA) or r[11].startswith(_FORMULA))
                     else (*r[:6], csv_cell(r[6]), r[7], csv_cell(r[8]), r[9], r[10], csv_cell(r[11])) for r in rows)
    return out.getvalue().encode()
