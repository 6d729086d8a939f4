"""What is owed and by whom: bill balances, the customer's open bills and credit, debt with aging, and the
payer a payment's keys name (bill number, ID Pelanggan, SPN, the invoice's payment reference)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.billing.documents import invoice_number_from_reference
from models.billing.entities import Bill, BillKind, BillStatus
from models.collection.cases import in_collection, remember_outside
from models.collection.entities import Payment, PaymentAllocation, PaymentStatus, WriteOff
from models.collection.locking import lock_with, locked_by_select
from models.contracts.entities import Contract
from models.customers.entities import Account, Customer
from models.errors import DomainError, NotFound
from models.premises.entities import ServicePoint

ZERO = Decimal(0)
# Days past the due date; a bill not yet due is "current".
AGING = (("current", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("over 90", 91, None))


def _live_allocations(bill_ids=None):
    """Bill id -> what settled it: live allocations of payments, and write-offs; only the bills of `bill_ids`
    (ids or a select of them) when given, so that the sums never run over every allocation."""
    allocations = sa.select(PaymentAllocation.bill_id, PaymentAllocation.amount).where(
        PaymentAllocation.released_at.is_(None))
    write_offs = sa.select(WriteOff.bill_id, WriteOff.amount)
    if bill_ids is not None:
        allocations = allocations.where(PaymentAllocation.bill_id.in_(bill_ids))
        write_offs = write_offs.where(WriteOff.bill_id.in_(bill_ids))
    parts = sa.union_all(allocations, write_offs).subquery()
    return sa.select(parts.c.bill_id, sa.func.sum(parts.c.amount).label("paid")).group_by(parts.c.bill_id)


def bill_balances(session: Session, bill_ids: list[int]) -> dict[int, Decimal]:
    """Bill id -> what is still owed on it: an issued invoice's total less its live allocations; nothing on
    any other bill (a cancelled one owes nothing: its credit note reversed it)."""
    if not bill_ids:
        return {}
    paid = _live_allocations(bill_ids).subquery()
    rows = session.execute(sa.select(Bill.id, Bill.kind, Bill.status, Bill.total, paid.c.paid)
                           .outerjoin(paid, paid.c.bill_id == Bill.id).where(Bill.id.in_(bill_ids)))
    return {r.id: (r.total - (r.paid or ZERO)) if r.kind is BillKind.INVOICE and r.status is BillStatus.ISSUED
            else ZERO for r in rows}


def paid_amounts(session: Session, bill_ids: list[int]) -> dict[int, Decimal]:
    if not bill_ids:
        return {}
    settled = _live_allocations(bill_ids).subquery()
    rows = session.execute(sa.select(settled.c.bill_id, settled.c.paid).where(settled.c.bill_id.in_(bill_ids)))
    return {bill_id: paid for bill_id, paid in rows}


@dataclass(frozen=True)
class OpenBill:
    bill: Bill
    balance: Decimal
    days_overdue: int


def open_bills(session: Session, customer_id: int, as_of: date | None = None) -> list[OpenBill]:
    """The customer's issued invoices with something owed, over all their accounts, oldest due first."""
    theirs = sa.select(Bill.id).join(Account, Account.id == Bill.account_id).where(Account.customer_id == customer_id)
    paid = _live_allocations(theirs).subquery()
    query = (sa.select(Bill, paid.c.paid).join(Account, Account.id == Bill.account_id)
             .outerjoin(paid, paid.c.bill_id == Bill.id)
             .where(Account.customer_id == customer_id, Bill.kind == BillKind.INVOICE,
                    Bill.status == BillStatus.ISSUED, Bill.total > sa.func.coalesce(paid.c.paid, 0))
             .order_by(Bill.due_on, Bill.period, Bill.id))
    as_of = as_of or date.min
    return [OpenBill(bill, bill.total - (done or ZERO), max((as_of - bill.due_on).days, 0) if bill.due_on else 0)
            for bill, done in session.execute(query)]


def _applied(customer_ids=None):
    """Payment id -> what of it is applied to issued invoices (live allocations); only the payments of
    `customer_ids` (ids, or an expanding parameter) when given, so that a customer's credit never sums every
    allocation."""
    query = (sa.select(PaymentAllocation.payment_id, sa.func.sum(PaymentAllocation.amount).label("applied"))
             .join(Bill, Bill.id == PaymentAllocation.bill_id)
             .where(PaymentAllocation.released_at.is_(None), Bill.status == BillStatus.ISSUED)
             .group_by(PaymentAllocation.payment_id))
    if customer_ids is not None:
        query = query.where(PaymentAllocation.payment_id.in_(
            sa.select(Payment.id).where(Payment.customer_id.in_(customer_ids))))
    return query


def unallocated(session: Session, customer_id: int) -> dict[int, Decimal]:
    """Payment id -> the part of each posted payment of the customer not (or no longer) applied to an issued
    invoice: the customer's credit, oldest payment first."""
    applied = _applied([customer_id]).subquery()
    rows = session.execute(
        sa.select(Payment.id, Payment.amount, applied.c.applied).outerjoin(applied, applied.c.payment_id == Payment.id)
        .where(Payment.customer_id == customer_id, Payment.status == PaymentStatus.POSTED)
        .order_by(Payment.paid_on, Payment.id))
    left = {pid: amount - (done or ZERO) for pid, amount, done in rows}
    return {pid: amount for pid, amount in left.items() if amount > 0}


def _customers_param():
    # One statement object per query, built once: its SQL and cache key are then made once per process, which
    # is most of the cost of a short query (a partner's payment runs these on every post).
    return sa.bindparam("customer_ids", expanding=True)


_applied_to = _applied(_customers_param()).subquery()
_paid_of = _live_allocations(sa.select(Bill.id).join(Account, Account.id == Bill.account_id)
                             .where(Account.customer_id.in_(_customers_param()))).subquery()
_in_collection = in_collection(_customers_param()).subquery()
_PAYMENTS, _BILLS, _IN_COLLECTION = 0, 1, 2
# The customers' credit (posted payments not all applied, oldest first) and open bills (oldest due first) in one
# statement, which an allocation runs for every payment: [kind, customer, id, order, order, amount, done, number];
# and which of them dunning has in hand (models.collection.cases), which the commit's dunning check then knows.
_money = sa.union_all(
    sa.select(sa.literal(_PAYMENTS).label("kind"), Payment.customer_id.label("customer_id"), Payment.id.label("id"),
              Payment.paid_on.label("first"), Payment.paid_on.label("second"), Payment.amount.label("amount"),
              _applied_to.c.applied.label("done"), sa.literal(None, sa.String).label("number"))
    .outerjoin(_applied_to, _applied_to.c.payment_id == Payment.id)
    .where(Payment.customer_id.in_(_customers_param()), Payment.status == PaymentStatus.POSTED,
           Payment.amount > sa.func.coalesce(_applied_to.c.applied, 0)),
    sa.select(sa.literal(_BILLS), Account.customer_id, Bill.id, Bill.due_on, Bill.period, Bill.total,
              _paid_of.c.paid, Bill.number)
    .join(Account, Account.id == Bill.account_id).outerjoin(_paid_of, _paid_of.c.bill_id == Bill.id)
    .where(Account.customer_id.in_(_customers_param()), Bill.kind == BillKind.INVOICE,
           Bill.status == BillStatus.ISSUED, Bill.total > sa.func.coalesce(_paid_of.c.paid, 0)),
    sa.select(sa.literal(_IN_COLLECTION), _in_collection.c.customer_id, *(sa.cast(sa.null(), t) for t in (
        sa.Integer, sa.Date, sa.Date, Payment.amount.type, Payment.amount.type, sa.String))),
).subquery()
CREDIT_AND_OPEN_BILLS = sa.select(_money).order_by(_money.c.kind, _money.c.first, _money.c.second, _money.c.id)


@dataclass
class Money:
    """What customers have to allocate: customer id -> payment id -> (paid on, unallocated), oldest first; and
    customer id -> [bill id, balance, number] of their open bills, oldest due first."""
    credit: dict[int, dict[int, tuple[date, Decimal]]]
    bills: dict[int, list[list]]


def credit_and_open_bills(session: Session, customer_ids: list[int]) -> Money:
    """`unallocated` and `open_bills` of many customers in one query. An allocation locks the customers first
    (models.collection.locking), so that this reads what the previous one committed. Those in no case and no
    arrangement are remembered for the transaction (models.collection.cases)."""
    money, dunned = Money(defaultdict(dict), defaultdict(list)), set()
    for kind, customer_id, row_id, first, _second, amount, done, number in session.connection().execute(
            CREDIT_AND_OPEN_BILLS, {"customer_ids": list(customer_ids)}):
        if kind == _PAYMENTS:
            money.credit[customer_id][row_id] = (first, amount - (done or ZERO))
        elif kind == _BILLS:
            money.bills[customer_id].append([row_id, amount - (done or ZERO), number])
        else:
            dunned.add(customer_id)
    remember_outside(session, set(customer_ids) - dunned)
    return money


def customer_credit(session: Session, customer_id: int) -> Decimal:
    return sum(unallocated(session, customer_id).values(), ZERO)


@dataclass
class Debt:
    """The customer's debt: every open bill of all their accounts and service points, summed and aged."""

    customer: Customer
    as_of: date
    bills: list[OpenBill]
    credit: Decimal
    aging: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((b.balance for b in self.bills), ZERO)

    @property
    def overdue(self) -> Decimal:
        return sum((b.balance for b in self.bills if b.days_overdue > 0), ZERO)

    @property
    def net(self) -> Decimal:
        """What the customer owes once their credit is counted."""
        return self.total - self.credit


def customer_debt(session: Session, customer: Customer, as_of: date) -> Debt:
    bills = open_bills(session, customer.id, as_of)
    aging = {name: ZERO for name, _, _ in AGING}
    for item in bills:
        aging[_bucket(item.days_overdue)] += item.balance
    return Debt(customer, as_of, bills, customer_credit(session, customer.id), aging)


def _bucket(days: int) -> str:
    for name, low, high in AGING:
        if (low is None or days >= low) and (high is None or days <= high):
            return name
    return AGING[-1][0]


def debts_of_customers(session: Session, customer_ids: list[int]) -> dict[int, Decimal]:
    """Customer id -> open balance, for lists (one query)."""
    if not customer_ids:
        return {}
    theirs = sa.select(Bill.id).join(Account, Account.id == Bill.account_id).where(
        Account.customer_id.in_(customer_ids))
    paid = _live_allocations(theirs).subquery()
    rows = session.execute(
        sa.select(Account.customer_id, sa.func.sum(Bill.total - sa.func.coalesce(paid.c.paid, 0)))
        .join(Account, Account.id == Bill.account_id).outerjoin(paid, paid.c.bill_id == Bill.id)
        .where(Account.customer_id.in_(customer_ids), Bill.kind == BillKind.INVOICE,
               Bill.status == BillStatus.ISSUED).group_by(Account.customer_id))
    out = defaultdict(lambda: ZERO)
    out.update({cid: amount for cid, amount in rows})
    return dict(out)


# ------------------------------------------------------------------ who pays
@dataclass(frozen=True)
class Payer:
    """Whose payment it is, and the bill they named: the ids posting needs (a partner's post reads no more)."""
    customer_id: int
    bill_id: int | None = None      # the bill the payer named, when they named one

    @classmethod
    def of(cls, customer: Customer, bill: Bill | None = None) -> Payer:
        if customer.id is None or (bill is not None and bill.id is None):
            raise ValueError("a payer names rows that exist: flush the customer and bill first")
        return cls(customer.id, bill.id if bill is not None else None)


def customer_of_bill(session: Session, bill: Bill) -> Customer:
    return session.scalars(sa.select(Customer).join(Account, Account.customer_id == Customer.id)
                           .where(Account.id == bill.account_id)).one()


# Built once, in Core: a partner's payment names its bill on every post, and loading ORM objects was a sixth of
# its CPU.
_BILL_AND_PAYER = (sa.select(Bill.__table__.c.id, Bill.__table__.c.kind, Account.__table__.c.customer_id)
                   .join(Account.__table__, Account.__table__.c.id == Bill.__table__.c.account_id)
                   .join(Customer.__table__, Customer.__table__.c.id == Account.__table__.c.customer_id)
                   .where(Bill.__table__.c.number == sa.bindparam("number")))
_BILL_AND_LOCKED_PAYER = _BILL_AND_PAYER.with_for_update(of=Customer.__table__, key_share=True)


def find_payer(session: Session, *, bill_number: str | None = None, customer_no: str | None = None,
               spn: str | None = None, payment_reference: str | None = None,
               customer_id: int | None = None, lock: bool = False) -> Payer:
    """The customer (and bill) a payment is for, from the first key given; NotFound names the key. `lock`: the
    customer is locked for the payment about to be posted in this transaction (models.collection.locking), by
    the same statement."""
    payer = _find_payer(session, bill_number, customer_no, spn, payment_reference, customer_id, lock)
    if lock:
        locked_by_select(session, payer.customer_id)
    return payer


def _find_payer(session: Session, bill_number: str | None, customer_no: str | None, spn: str | None,
                payment_reference: str | None, customer_id: int | None, lock: bool) -> Payer:
    locking = lock_with if lock else (lambda statement: statement)
    if payment_reference:
        bill_number = invoice_number_from_reference(payment_reference)
        if bill_number is None:
            raise DomainError(f"'{payment_reference}' is not a payment reference (its check digit is wrong)",
                              "payment_reference")
    if bill_number:
        found = session.execute(_BILL_AND_LOCKED_PAYER if lock else _BILL_AND_PAYER,
                                {"number": bill_number.strip()}).one_or_none()
        if found is None:
            raise NotFound(f"no bill numbered {bill_number}", "bill_number")
        if found.kind is not BillKind.INVOICE:
            raise DomainError(f"{bill_number.strip()} is a credit note: payments go to invoices", "bill_number")
        return Payer(found.customer_id, found.id)
    if customer_no:
        payer_id = session.scalar(locking(sa.select(Customer.id).join(Account)
                                          .join(Contract, Contract.account_id == Account.id)
                                          .where(Contract.customer_no == customer_no.strip()).limit(1)))
        if payer_id is None:
            raise NotFound(f"no contract has ID Pelanggan {customer_no}", "customer_no")
        return Payer(payer_id)
    if spn:
        payer_id = session.scalar(locking(sa.select(Customer.id).join(Account)
                                          .join(Contract, Contract.account_id == Account.id)
                                          .join(ServicePoint, ServicePoint.id == Contract.service_point_id)
                                          .where(ServicePoint.spn == spn.strip())
                                          .order_by(Contract.registered_on.desc()).limit(1)))
        if payer_id is None:
            raise NotFound(f"no customer has a contract on service point {spn}", "spn")
        return Payer(payer_id)
    if customer_id is not None:
        payer_id = session.scalar(locking(sa.select(Customer.id).where(Customer.id == customer_id)))
        if payer_id is None:
            raise NotFound(f"no customer {customer_id}", "customer_id")
        return Payer(payer_id)
    raise DomainError("say whose payment it is: a bill number, an ID Pelanggan, a service point or a payment "
                      "reference", "bill_number")


def find_payer_by_text(session: Session, text: str) -> Payer:
    """The payer one typed or scanned key names, by its shape: a bill number, a payment reference (the invoice's
    digits and check digit), an ID Pelanggan, an SPN. NotFound when none of them matches."""
    text = text.strip()
    if text.upper().startswith(("INV-", "CN-")):
        return find_payer(session, bill_number=text.upper())
    attempts = ([{"payment_reference": text}] if text.isdigit() and len(text) >= 9 else []) + \
        [{"customer_no": text}, {"spn": text}]
    for keys in attempts:
        try:
            return find_payer(session, **keys)
        except DomainError:         # NotFound is one: the next shape may match
            continue
    raise NotFound(f"no bill, payment reference, ID Pelanggan or service point '{text[:40]}'", "q")


def customers_with_credit(session: Session) -> list[int]:
    """Customers some of whose posted payments are not (or no longer) applied to an issued invoice."""
    applied = _applied().subquery()
    return list(session.scalars(
        sa.select(Payment.customer_id).distinct().outerjoin(applied, applied.c.payment_id == Payment.id)
        .where(Payment.status == PaymentStatus.POSTED, Payment.amount > sa.func.coalesce(applied.c.applied, 0))
        .order_by(Payment.customer_id)))


def allocations_of_bill(session: Session, bill_id: int) -> list[PaymentAllocation]:
    """The payments applied to a bill, released ones (reversed payments) included, oldest first."""
    return list(session.scalars(sa.select(PaymentAllocation).options(selectinload(PaymentAllocation.payment))
                                .where(PaymentAllocation.bill_id == bill_id).order_by(PaymentAllocation.id)))


def get_payment(session: Session, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"no payment {payment_id}", "payment")
    return payment
