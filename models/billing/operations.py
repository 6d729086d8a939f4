"""Bills from priced inputs: record, hold, issue (numbered, dated), cancel by credit note.

An issued bill never changes again: `guard_issued_bills` refuses any update to an issued bill's amounts,
lines or document at flush, whoever tries (an operation, the admin, a script). The only move left to it
is its cancellation, which a credit note carries.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from models.billing.entities import Bill, BillDocument, BillKind, BillLine, BillStatus
from models.billing.numbering import next_invoice_number
from models.billing.pricing import PricedBill
from models.billing.queries import open_exceptions
from models.calendar import first_working_day
from models.clock import today
from models.errors import DomainError
from models.statuses import begin_status, check_move, move_status
from models.types import add_months

INVOICE_SERIES, CREDIT_SERIES = "INV", "CN"
PAYMENT_DAY = 20            # PLN's postpaid bills fall due on the 20th
MIN_PAYMENT_DAYS = 10       # a bill issued late still leaves the customer this many days
# What an issued bill may still change: its cancellation.
_CANCELLATION = {"status", "cancel_reason"}
_FINAL = (BillStatus.ISSUED, BillStatus.CANCELLED)


ISSUED_KEY = "cms.issued_bills"


def note_issued(session: Session, bill_ids: Iterable[int]) -> None:
    """Remember the bills this transaction issues: once it commits, their documents are queued
    (workflows/billing_documents.py), wherever they were issued (a run, a release, a credit note)."""
    session.info.setdefault(ISSUED_KEY, []).extend(bill_ids)


def record_bill(session: Session, contract, priced: PricedBill, *, period: date, run_id: int | None = None,
                hold_reasons: Iterable[str] = (), rebill_of: Bill | None = None) -> Bill:
    """A draft bill (held when a plausibility check gave reasons) with the priced lines, as priced."""
    version = contract.version_on(priced.period_end - timedelta(days=1)) or contract.versions[-1]
    bill = Bill(contract_id=contract.id, service_point_id=contract.service_point_id, account_id=contract.account_id,
                run_id=run_id, period=period, period_start=priced.period_start, period_end=priced.period_end,
                tariff_code=version.tariff.code, tariff_class=version.tariff.tariff_class,
                power_va=version.contracted_power_va, kwh=priced.kwh, jam_nyala=priced.jam_nyala,
                estimated=priced.estimated,
                subtotal=priced.subtotal, taxes=priced.taxes + priced.stamp_duty, total=priced.total,
                rebill_of_id=rebill_of.id if rebill_of else None)
    bill.lines = [BillLine(sequence=n, kind=line.kind.value, label=line.label, tariff_version_id=line.version_id,
                           quantity=line.quantity, unit=line.unit, rate=line.rate, amount=line.amount,
                           covers_from=line.covers_from, covers_to=line.covers_to, split=line.split,
                           readings=[r.as_json() for r in line.readings] or None,
                           explanation=line.explain()[:500])
                  for n, line in enumerate(priced.lines, start=1)]
    begin_status(session, bill, BillStatus.DRAFT)
    reasons = [r for r in hold_reasons if r]
    if reasons:
        hold_bill(session, bill, reasons)
    session.flush()
    return bill


def hold_bill(session: Session, bill: Bill, reasons: list[str]) -> None:
    bill.hold_reasons = list(reasons)
    move_status(session, bill, BillStatus.HELD, what=f"bill {bill}", note="; ".join(reasons))


def due_date(issued_on: date) -> date:
    """The 20th of the issue month, or of the next month when fewer than MIN_PAYMENT_DAYS would remain;
    moved to the next day when it is a public holiday (models.calendar)."""
    due = issued_on.replace(day=PAYMENT_DAY)
    return first_working_day(add_months(due, 1) if (due - issued_on).days < MIN_PAYMENT_DAYS else due)


def issue_bill(session: Session, bill: Bill, note: str | None = None) -> Bill:
    """Number, date and issue a draft or released held bill; from here on it is immutable."""
    check_move(bill.status, BillStatus.ISSUED, f"bill {bill}")
    issued_on = today()
    # Drawn first: drawing runs SQL, which flushes, and from the status move on the bill is sealed.
    number = next_invoice_number(session, CREDIT_SERIES if bill.kind is BillKind.CREDIT_NOTE else INVOICE_SERIES,
                                 issued_on.year)
    bill.number, bill.issued_on, bill.due_on = number, issued_on, due_date(issued_on)
    move_status(session, bill, BillStatus.ISSUED, what=f"bill {bill}", note=note)
    session.flush()
    note_issued(session, [bill.id])
    return bill


def cancel_bill(session: Session, bill: Bill, reason: str, by_process: int | None = None) -> Bill | None:
    """Cancel a bill: an issued one gets a credit note (its own number) reversing every line, returned;
    a draft or held one is discarded. A credit note, a bill already cancelled, or a held bill whose
    exception process is being worked (other than `by_process`, the one cancelling it) is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("give the reason for the cancellation", "reason")
    if bill.kind is BillKind.CREDIT_NOTE:
        raise DomainError(f"{bill} is a credit note: a credit note cannot be cancelled", "bill")
    if bill.status is BillStatus.CANCELLED:
        raise DomainError(f"bill {bill} is already cancelled", "bill")
    working = open_exceptions(session, [bill.id]).get(bill.id)
    if working is not None and working != by_process:
        raise DomainError(f"bill {bill} is being reviewed in bill exception process #{working}: "
                          "its task releases, recalculates or cancels it", "bill")
    was_issued = bill.status is BillStatus.ISSUED
    move_status(session, bill, BillStatus.CANCELLED, what=f"bill {bill}", note=reason)
    bill.cancel_reason = reason[:500]
    if not was_issued:
        session.flush()
        return None
    credit = Bill(kind=BillKind.CREDIT_NOTE, contract_id=bill.contract_id, service_point_id=bill.service_point_id,
                  account_id=bill.account_id, period=bill.period, period_start=bill.period_start,
                  period_end=bill.period_end, tariff_code=bill.tariff_code, tariff_class=bill.tariff_class,
                  power_va=bill.power_va, kwh=-bill.kwh, jam_nyala=bill.jam_nyala, subtotal=-bill.subtotal,
                  taxes=-bill.taxes, total=-bill.total, cancels_id=bill.id, cancel_reason=reason[:500])
    credit.lines = [BillLine(sequence=line.sequence, kind=line.kind, label=line.label,
                             tariff_version_id=line.tariff_version_id, quantity=-line.quantity, unit=line.unit,
                             rate=line.rate, amount=-line.amount, covers_from=line.covers_from,
                             covers_to=line.covers_to, split=line.split, readings=line.readings,
                             explanation=f"reversal: {line.explanation}"[:500])
                    for line in bill.lines]
    begin_status(session, credit, BillStatus.DRAFT)
    issue_bill(session, credit, note=f"credit note for {bill}")
    return credit


def _refuse_changes_to_issued(session: Session, flush_context, instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, Bill) and session.is_modified(obj):
            state = inspect(obj)
            was = state.attrs.status.history.deleted
            issued_before = (was[0] if was else obj.status) is BillStatus.ISSUED
            changed = {a.key for a in state.attrs if a.history.has_changes()}
            if issued_before and changed - _CANCELLATION:
                raise DomainError(f"bill {obj} is issued and cannot change ({', '.join(sorted(changed))}); "
                                  "cancel it and rebill", "bill")
        elif isinstance(obj, BillLine) and session.is_modified(obj) and obj.bill.status in _FINAL:
            raise DomainError(f"the lines of bill {obj.bill} are issued and cannot change", "bill")
        elif isinstance(obj, BillDocument) and session.is_modified(obj):
            raise DomainError("an invoice document is written once and never rewritten", "document")
    for obj in session.deleted:
        if isinstance(obj, Bill | BillLine | BillDocument):
            bill = obj if isinstance(obj, Bill) else getattr(obj, "bill", None)
            if isinstance(obj, BillDocument) or (bill is not None and bill.status in _FINAL):
                raise DomainError("issued bills, their lines and documents are never deleted", "bill")


def guard_issued_bills(session_class=Session) -> None:
    """Install the guard on every session (create_app does, as it installs the schema limits)."""
    if not event.contains(session_class, "before_flush", _refuse_changes_to_issued):
        event.listen(session_class, "before_flush", _refuse_changes_to_issued)
