"""Direct debit: mandates on accounts, the pain.008 collection file of a due date, booking it, and returns.

pain.008 is written by sepaxml (its pain.008.001.02 builder and its own XSD check). sepaxml writes what SEPA
wants: every account an IBAN and service level "SEPA". Indonesian accounts are domestic numbers and the
currency is IDR, so the built file is adjusted before the same schema check: a non-IBAN account becomes
Othr/Id (the ISO schema's other choice), the service level NURG outside EUR, and the message id and creation
time come from the batch and the application clock (sepaxml's own are random and the wall clock), so that a
batch's file is reproducible.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from lxml import etree
from sepaxml import SepaDD
from sepaxml.validation import ValidationError, try_valid_xml
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.base import chunks
from models.billing.documents import payment_reference
from models.billing.entities import Bill, BillKind, BillStatus
from models.clock import now_local, now_utc, today
from models.collection.bank_entities import (
    DebitItemStatus,
    DirectDebitBatch,
    DirectDebitItem,
    Mandate,
    MandateStatus,
)
from models.collection.entities import Payment, PaymentChannel, PaymentMethod
from models.collection.locking import lock_customers
from models.collection.operations import post_payment, reverse_payment
from models.collection.queries import Payer, bill_balances, customer_of_bill
from models.collection.statements import StatementRefused, xml_root
from models.customers.entities import Account, BankAccount
from models.customers.entities import PaymentMethod as AccountPaymentMethod
from models.errors import DomainError
from models.statuses import begin_status, move_status

SCHEMA = "pain.008.001.02"
IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}$")
# ISO 20022 ExternalStatusReason1Code: the returns a utility meets most.
REASONS = {"AC01": "incorrect account number", "AC04": "account closed", "AC06": "account blocked",
           "AM04": "insufficient funds", "MD01": "no mandate", "MD06": "refund requested by the debtor",
           "MS02": "refused by the debtor", "MS03": "reason not specified", "SL01": "debtor agent's service"}


@dataclass(frozen=True)
class Creditor:
    name: str
    account: str
    bic: str
    creditor_id: str
    currency: str = "IDR"


def add_mandate(session: Session, account: Account, reference: str, signed_on: date) -> Mandate:
    reference = (reference or "").strip()
    if not reference or len(reference) > 35:
        raise DomainError("is required, at most 35 characters", "reference")
    if signed_on > today():
        raise DomainError("cannot be signed in the future", "signed_on")
    mandate = Mandate(account_id=account.id, reference=reference, signed_on=signed_on)
    begin_status(session, mandate, MandateStatus.ACTIVE)
    session.flush()
    return mandate


def due_debits(session: Session, due_on: date) -> list[tuple[Bill, Mandate, BankAccount, Decimal]]:
    """The issued invoices due on `due_on` of direct-debit accounts with an active mandate signed by then and
    a bank account, owing something, not yet in a batch that was not returned."""
    in_batch = sa.select(DirectDebitItem.bill_id).where(DirectDebitItem.status == DebitItemStatus.COLLECTED)
    rows = session.execute(
        sa.select(Bill, Mandate, BankAccount).join(Account, Account.id == Bill.account_id)
        .join(Mandate, sa.and_(Mandate.account_id == Account.id, Mandate.status == MandateStatus.ACTIVE,
                               Mandate.signed_on <= due_on))
        .join(BankAccount, BankAccount.account_id == Account.id)
        .where(Bill.due_on == due_on, Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.ISSUED,
               Account.payment_method == AccountPaymentMethod.DIRECT_DEBIT, Bill.id.not_in(in_batch))
        .order_by(Bill.id)).all()
    seen, out = set(), []
    balances = bill_balances(session, [bill.id for bill, _, _ in rows])
    for bill, mandate, bank in rows:
        if bill.id not in seen and balances.get(bill.id, 0) > 0:    # one mandate per bill, however many exist
            seen.add(bill.id)
            out.append((bill, mandate, bank, balances[bill.id]))
    return out


def create_direct_debit_batch(session: Session, due_on: date, creditor: Creditor) -> tuple[DirectDebitBatch, bool]:
    """(the batch of `due_on`, whether it was made now): one file per due date, each bill once."""
    found = session.scalar(sa.select(DirectDebitBatch).where(DirectDebitBatch.due_on == due_on))
    if found is not None:
        return found, False
    debits = due_debits(session, due_on)
    if not debits:
        raise DomainError(f"no direct-debit bills fall due on {due_on.isoformat()}", "due_on")
    batch = DirectDebitBatch(due_on=due_on, message_id=f"WATT-DD-{due_on:%Y%m%d}", by=acting_name())
    session.add(batch)
    session.flush()
    collected = set(session.scalars(sa.select(DirectDebitItem.mandate_id).where(
        DirectDebitItem.mandate_id.in_([m.id for _, m, _, _ in debits]))))
    items = [DirectDebitItem(batch_id=batch.id, bill_id=bill.id, mandate_id=mandate.id, amount=amount,
                             end_to_end_id=f"WATT-DD-{bill.id}-{due_on:%Y%m%d}"[:35])
             for bill, mandate, _, amount in debits]
    for item in items:
        begin_status(session, item, DebitItemStatus.COLLECTED)
    batch.count, batch.total = len(items), sum((i.amount for i in items), Decimal(0))
    batch.xml = pain008(batch, creditor, [(i, b, m, bank, m.id not in collected)
                                          for i, (b, m, bank, _) in zip(items, debits, strict=True)])
    session.flush()
    return batch, True


def pain008(batch: DirectDebitBatch, creditor: Creditor, rows) -> str:
    sepa = SepaDD({"name": creditor.name, "IBAN": creditor.account, "BIC": creditor.bic, "batch": True,
                   "creditor_id": creditor.creditor_id, "currency": creditor.currency}, schema=SCHEMA)
    for item, bill, mandate, bank, first in rows:
        sepa.add_payment({"name": bank.holder, "IBAN": bank.number, "amount": int(item.amount * 100),
                          "type": "FRST" if first else "RCUR", "collection_date": batch.due_on,
                          "mandate_id": mandate.reference, "mandate_date": mandate.signed_on,
                          "description": f"{bill.number} {payment_reference(bill.number)}",
                          "endtoend_id": item.end_to_end_id})
    root = etree.fromstring(sepa.export(validate=False))
    ns = {"p": root.nsmap[None]}
    root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", ns).text = batch.message_id
    root.find("p:CstmrDrctDbtInitn/p:GrpHdr/p:CreDtTm", ns).text = now_local().strftime("%Y-%m-%dT%H:%M:%S")
    for n, info in enumerate(root.iterfind(".//p:PmtInf/p:PmtInfId", ns), start=1):
        info.text = f"{batch.message_id}-{n}"
    for iban in root.iterfind(".//p:IBAN", ns):
        if not IBAN.match(iban.text or ""):
            parent = iban.getparent()
            other = etree.SubElement(parent, f"{{{ns['p']}}}Othr")
            etree.SubElement(other, f"{{{ns['p']}}}Id").text = iban.text
            parent.remove(iban)
    if creditor.currency != "EUR":
        for level in root.iterfind(".//p:SvcLvl/p:Cd", ns):
            level.text = "NURG"
    out = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    try:
        try_valid_xml(out, SCHEMA)
    except ValidationError as exc:
        raise DomainError(f"the collection file does not pass the {SCHEMA} schema: {exc.__cause__}"[:500],
                          "due_on") from exc
    return out.decode()


def book_direct_debit_batch(session: Session, batch: DirectDebitBatch) -> list:
    """On or after the due date, post each collected item as a direct-debit payment of its bill."""
    if today() < batch.due_on:
        raise DomainError(f"the collection is due on {batch.due_on.isoformat()}: book it then", "due_on")
    posted = []
    due = [item for item in batch.items if item.status is DebitItemStatus.COLLECTED and item.payment_id is None]
    # All the batch's customers at once, in id order: post_payment's one at a time, in item order, could
    # deadlock against another transaction locking some of them (models.collection.locking).
    lock_customers(session, session.scalars(
        sa.select(Account.customer_id).join(Bill, Bill.account_id == Account.id)
        .join(DirectDebitItem, DirectDebitItem.bill_id == Bill.id)
        .where(DirectDebitItem.batch_id == batch.id, DirectDebitItem.status == DebitItemStatus.COLLECTED,
               DirectDebitItem.payment_id.is_(None))))
    for item in due:
        bill = item.bill
        result = post_payment(session, Payer.of(customer_of_bill(session, bill), bill),
                              channel=PaymentChannel.DIRECT_DEBIT, method=PaymentMethod.DEBIT,
                              reference=item.end_to_end_id, amount=item.amount, paid_on=batch.due_on,
                              payer_name=item.mandate.account.payer_name)
        item.payment_id = result.payment.id
        posted.append(result.payment)
    batch.booked_at = batch.booked_at or now_utc()
    session.flush()
    return posted


def read_returns(data: bytes) -> list[tuple[str, str]]:
    """(end-to-end id, reason code) of each rejected or returned debit in a pain.002 or a camt.054."""
    root = xml_root(data)
    namespace = etree.QName(root).namespace or ""
    out = []
    if "pain.002" in namespace:
        for tx in root.iterfind(".//{*}TxInfAndSts"):
            if (tx.findtext("{*}TxSts") or "").strip() in ("RJCT", "CANC"):
                out.append(((tx.findtext("{*}OrgnlEndToEndId") or "").strip(),
                            (tx.findtext("{*}StsRsnInf/{*}Rsn/{*}Cd") or "MS03").strip()))
    elif "camt.054" in namespace:
        for tx in root.iterfind(".//{*}Ntry/{*}NtryDtls/{*}TxDtls"):
            if tx.find("{*}RtrInf") is not None:
                out.append(((tx.findtext("{*}Refs/{*}EndToEndId") or "").strip(),
                            (tx.findtext("{*}RtrInf/{*}Rsn/{*}Cd") or "MS03").strip()))
    else:
        raise StatementRefused([f"not a pain.002 or camt.054 message (namespace '{namespace[:100]}')"])
    return out


def apply_debit_returns(session: Session, data: bytes) -> dict[str, int]:
    """Mark the returned items and reverse their payments (the bills are open again); all or nothing."""
    returns = read_returns(data)
    references = sorted({ref for ref, _ in returns})
    # Their customers locked before the items are read: two returns files naming one debit take turns, and the
    # second finds it returned (unchanged) instead of reversing its payment again.
    customers = set()
    for part in chunks(references):
        customers.update(session.scalars(sa.select(Payment.customer_id).join(
            DirectDebitItem, DirectDebitItem.payment_id == Payment.id).where(DirectDebitItem.end_to_end_id.in_(part))))
    lock_customers(session, customers)
    items = {}
    for part in chunks(references):
        items.update((i.end_to_end_id, i) for i in session.scalars(
            sa.select(DirectDebitItem).where(DirectDebitItem.end_to_end_id.in_(part))
            .execution_options(populate_existing=True)))
    unknown = [f"{ref or '(empty)'}: no direct debit has this end-to-end id" for ref, _ in returns if ref not in items]
    if unknown:
        raise StatementRefused(unknown[:100], len(unknown))
    counts = {"returned": 0, "unchanged": 0}
    for ref, code in returns:
        item = items[ref]
        if item.status is DebitItemStatus.RETURNED:
            counts["unchanged"] += 1
            continue
        reason = f"direct debit returned: {code[:10]} {REASONS.get(code, '')}".strip()
        move_status(session, item, DebitItemStatus.RETURNED, what=f"direct debit {ref}", note=reason)
        item.return_reason = reason[:200]
        if item.payment is not None:
            reverse_payment(session, item.payment, reason)
        counts["returned"] += 1
    session.flush()
    return counts


# ---------------------------------------------------------------- the pages' lists
@dataclass(frozen=True)
class BatchSummary:
    batch: DirectDebitBatch
    returned: int
    returned_total: Decimal


def mandates_select():
    """Every mandate with its account (account number, payer), newest signature first: for a paged list."""
    return (sa.select(Mandate, Account.account_no, Account.payer_name).join(Account, Account.id == Mandate.account_id)
            .order_by(Mandate.signed_on.desc(), Mandate.id.desc()))


def batch_summaries(session: Session, limit: int = 50) -> list[BatchSummary]:
    """The latest batches, newest due date first, each with how many of its debits came back and for how much."""
    returned = (sa.select(DirectDebitItem.batch_id, sa.func.count().label("n"),
                          sa.func.coalesce(sa.func.sum(DirectDebitItem.amount), 0).label("total"))
                .where(DirectDebitItem.status == DebitItemStatus.RETURNED).group_by(DirectDebitItem.batch_id)
                .subquery())
    rows = session.execute(sa.select(DirectDebitBatch, returned.c.n, returned.c.total)
                           .outerjoin(returned, returned.c.batch_id == DirectDebitBatch.id)
                           .order_by(DirectDebitBatch.due_on.desc()).limit(limit))
    return [BatchSummary(batch, n or 0, Decimal(total or 0)) for batch, n, total in rows]


def batch_items(session: Session, batch_id: int) -> list[tuple[DirectDebitItem, str, str]]:
    """A batch's debits with the bill number and the mandate reference, returns included."""
    return [tuple(r) for r in session.execute(
        sa.select(DirectDebitItem, Bill.number, Mandate.reference).join(Bill, Bill.id == DirectDebitItem.bill_id)
        .join(Mandate, Mandate.id == DirectDebitItem.mandate_id).where(DirectDebitItem.batch_id == batch_id)
        .order_by(DirectDebitItem.id))]
