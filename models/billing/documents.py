"""Invoice documents: the one-page A4 PDF of an issued bill or credit note, stored once with its SHA-256.

`render_invoice` is pure (an `InvoiceData` in, PDF bytes out, no database) and deterministic: the same
data gives the same bytes, so a document can be re-rendered to check it. It draws on the reportlab
canvas directly (no platypus, no image files, the built-in Helvetica) because a billing period renders
a million of them. `invoice_data` gathers what the document shows from the database; `store_document`
writes the document once, and the guard in operations.py refuses any later change to it.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import segno
import sqlalchemy as sa
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from models.billing.entities import Bill, BillDocument, BillKind, BillStatus
from models.billing.pricing import number, rupiah
from models.billing.queries import HISTORY_MONTHS, usage_histories
from models.clock import now_utc
from models.errors import DomainError
from models.types import add_months

DEFAULT_UTILITY_NAME = "PT Watt Distribusi"
DEFAULT_UTILITY_ADDRESS = "Jl. Gatot Subroto Kav. 18, Jakarta 12950"
# Compressed streams stay binary: reportlab's default ASCII85 layer over them is a pure-Python pass that
# cost a tenth of each page and made the file a quarter larger, for 7-bit-clean output nobody needs.
rl_config.useA85 = 0


@dataclass(frozen=True)
class Utility:
    """The issuer printed in the header (the application's configuration, passed in by the caller)."""

    name: str = DEFAULT_UTILITY_NAME
    address: str = DEFAULT_UTILITY_ADDRESS


@dataclass(frozen=True)
class ReadingRow:
    register: str
    meter: str | None
    previous: Decimal
    previous_type: str
    current: Decimal
    current_type: str
    multiplier: Decimal
    consumption: Decimal


@dataclass(frozen=True)
class LineRow:
    label: str
    explanation: str
    amount: Decimal


@dataclass(frozen=True)
class InvoiceData:
    """Everything the document shows, and nothing it has to look up."""

    number: str
    credit_note: bool
    issued_on: date
    due_on: date | None
    period: date                        # the month's first day
    period_start: date
    period_end: date                    # exclusive
    customer_name: str
    billing_address: str
    account_no: str
    customer_no: str                    # ID Pelanggan
    spn: str
    service_address: str
    tariff_code: str
    power_va: int
    kwh: Decimal
    jam_nyala: Decimal
    readings: tuple[ReadingRow, ...]
    lines: tuple[LineRow, ...]
    subtotal: Decimal
    taxes: Decimal                      # the tax lines (PPJ), without stamp duty
    stamp_duty: Decimal
    total: Decimal
    payment_reference: str | None       # None on a credit note: nothing to pay
    history: tuple[tuple[date, Decimal], ...] = ()   # (period, kWh) oldest first, this period last
    cancels_number: str | None = None
    cancel_reason: str | None = None
    utility: Utility = Utility()


# --- the payment reference -------------------------------------------------------------------------

def _luhn_digit(digits: str) -> str:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str(-total % 10)


def payment_reference(invoice_number: str) -> str:
    """Digits a bank channel or the cashier's scanner takes: year, serial and a Luhn check digit
    ("INV-2026-0000001" -> "202600000017"), so that a mistyped reference is caught, not misapplied."""
    digits = "".join(ch for ch in invoice_number if ch.isdigit())
    return digits + _luhn_digit(digits)


def invoice_number_from_reference(reference: str, series: str = "INV") -> str | None:
    """The invoice number a payment reference stands for, or None when its check digit is wrong."""
    reference = reference.strip()
    if len(reference) < 6 or not reference.isdigit() or _luhn_digit(reference[:-1]) != reference[-1]:
        return None
    return f"{series}-{reference[:4]}-{reference[4:-1]}"


# --- gathering the data -----------------------------------------------------------------------------

def _months_back(period: date, months: int) -> date:
    return add_months(period.replace(day=1), -months)


def _reading_rows(lines) -> tuple[ReadingRow, ...]:
    """Each reading pair once, though a split line or a tax on it may carry the same pair again."""
    rows, seen = [], set()
    for line in lines:
        for r in line.readings or ():
            key = (r.get("meter"), r["register"], r["previous_on"], r["current_on"])
            if key in seen:
                continue
            seen.add(key)
            previous, current, multiplier = Decimal(r["previous"]), Decimal(r["current"]), Decimal(r["multiplier"])
            # A maximum-demand register's reading stands alone; every other register counts the difference.
            used = current if line.kind == "demand" else current - previous
            rows.append(ReadingRow(r["register"], r.get("meter"), previous, r["previous_type"], current,
                                   r["current_type"], multiplier, used * multiplier))
    return tuple(rows)


def consumption_histories(session: Session, bills: Sequence[Bill]) -> dict[int, tuple[tuple[date, Decimal], ...]]:
    """Bill id -> (period, kWh) of the chart (models.billing.queries.usage_histories), one query for a batch."""
    return {bill_id: tuple((p.period, p.kwh) for p in points)
            for bill_id, points in usage_histories(session, list(bills)).items()}


def invoice_data(session: Session, bill: Bill, utility: Utility | None = None,
                 history: tuple[tuple[date, Decimal], ...] | None = None) -> InvoiceData:
    """What the bill's document shows; `history` when the caller has it (consumption_histories)."""
    account, service_point = bill.account, bill.service_point
    lines = bill.lines
    taxes = sum((line.amount for line in lines if line.kind == "tax"), Decimal(0))
    stamp_duty = sum((line.amount for line in lines if line.kind == "stamp_duty"), Decimal(0))
    credit_note = bill.kind is BillKind.CREDIT_NOTE
    if history is None:
        history = consumption_histories(session, [bill])[bill.id]
    return InvoiceData(
        number=bill.number or f"draft {bill.id}", credit_note=credit_note, issued_on=bill.issued_on or bill.period,
        due_on=bill.due_on, period=bill.period, period_start=bill.period_start, period_end=bill.period_end,
        customer_name=account.customer.name, billing_address=account.billing_address,
        account_no=account.account_no, customer_no=bill.contract.customer_no, spn=service_point.spn,
        service_address=str(service_point.property), tariff_code=bill.tariff_code, power_va=bill.power_va,
        kwh=bill.kwh, jam_nyala=bill.jam_nyala, readings=_reading_rows(lines),
        lines=tuple(LineRow(line.label, line.explanation, line.amount) for line in lines),
        subtotal=bill.subtotal, taxes=taxes, stamp_duty=stamp_duty, total=bill.total,
        payment_reference=None if credit_note or not bill.number else payment_reference(bill.number),
        history=history, cancels_number=bill.cancels.number if bill.cancels_id else None,
        cancel_reason=bill.cancel_reason, utility=utility or Utility())


def store_documents(session: Session, bills: Sequence[Bill], utility: Utility | None = None) -> list[BillDocument]:
    """The bills' documents in their order: a stored one as it is, a missing one rendered and stored (one
    flush for all). Only issued bills and credit notes get one: any other bill refuses the lot."""
    documents = {d.bill_id: d for d in session.scalars(
        sa.select(BillDocument).where(BillDocument.bill_id.in_([b.id for b in bills])))}
    missing = [b for b in bills if b.id not in documents]
    for bill in missing:
        if bill.status is not BillStatus.ISSUED or not bill.number:
            raise DomainError(f"bill {bill} is {bill.status.value}: only issued bills and credit notes have a "
                              "document", "bill")
    histories = consumption_histories(session, missing)
    for bill in missing:
        content = render_invoice(invoice_data(session, bill, utility, histories[bill.id]))
        documents[bill.id] = BillDocument(bill_id=bill.id, content=content,
                                          sha256=hashlib.sha256(content).hexdigest(), rendered_at=now_utc())
        session.add(documents[bill.id])
    if missing:
        session.flush()
    return [documents[b.id] for b in bills]


def store_document(session: Session, bill: Bill, utility: Utility | None = None) -> BillDocument:
    """The bill's document, rendered and stored on the first call; later calls return that same row."""
    return store_documents(session, [bill], utility)[0]


# --- drawing ----------------------------------------------------------------------------------------

WIDTH, HEIGHT = A4
LEFT, RIGHT = 40.0, WIDTH - 40.0
INK, GREY, LIGHT, ACCENT = (0.1, 0.1, 0.1), (0.42, 0.42, 0.42), (0.9, 0.92, 0.95), (0.05, 0.3, 0.55)
BAR = (0.62, 0.72, 0.84)
QR_MASK = 2
LINES_BOTTOM = 352.0          # the charges table ends above the totals box
ROW = 12.0


def _day(d: date | None) -> str:
    return f"{d.day} {d:%b %Y}" if d else "-"


def _fit(text: str, width: float, font: str, size: float) -> str:
    """The text cut (with an ellipsis) to fit the column: a long explanation must not run into the amount."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "...", font, size) > width:
        text = text[:-max(1, len(text) // 12)]
    return text + "..."


class _Page:
    """The canvas with the font and colour it has set, so a run of same-styled text sets neither again."""

    def __init__(self, c: Canvas):
        self.c = c
        self.font: tuple | None = None
        self.fill: tuple | None = None

    def colour(self, rgb) -> None:
        if rgb != self.fill:
            self.c.setFillColorRGB(*rgb)
            self.fill = rgb

    def text(self, x, y, text, size=8.5, font="Helvetica", colour=INK, align="left", width=None):
        c = self.c
        if (font, size) != self.font:
            c.setFont(font, size)
            self.font = (font, size)
        self.colour(colour)
        if width is not None:
            text = _fit(text, width, font, size)
        if align == "right":
            c.drawRightString(x, y, text)
        elif align == "centre":
            c.drawCentredString(x, y, text)
        else:
            c.drawString(x, y, text)

    def pair(self, x, y, label, value, value_x, bold=False, width=None):
        self.text(x, y, label, 8, colour=GREY)
        self.text(value_x, y, value, 8.5, "Helvetica-Bold" if bold else "Helvetica", width=width)

    def band(self, y, height, colour=LIGHT, x=LEFT, width=RIGHT - LEFT):
        self.colour(colour)
        self.c.rect(x, y, width, height, stroke=0, fill=1)

    def rule(self, y, x0=LEFT, x1=RIGHT):
        self.c.setStrokeColorRGB(*GREY)
        self.c.setLineWidth(0.4)
        self.c.line(x0, y, x1, y)


def _header(p: _Page, d: InvoiceData) -> None:
    p.band(HEIGHT - 92, 92, ACCENT, x=0, width=WIDTH)
    p.text(LEFT, HEIGHT - 44, d.utility.name, 17, "Helvetica-Bold", (1, 1, 1), width=300)
    p.text(LEFT, HEIGHT - 60, d.utility.address, 8.5, colour=(0.88, 0.92, 0.97), width=300)
    title = "CREDIT NOTE" if d.credit_note else "INVOICE"
    p.text(RIGHT, HEIGHT - 44, title, 17, "Helvetica-Bold", (1, 1, 1), "right")
    p.text(RIGHT, HEIGHT - 60, d.number, 10, "Helvetica-Bold", (1, 1, 1), "right")
    p.text(RIGHT, HEIGHT - 74, f"Issued {_day(d.issued_on)}", 8.5, colour=(0.88, 0.92, 0.97), align="right")


def _parties(p: _Page, d: InvoiceData, top: float) -> float:
    y = top
    p.text(LEFT, y, d.customer_name, 11, "Helvetica-Bold", width=270)
    p.text(LEFT, y - 13, d.billing_address, 8.5, width=270)
    rows = (("Account", d.account_no), ("ID Pelanggan", d.customer_no), ("SPN", d.spn),
            ("Supply address", d.service_address))
    for n, (label, value) in enumerate(rows):
        p.pair(LEFT, y - 32 - n * ROW, label, value, LEFT + 72, bold=label == "ID Pelanggan", width=200)
    x, vx = 330.0, 410.0
    last = d.period_end.toordinal() - 1
    rows = (("Tariff", d.tariff_code), ("Power", f"{d.power_va:,} VA"),
            ("Period", f"{d.period:%B %Y}"),
            ("Covers", f"{_day(d.period_start)} - {_day(date.fromordinal(last))}"),
            ("Consumption", f"{number(d.kwh)} kWh"), ("Jam nyala", f"{number(d.jam_nyala)} hours"))
    for n, (label, value) in enumerate(rows):
        p.pair(x, y - n * ROW, label, value, vx, width=RIGHT - vx)
    y -= 32 + 4 * ROW
    if d.credit_note:
        y -= 6
        p.band(y - 24, 28, (0.99, 0.93, 0.9))
        cancels = f"CREDIT NOTE cancelling invoice {d.cancels_number or '-'}"
        p.text(LEFT + 8, y - 8, cancels, 9, "Helvetica-Bold", (0.6, 0.15, 0.1))
        p.text(LEFT + 8, y - 19, f"Reason: {d.cancel_reason or '-'}", 8, width=RIGHT - LEFT - 16)
        y -= 30
    return y


_READING_COLS = ((LEFT + 4, "Meter / register", "left"), (235, "Previous", "right"), (241, "Type", "left"),
                 (355, "Current", "right"), (361, "Type", "left"), (460, "Multiplier", "right"),
                 (RIGHT - 4, "Consumption", "right"))


def _readings(p: _Page, d: InvoiceData, top: float) -> float:
    y = top - 14
    p.text(LEFT, y, "Meter readings", 9.5, "Helvetica-Bold", ACCENT)
    y -= 14
    p.band(y - 3, ROW)
    for x, title, align in _READING_COLS:
        p.text(x, y, title, 7.5, "Helvetica-Bold", GREY, align)
    if not d.readings:
        y -= ROW
        p.text(LEFT + 4, y, "No meter readings on this bill.", 8, colour=GREY)
    for r in d.readings[:6]:
        y -= ROW
        p.text(LEFT + 4, y, f"{r.meter + ' / ' if r.meter else ''}{r.register}", 8, width=130)
        p.text(235, y, number(r.previous), 8, align="right")
        p.text(241, y, r.previous_type, 7.5, colour=GREY, width=55)
        p.text(355, y, number(r.current), 8, align="right")
        p.text(361, y, r.current_type, 7.5, colour=GREY, width=55)
        p.text(460, y, f"x {number(r.multiplier)}", 8, align="right")
        p.text(RIGHT - 4, y, number(r.consumption), 8, "Helvetica-Bold", align="right")
    if len(d.readings) > 6:
        y -= ROW
        p.text(LEFT + 4, y, f"and {len(d.readings) - 6} more readings (see the bill page)", 7.5, colour=GREY)
    return y - 6


def _charges(p: _Page, d: InvoiceData, top: float) -> None:
    y = top - 14
    p.text(LEFT, y, "Charges", 9.5, "Helvetica-Bold", ACCENT)
    y -= 14
    p.band(y - 3, ROW)
    p.text(LEFT + 4, y, "Item", 7.5, "Helvetica-Bold", GREY)
    p.text(190, y, "Calculation", 7.5, "Helvetica-Bold", GREY)
    p.text(RIGHT - 4, y, "Amount", 7.5, "Helvetica-Bold", GREY, "right")
    room = max(1, int((y - LINES_BOTTOM) // ROW))
    shown = d.lines if len(d.lines) <= room else d.lines[:room - 1]
    for line in shown:
        y -= ROW
        p.text(LEFT + 4, y, line.label, 8, width=144)
        p.text(190, y, line.explanation, 8, width=RIGHT - 90 - 190)
        p.text(RIGHT - 4, y, rupiah(line.amount), 8, align="right")
    rest = d.lines[len(shown):]
    if rest:
        y -= ROW
        p.text(LEFT + 4, y, f"{len(rest)} more lines (itemised on the bill page)", 8, colour=GREY)
        p.text(RIGHT - 4, y, rupiah(sum((line.amount for line in rest), Decimal(0))), 8, align="right")
    p.rule(y - 5)


def _totals(p: _Page, d: InvoiceData) -> None:
    x, vx, y = 330.0, RIGHT - 8, LINES_BOTTOM - 16
    for label, value in (("Subtotal", d.subtotal), ("Taxes (PPJ)", d.taxes), ("Stamp duty", d.stamp_duty)):
        p.text(x + 8, y, label, 8.5, colour=GREY)
        p.text(vx, y, rupiah(value), 8.5, align="right")
        y -= ROW + 1
    p.band(y - 30, 34, ACCENT, x=x, width=RIGHT - x)
    p.text(x + 8, y - 10, "Credit to the account" if d.credit_note else "Total to pay", 9, "Helvetica-Bold",
           (1, 1, 1))
    p.text(vx, y - 12, rupiah(d.total), 14, "Helvetica-Bold", (1, 1, 1), "right")
    due = "Set against the account's open bills" if d.credit_note else f"Due date {_day(d.due_on)}"
    p.text(x + 8, y - 24, due, 8.5, "Helvetica-Bold", (1, 1, 1))
    if d.credit_note:
        return
    # On the left: how jam nyala reads, for the customer who asks what it means.
    p.text(LEFT, LINES_BOTTOM - 16, "Jam nyala", 8.5, "Helvetica-Bold")
    p.text(LEFT, LINES_BOTTOM - 28, f"{number(d.jam_nyala)} hours: the kWh used per kVA of contracted power", 8,
           colour=GREY)
    p.text(LEFT, LINES_BOTTOM - 40, f"({number(d.kwh)} kWh / {number(Decimal(d.power_va) / 1000)} kVA).", 8,
           colour=GREY)


def _qr(p: _Page, reference: str, x: float, y: float, size: float) -> None:
    """The reference as a QR code, one rectangle per dark run of a row, in module units.

    The mask is fixed: any mask decodes, and segno's search for the best one took a quarter of the
    time of a whole page. The path is written as PDF operators with integer coordinates under a
    scaling, which is several times faster than reportlab formatting each rectangle's floats."""
    matrix = segno.make_qr(reference, error="m", mask=QR_MASK).matrix
    modules = len(matrix)
    ops = []
    for row, bits in enumerate(matrix):
        top = modules - row - 1
        start = None
        for col, bit in enumerate(bytes(bits) + b"\0"):
            if bit and start is None:
                start = col
            elif not bit and start is not None:
                ops.append(f"{start} {top} {col - start} 1 re")
                start = None
    c = p.c
    c.saveState()
    c.translate(x, y)
    c.scale(size / modules, size / modules)
    c.setFillColorRGB(0, 0, 0)
    c.addLiteral("\n".join(ops) + "\nf")
    c.restoreState()


def _payment(p: _Page, d: InvoiceData, top: float) -> None:
    p.text(LEFT, top, "Payment", 9.5, "Helvetica-Bold", ACCENT)
    if not d.payment_reference:
        p.text(LEFT, top - 16, "No payment is due on a credit note.", 8.5, colour=GREY)
        return
    _qr(p, d.payment_reference, LEFT, top - 108, 88)
    x = LEFT + 112
    p.text(x, top - 18, "Payment reference", 8, colour=GREY)
    p.text(x, top - 32, d.payment_reference, 11, "Helvetica-Bold")
    p.text(x, top - 48, "Quote it at a bank, post office or", 8, colour=GREY)
    p.text(x, top - 58, "payment point, or let the cashier", 8, colour=GREY)
    p.text(x, top - 68, "scan the code. Pay by the due date.", 8, colour=GREY)
    p.text(x, top - 84, f"ID Pelanggan {d.customer_no}", 8)


def _chart(p: _Page, d: InvoiceData, top: float) -> None:
    x0, width, height = 320.0, RIGHT - 320.0, 78.0
    p.text(x0, top, "Consumption, last 12 months (kWh)", 9.5, "Helvetica-Bold", ACCENT)
    base = top - 24 - height
    periods = [_months_back(d.period, n) for n in range(HISTORY_MONTHS - 1, -1, -1)]
    kwh = dict(d.history)
    peak = max((v for v in kwh.values() if v > 0), default=Decimal(1))
    slot = width / HISTORY_MONTHS
    c = p.c
    for n, period in enumerate(periods):
        value = kwh.get(period)
        x = x0 + n * slot
        if value is not None and value > 0:
            p.colour(ACCENT if period == d.period else BAR)
            c.rect(x + 2, base, slot - 4, float(value / peak) * height, stroke=0, fill=1)
        p.text(x + slot / 2, base - 9, f"{period:%b}", 6, colour=GREY, align="centre")
    p.rule(base, x0, RIGHT)
    if any(v > 0 for v in kwh.values()):
        p.text(RIGHT, top - 12, f"highest {number(peak)} kWh", 7, colour=GREY, align="right")
    else:
        p.text(x0 + width / 2, base + height / 2, "no consumption billed in these months", 7.5, colour=GREY,
               align="centre")


def render_invoice(data: InvoiceData) -> bytes:
    """The document as PDF bytes: A4, one page, the same bytes for the same data."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"{'Credit note' if data.credit_note else 'Invoice'} {data.number}")
    c.setAuthor(data.utility.name)
    p = _Page(c)
    _header(p, data)
    y = _parties(p, data, HEIGHT - 118)
    y = _readings(p, data, y)
    _charges(p, data, y)
    _totals(p, data)
    _payment(p, data, 208)
    _chart(p, data, 208)
    p.rule(52)
    p.text(LEFT, 40, f"{data.utility.name} - an issued invoice is never changed: corrections are made by credit "
                     "note and a new bill.", 7, colour=GREY)
    c.showPage()
    c.save()
    return buffer.getvalue()
