"""The statement of account: every issued bill, credit note, payment, reversal and write-off of a customer with a
running balance (what they owe after each; negative is credit), and its PDF and CSV; and a payment's receipt.

Its closing balance equals the customer's debt less their credit (models.collection.queries.customer_debt).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from models.billing.entities import Bill, BillKind
from models.collection.entities import Payment, PaymentStatus, WriteOff
from models.customers.entities import Account, Customer

ZERO = Decimal(0)


@dataclass(frozen=True)
class StatementRow:
    on: date
    kind: str             # invoice, credit note, payment, reversal, write-off
    reference: str
    text: str
    debit: Decimal        # raises what is owed
    credit: Decimal       # lowers it
    balance: Decimal = ZERO


def statement_rows(session: Session, customer: Customer, since: date | None = None,
                   until: date | None = None) -> tuple[Decimal, list[StatementRow]]:
    """(opening balance, rows oldest first) for the days [since, until]; all of them when not given."""
    accounts = sa.select(Account.id).where(Account.customer_id == customer.id)
    rows: list[StatementRow] = []
    for bill in session.scalars(sa.select(Bill).where(Bill.account_id.in_(accounts), Bill.number.is_not(None))):
        if bill.kind is BillKind.INVOICE:
            rows.append(StatementRow(bill.issued_on, "invoice", bill.number, f"{bill.period:%Y-%m} {bill.tariff_code}",
                                     bill.total, ZERO))
        else:       # a credit note's total is negative: it lowers what is owed
            rows.append(StatementRow(bill.issued_on, "credit note", bill.number,
                                     f"cancels {bill.cancels.number if bill.cancels else ''}", ZERO, -bill.total))
    for payment in session.scalars(sa.select(Payment).where(Payment.customer_id == customer.id)):
        rows.append(StatementRow(payment.paid_on, "payment", payment.reference,
                                 f"{payment.channel.value.replace('_', ' ')}, {payment.method.value}", ZERO,
                                 payment.amount))
        if payment.status is PaymentStatus.REVERSED:
            rows.append(StatementRow(payment.reversed_at.date(), "reversal", payment.reference,
                                     payment.reversal_reason or "", payment.amount, ZERO))
    for write_off in session.scalars(sa.select(WriteOff).join(Bill, Bill.id == WriteOff.bill_id)
                                     .where(Bill.account_id.in_(accounts))):
        rows.append(StatementRow(write_off.written_off_on, "write-off", write_off.bill.number or "", write_off.reason,
                                 ZERO, write_off.amount))
    order = {"invoice": 0, "credit note": 1, "reversal": 2, "payment": 3, "write-off": 4}
    rows.sort(key=lambda r: (r.on, order[r.kind], r.reference))
    opening, out, balance = ZERO, [], ZERO
    for row in rows:
        balance += row.debit - row.credit
        if since and row.on < since:
            opening = balance
            continue
        if until and row.on > until:
            break
        out.append(StatementRow(row.on, row.kind, row.reference, row.text, row.debit, row.credit, balance))
    return opening, out


CSV_COLUMNS = ["date", "kind", "reference", "text", "debit", "credit", "balance"]


def statement_csv_rows(rows: list[StatementRow]):
    for r in rows:
        yield {"date": r.on.isoformat(), "kind": r.kind, "reference": r.reference, "text": r.text,
               "debit": f"{r.debit:.2f}", "credit": f"{r.credit:.2f}", "balance": f"{r.balance:.2f}"}


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def render_statement(customer: Customer, opening: Decimal, rows: list[StatementRow], as_of: date,
                     utility_name: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Statement of account {customer.name}", author=utility_name,
                            invariant=1)
    styles = getSampleStyleSheet()
    closing = rows[-1].balance if rows else opening
    table = [["Date", "Kind", "Reference", "Debit", "Credit", "Balance"],
             ["", "opening balance", "", "", "", _money(opening)]]
    table += [[r.on.isoformat(), r.kind, r.reference, _money(r.debit) if r.debit else "",
               _money(r.credit) if r.credit else "", _money(r.balance)] for r in rows]
    grid = Table(table, repeatRows=1, colWidths=[62, 70, 120, 80, 80, 85])
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 8),
                              ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                              ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey)]))
    story = [Paragraph(utility_name, styles["Title"]),
             Paragraph(f"Statement of account: {customer.name} (customer {customer.id}), as of {as_of.isoformat()}",
                       styles["Heading2"]), Spacer(1, 8), grid, Spacer(1, 10),
             Paragraph(f"Closing balance: Rp {_money(closing)}" + (" (credit)" if closing < 0 else ""),
                       styles["Heading3"])]
    doc.build(story)
    return buffer.getvalue()


def render_receipt(payment: Payment, allocations: list[tuple[str, Decimal, Decimal]], utility_name: str) -> bytes:
    """A payment's receipt: who paid what, when, how, and which bills it paid (number, amount, still owed)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=(226, 600), leftMargin=12, rightMargin=12, topMargin=12,
                            bottomMargin=12, title=f"Receipt {payment.reference}", author=utility_name, invariant=1)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    lines = [["Bill", "Paid", "Still owed"]] + [[n, _money(a), _money(b)] for n, a, b in allocations]
    grid = Table(lines, colWidths=[90, 56, 56])
    grid.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 7.5), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                              ("FONT", (0, 0), (-1, 0), "Helvetica-Bold")]))
    left = payment.amount - sum((a for _, a, _ in allocations), ZERO)
    story = [Paragraph(utility_name, styles["Heading3"]), Paragraph(f"Receipt {payment.reference}", styles["Heading4"]),
             Paragraph(f"{payment.paid_on.isoformat()} · {payment.channel.value.replace('_', ' ')} · "
                       f"{payment.method.value}", small),
             Paragraph(f"Customer: {payment.customer.name}", small), Spacer(1, 4),
             Paragraph(f"Amount received: Rp {_money(payment.amount)}", styles["Heading4"]), grid, Spacer(1, 4)]
    if left > 0:
        story.append(Paragraph(f"Kept as credit for the next bill: Rp {_money(left)}", small))
    if payment.status is PaymentStatus.REVERSED:
        story.append(Paragraph(f"REVERSED: {payment.reversal_reason}", small))
    story.append(Paragraph(f"Cashier: {payment.by}", small))
    doc.build(story)
    return buffer.getvalue()
