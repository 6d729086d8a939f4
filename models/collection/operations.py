"""Posting payments exactly once, allocating them oldest bill first, reversing them, a cashier's day.

`post_payment` is the one way money enters: every channel (counter, bank statement, partner API, direct
debit) calls it. A (channel, reference) pair posts once: posting it again returns the first payment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name, record_bulk, record_inserts
from models.base import attach_inserted, insert_rows, new_ids
from models.billing.charges import add_misc_charge, system_charge_type
from models.billing.entities import Bill
from models.clock import now_utc, today
from models.collection.entities import (
    CashierDay,
    CashierDayStatus,
    Payment,
    PaymentAllocation,
    PaymentChannel,
    PaymentMethod,
    PaymentStatus,
    WriteOff,
)
from models.collection.locking import lock_customers
from models.collection.queries import Payer, bill_balances, credit_and_open_bills
from models.contracts.entities import Contract
from models.customers.entities import Account
from models.errors import DomainError
from models.limits import check_row
from models.statuses import StatusChange, begin_status, first_status_rows, insert_once_with_status, move_status

AMOUNT_MAX = Decimal("9999999999999999.99")     # Numeric(18, 2)
RETURN_FEE = "RETURN_FEE"                       # the misc charge type a returned payment may cost
PAID_KEY = "cms.paying_customers"               # session.info: customers this transaction posted payments for


@dataclass
class PostedPayment:
    payment: Payment
    replay: bool = False                 # the reference was posted before: this is the first payment
    allocations: list[PaymentAllocation] = field(default_factory=list)
    # Known when this call posted it: the customer's credit left, and what each bill paid still owes.
    credit: Decimal | None = None
    balances: dict[int, Decimal] | None = None
    numbers: dict[int, str] = field(default_factory=dict)      # bill id -> number, of the bills it paid


def check_amount(amount: Decimal, field_name: str = "amount") -> Decimal:
    if not amount.is_finite() or amount <= 0:
        raise DomainError("must be a positive amount", field_name)
    if amount > AMOUNT_MAX or amount != amount.quantize(Decimal("0.01")):
        raise DomainError("must have at most 16 digits and 2 decimals", field_name)
    return amount


def payment_of(session: Session, channel: PaymentChannel, reference: str) -> Payment | None:
    return session.scalar(sa.select(Payment).where(Payment.channel == channel, Payment.reference == reference))


_ADD_ALLOCATIONS = sa.insert(PaymentAllocation.__table__).returning(PaymentAllocation.__table__.c.id,
                                                                    sort_by_parameter_order=True)


def post_payment(session: Session, payer: Payer, *, channel: PaymentChannel, method: PaymentMethod, reference: str,
                 amount: Decimal, paid_on: date, payer_name: str | None = None, note: str | None = None,
                 idempotency_key: str | None = None, request_hash: str | None = None,
                 cashier_day: CashierDay | None = None) -> PostedPayment:
    """Post a payment once per (channel, reference) and allocate it: the named bill first, then the oldest open
    bills; what is left stays as the customer's credit. Posting a reference again returns the first payment.

    Every partner's post comes through here, so it is written without the ORM's unit of work (on PostgreSQL: the
    customer's lock unless the payer's look-up took it, the payment with its status row, credit and open bills,
    the allocations, their audit events); the audit events and column checks are the ORM's (record_inserts,
    check_row)."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("is required: the channel's own reference (receipt, transfer, partner id)", "reference")
    check_amount(amount)
    if paid_on > today():
        raise DomainError(f"{paid_on.isoformat()} is in the future", "paid_on")
    session.flush()                     # what the caller made (a cashier's new day) is a row the payment names
    now, by, customer_id = now_utc(), acting_name(), payer.customer_id
    row = {"channel": channel, "method": method, "reference": reference, "customer_id": customer_id,
           "amount": amount, "paid_on": paid_on, "status": PaymentStatus.POSTED,
           "payer": (payer_name or "").strip()[:200] or None, "named_bill_id": payer.bill_id,
           "idempotency_key": idempotency_key, "request_hash": request_hash,
           "cashier_day_id": cashier_day.id if cashier_day else None, "note": note, "by": by, "received_at": now,
           "reversed_at": None, "reversal_reason": None}
    check_row(Payment.__table__, row)   # what the ORM's flush would have refused (models.limits)
    # Before the insert: a post that finds its reference taken then waits for the other post's end holding
    # nothing that post needs (locking first everywhere; after the insert, two posts of one reference deadlock).
    lock_customers(session, [customer_id])
    inserted = insert_once_with_status(session, Payment, row, PaymentStatus.POSTED, by=by, at=now)
    if inserted is None:                # posted before (or by a racing post, now committed): the first payment
        earlier = payment_of(session, channel, reference)
        if earlier is None:             # the key was taken, by another reference
            raise DomainError("this Idempotency-Key was already used", "idempotency_key")
        return PostedPayment(earlier, replay=True, allocations=list(earlier.allocations))
    row["id"], change = inserted
    # Whatever posted it (counter, API, statement, suspense, direct debit), dunning hears of it before the
    # transaction commits (workflows.credits.tell_dunning_before_commit).
    session.info.setdefault(PAID_KEY, set()).add(customer_id)
    made = _allocate(session, customer_id, row["named_bill_id"],
                     audited=[(Payment.__table__, [row]), (StatusChange.__table__, [change])])
    return PostedPayment(attach_inserted(session, Payment, row), allocations=made.allocations, credit=made.credit,
                         balances=made.balances, numbers=made.numbers)


@dataclass(frozen=True)
class NewPayment:
    """One payment of a bulk post (a bank statement's matched line)."""

    customer_id: int
    bill_id: int | None             # the bill it names: allocated first
    reference: str
    amount: Decimal
    paid_on: date
    payer_name: str | None = None
    note: str | None = None


def post_payments(session: Session, channel: PaymentChannel, method: PaymentMethod, items: list[NewPayment]
                  ) -> list[int]:
    """Post many payments at once, in order, by post_payment's rules (each allocated to its named bill, then its
    customer's oldest open bills; the rest is credit), written in bulk (one audit event per table). The caller
    gives references that are new and distinct (a statement import checks them in bulk first). Their ids."""
    if not items:
        return []
    day = today()
    for item in items:
        check_amount(item.amount)
        if item.paid_on > day:
            raise DomainError(f"{item.paid_on.isoformat()} is in the future", "paid_on")
    customers = sorted({item.customer_id for item in items})
    lock_customers(session, customers)
    money = credit_and_open_bills(session, customers)
    credit, bills = money.credit, money.bills
    ids = new_ids(session, Payment.__table__, len(items))
    now, by = now_utc(), acting_name()
    payments, allocations = [], []
    for payment_id, item in zip(ids, items, strict=True):
        payments.append({"id": payment_id, "channel": channel, "method": method, "reference": item.reference,
                         "customer_id": item.customer_id, "amount": item.amount, "paid_on": item.paid_on,
                         "payer": (item.payer_name or "").strip()[:200] or None, "named_bill_id": item.bill_id,
                         "note": item.note})
        theirs = credit[item.customer_id]
        theirs[payment_id] = (item.paid_on, item.amount)
        allocations += _allocation_rows(theirs, bills.get(item.customer_id, []), item.bill_id)
    constants = {"status": PaymentStatus.POSTED, "by": by, "received_at": now, "idempotency_key": None,
                 "request_hash": None, "cashier_day_id": None, "reversed_at": None, "reversal_reason": None}
    insert_rows(session, Payment.__table__, payments, constants)
    insert_rows(session, StatusChange.__table__, first_status_rows(Payment, ids, PaymentStatus.POSTED, by=by, at=now))
    insert_rows(session, PaymentAllocation.__table__, allocations,
                {"allocated_on": day, "allocated_at": now, "released_at": None})
    for entity, count in (("payment", len(payments)), ("payment_allocation", len(allocations))):
        record_bulk(session, entity, {"channel": channel.value, "rows": count})
    session.info.setdefault(PAID_KEY, set()).update(customers)
    return ids


def _allocation_rows(credit: dict[int, tuple[date, Decimal]], bills: list[list], first: int | None) -> list[dict]:
    """_allocate on plain rows: spend `credit` (payment id -> (paid on, left), oldest first) on `bills` ([bill id,
    balance], oldest due first; `first` before the rest); both are updated for the next payment."""
    order = sorted(credit, key=lambda pid: (credit[pid][0], pid))
    made = []
    for bill in sorted(bills, key=lambda bill: bill[0] != first) if first is not None else bills:
        while bill[1] > 0 and order:
            payment_id = order[0]
            paid_on, left = credit[payment_id]
            part = min(bill[1], left)
            made.append({"payment_id": payment_id, "bill_id": bill[0], "amount": part})
            bill[1] -= part
            if left == part:
                del credit[payment_id]
                order.pop(0)
            else:
                credit[payment_id] = (paid_on, left - part)
        if not order:
            break
    bills[:] = [bill for bill in bills if bill[1] > 0]
    return made


def allocate_credit(session: Session, customer_id: int, first: Bill | None = None) -> list[PaymentAllocation]:
    """Apply the customer's unallocated payments (oldest first) to their open bills (`first`, then oldest due
    first). Run after a payment, and after new bills are issued, so that credit pays the next bill."""
    return _allocate(session, customer_id, first.id if first is not None else None).allocations


@dataclass
class Allocated:
    allocations: list[PaymentAllocation]
    credit: Decimal                     # the customer's credit left
    balances: dict[int, Decimal]        # bill id -> what each bill paid still owes
    numbers: dict[int, str]             # bill id -> number, of the bills paid


def _allocate(session: Session, customer_id: int, first: int | None,
              audited: list[tuple[sa.Table, list[dict]]] | None = None) -> Allocated:
    """allocate_credit by _allocation_rows, with the customer locked; the allocations' audit events are written
    with `audited` (rows the caller inserted without the ORM) in one statement."""
    lock_customers(session, [customer_id])
    money = credit_and_open_bills(session, [customer_id])
    credit, bills = money.credit.get(customer_id, {}), money.bills.get(customer_id, [])
    owed, numbers = {bill[0]: bill[1] for bill in bills}, {bill[0]: bill[2] for bill in bills}
    rows = _allocation_rows(credit, bills, first)
    table, day, now = PaymentAllocation.__table__, today(), now_utc()
    for row in rows:
        row.update(allocated_on=day, allocated_at=now, released_at=None)
    if rows:
        ids = session.connection().execute(_ADD_ALLOCATIONS, rows).scalars().all()
        for row, allocation_id in zip(rows, ids, strict=True):
            row["id"] = allocation_id
    record_inserts(session, [*(audited or []), (table, rows)])
    balances = {}
    for row in rows:
        owed[row["bill_id"]] -= row["amount"]
        balances[row["bill_id"]] = owed[row["bill_id"]]
    return Allocated([attach_inserted(session, PaymentAllocation, row) for row in rows],
                     sum((left for _paid_on, left in credit.values()), Decimal(0)), balances,
                     {bill_id: numbers[bill_id] for bill_id in balances})


def reverse_payment(session: Session, payment: Payment, reason: str, fee: Decimal | None = None) -> Payment:
    """Reverse a posted payment (a returned transfer, a failed debit, a cashier's mistake): what it paid is open
    again; `fee` charges the return fee on the customer's next bill."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("is required: why the payment is reversed", "reason")
    lock_customers(session, [payment.customer_id])
    # The payment as the previous holder of the lock left it: a second reversal racing this one is refused.
    session.refresh(payment, ["status"])
    move_status(session, payment, PaymentStatus.REVERSED, what=f"payment {payment}", note=reason[:500])
    payment.reversed_at, payment.reversal_reason = now_utc(), reason[:500]
    released = [a for a in payment.allocations if a.released_at is None]
    for allocation in released:
        allocation.released_at = payment.reversed_at
    session.flush()
    if fee:
        check_amount(fee, "fee")
        contract = _contract_for_fee(session, payment, released)
        charge_type = system_charge_type(session, RETURN_FEE)
        add_misc_charge(session, contract, charge_type, fee, f"returned payment {payment.reference}: {reason}"[:500])
    return payment


def _contract_for_fee(session: Session, payment: Payment, released: list[PaymentAllocation]) -> Contract:
    if released:
        return session.get(Bill, released[0].bill_id).contract
    contract = session.scalar(sa.select(Contract).join(Account, Account.id == Contract.account_id)
                              .where(Account.customer_id == payment.customer_id)
                              .order_by(Contract.registered_on.desc()).limit(1))
    if contract is None:
        raise DomainError("the customer has no contract to charge the return fee to", "fee")
    return contract


def write_off_bill(session: Session, bill: Bill, amount: Decimal, reason: str) -> WriteOff:
    """Give up `amount` of an issued invoice's balance, with the reason (accounting posts it to bad debt)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("is required: why the debt is written off", "reason")
    check_amount(amount)
    lock_customers(session, [session.scalar(sa.select(Account.customer_id).where(Account.id == bill.account_id))])
    balance = bill_balances(session, [bill.id]).get(bill.id, Decimal(0))
    if amount > balance:
        raise DomainError(f"bill {bill.number or bill.id} owes {balance:,.2f}: no more can be written off", "amount")
    write_off = WriteOff(bill_id=bill.id, amount=amount, reason=reason[:500], written_off_on=today(), by=acting_name())
    session.add(write_off)
    session.flush()
    return write_off


# ------------------------------------------------------------------ the cashier's day
def cashier_day_of(session: Session, cashier: str, day: date) -> CashierDay | None:
    return session.scalar(sa.select(CashierDay).where(CashierDay.cashier == cashier, CashierDay.business_day == day))


def cashier_day(session: Session, cashier: str, day: date | None = None) -> CashierDay:
    """The cashier's open day for `day` (today), opened when there is none; a closed one takes no payments."""
    day = day or today()
    found = cashier_day_of(session, cashier, day)
    if found is None:
        found = CashierDay(cashier=cashier, business_day=day)
        begin_status(session, found, CashierDayStatus.OPEN)
        session.add(found)
        session.flush()
    if found.status is CashierDayStatus.CLOSED:
        raise DomainError(f"{cashier}'s day {day.isoformat()} is closed: payments go to another day", "business_day")
    return found


def expected_takings(session: Session, day: CashierDay) -> dict[str, Decimal]:
    """Method -> what the day's posted (not reversed) payments took."""
    rows = session.execute(sa.select(Payment.method, sa.func.sum(Payment.amount))
                           .where(Payment.cashier_day_id == day.id, Payment.status == PaymentStatus.POSTED)
                           .group_by(Payment.method))
    return {method.value: amount for method, amount in rows}


def close_cashier_day(session: Session, day: CashierDay, counted: dict[str, Decimal]) -> CashierDay:
    """Close the day with the count per method; refused, naming each difference, unless it matches."""
    expected = expected_takings(session, day)
    methods = sorted(set(expected) | {m for m, v in counted.items() if v})
    differences = [f"{m}: counted {counted.get(m, Decimal(0)):,.2f}, posted {expected.get(m, Decimal(0)):,.2f}"
                   for m in methods if counted.get(m, Decimal(0)) != expected.get(m, Decimal(0))]
    if differences:
        raise DomainError("the count does not balance (" + "; ".join(differences) + ")", "counted")
    move_status(session, day, CashierDayStatus.CLOSED, what=f"cashier day {day}")
    day.expected = {m: f"{v:.2f}" for m, v in expected.items()}
    day.counted = {m: f"{counted.get(m, Decimal(0)):.2f}" for m in methods}
    day.closed_at = now_utc()
    session.flush()
    return day
