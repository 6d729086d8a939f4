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

from models.audit.recorder import acting_name, record_bulk
from models.base import insert_rows, new_ids
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
from models.collection.queries import (
    Payer,
    bill_balances,
    credit_of_customers,
    open_bills,
    open_bills_of_customers,
    unallocated,
)
from models.contracts.entities import Contract
from models.customers.entities import Account
from models.errors import DomainError
from models.objects import type_of
from models.statuses import StatusChange, begin_status, move_status

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


def check_amount(amount: Decimal, field_name: str = "amount") -> Decimal:
    if not amount.is_finite() or amount <= 0:
        raise DomainError("must be a positive amount", field_name)
    if amount > AMOUNT_MAX or amount != amount.quantize(Decimal("0.01")):
        raise DomainError("must have at most 16 digits and 2 decimals", field_name)
    return amount


def payment_of(session: Session, channel: PaymentChannel, reference: str) -> Payment | None:
    return session.scalar(sa.select(Payment).where(Payment.channel == channel, Payment.reference == reference))


def _one_at_a_time(session: Session, channel: PaymentChannel, reference: str) -> None:
    """Posts of one (channel, reference) take turns until their transactions end, so that the second one finds
    the first one's payment (and returns it) instead of failing on the unique key: a transaction advisory lock on
    PostgreSQL; SQLite's writers take turns anyway (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        key = sa.func.hashtextextended(f"payment {channel.value} {reference}", 0)
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def post_payment(session: Session, payer: Payer, *, channel: PaymentChannel, method: PaymentMethod, reference: str,
                 amount: Decimal, paid_on: date, payer_name: str | None = None, note: str | None = None,
                 idempotency_key: str | None = None, request_hash: str | None = None,
                 cashier_day: CashierDay | None = None) -> PostedPayment:
    """Post a payment once per (channel, reference) and allocate it: the named bill first, then the oldest open
    bills; what is left stays as the customer's credit. Posting a reference again returns the first payment."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("is required: the channel's own reference (receipt, transfer, partner id)", "reference")
    check_amount(amount)
    if paid_on > today():
        raise DomainError(f"{paid_on.isoformat()} is in the future", "paid_on")
    _one_at_a_time(session, channel, reference)
    earlier = payment_of(session, channel, reference)
    if earlier is not None:
        return PostedPayment(earlier, replay=True, allocations=list(earlier.allocations))
    payment = Payment(channel=channel, method=method, reference=reference, customer_id=payer.customer.id,
                      amount=amount, paid_on=paid_on, payer=(payer_name or "").strip()[:200] or None,
                      named_bill_id=payer.bill.id if payer.bill else None, idempotency_key=idempotency_key,
                      request_hash=request_hash, cashier_day_id=cashier_day.id if cashier_day else None,
                      note=note, by=acting_name())
    begin_status(session, payment, PaymentStatus.POSTED)
    session.add(payment)
    session.flush()
    # Whatever posted it (counter, API, statement, suspense, direct debit), dunning hears of it before the
    # transaction commits (workflows.credits.tell_dunning_before_commit).
    session.info.setdefault(PAID_KEY, set()).add(payer.customer.id)
    made, credit, balances = _allocate(session, payer.customer.id, payer.bill)
    return PostedPayment(payment, allocations=made, credit=credit, balances=balances)


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
    credit = credit_of_customers(session, customers)
    bills = open_bills_of_customers(session, customers, lock=True)
    ids = new_ids(session, Payment.__table__, len(items))
    now, by = now_utc(), acting_name()
    payments, changes, allocations = [], [], []
    for payment_id, item in zip(ids, items, strict=True):
        payments.append({"id": payment_id, "channel": channel, "method": method, "reference": item.reference,
                         "customer_id": item.customer_id, "amount": item.amount, "paid_on": item.paid_on,
                         "payer": (item.payer_name or "").strip()[:200] or None, "named_bill_id": item.bill_id,
                         "note": item.note})
        changes.append({"object_id": payment_id})
        theirs = credit[item.customer_id]
        theirs[payment_id] = (item.paid_on, item.amount)
        allocations += _allocation_rows(theirs, bills.get(item.customer_id, []), item.bill_id)
    constants = {"status": PaymentStatus.POSTED, "by": by, "received_at": now, "idempotency_key": None,
                 "request_hash": None, "cashier_day_id": None, "reversed_at": None, "reversal_reason": None}
    insert_rows(session, Payment.__table__, payments, constants)
    insert_rows(session, StatusChange.__table__, changes, {
        "object_type": type_of(Payment).key, "from_status": None, "to_status": PaymentStatus.POSTED.value,
        "at": now, "by": by, "note": None, "instance_id": None})
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
    return _allocate(session, customer_id, first)[0]


def _allocate(session: Session, customer_id: int, first: Bill | None
              ) -> tuple[list[PaymentAllocation], Decimal, dict[int, Decimal]]:
    """allocate_credit, also answering the credit left and bill id -> balance of each bill it paid."""
    credit = unallocated(session, customer_id)
    if not credit:
        return [], Decimal(0), {}
    left_over = sum(credit.values(), Decimal(0))
    bills = open_bills(session, customer_id, lock=True)
    if first is not None:
        bills.sort(key=lambda item: item.bill.id != first.id)      # stable: the rest keep their order
    made, day, balances = [], today(), {}
    payments = iter(list(credit.items()))
    payment_id, left = next(payments)
    for item in bills:
        owed = item.balance
        while owed > 0 and left > 0:
            part = min(owed, left)
            made.append(PaymentAllocation(payment_id=payment_id, bill_id=item.bill.id, amount=part, allocated_on=day))
            owed, left, left_over = owed - part, left - part, left_over - part
            balances[item.bill.id] = owed
            if left == 0:
                payment_id, left = next(payments, (None, Decimal(0)))
        if left == 0:
            break
    session.add_all(made)
    session.flush()
    return made, left_over, balances


def reverse_payment(session: Session, payment: Payment, reason: str, fee: Decimal | None = None) -> Payment:
    """Reverse a posted payment (a returned transfer, a failed debit, a cashier's mistake): what it paid is open
    again; `fee` charges the return fee on the customer's next bill."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("is required: why the payment is reversed", "reason")
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
