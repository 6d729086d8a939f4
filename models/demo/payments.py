"""The demo's payments: most customers pay their bills by the due date, some late, some partly, some not at
all, through every channel, so the cashier, the debt pages, aging and dunning have real rows to show.

Written in bulk (a payment and its allocation per paid bill), as the billing run writes bills: the demo's
tens of thousands of bills would take minutes through post_payment one by one. Deterministic for a seed.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.base import insert_rows, new_ids
from models.billing.entities import Bill, BillKind, BillStatus
from models.clock import business_zone
from models.collection.entities import Payment, PaymentAllocation, PaymentChannel, PaymentMethod, PaymentStatus
from models.customers.entities import Account
from models.customers.entities import PaymentMethod as AccountPaying
from models.statuses import StatusChange

# How a demo customer treats a bill: share of bills paid on time, late, in part, or left unpaid.
ON_TIME, LATE, PARTLY = 0.78, 0.10, 0.04
CHANNELS = ((PaymentChannel.PARTNER, PaymentMethod.TRANSFER, 0.55), (PaymentChannel.BANK_TRANSFER,
            PaymentMethod.TRANSFER, 0.2), (PaymentChannel.CASHIER, PaymentMethod.CASH, 0.25))


def _channel(rng: random.Random) -> tuple[PaymentChannel, PaymentMethod]:
    pick, total = rng.random(), 0.0
    for channel, method, share in CHANNELS:
        total += share
        if pick < total:
            return channel, method
    return CHANNELS[-1][0], CHANNELS[-1][1]


def pay_demo_bills(session: Session, as_of: date, seed: int = 1) -> int:
    """Pay the demo's issued invoices that fell due before `as_of` the way customers do; the payments written."""
    rng = random.Random(seed * 7919)
    bills = session.execute(
        sa.select(Bill.id, Bill.number, Bill.total, Bill.issued_on, Bill.due_on, Account.customer_id,
                  Account.payment_method)
        .join(Account, Account.id == Bill.account_id)
        .where(Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.ISSUED, Bill.due_on < as_of,
               ~sa.exists().where(PaymentAllocation.bill_id == Bill.id))
        .order_by(Bill.id)).all()
    plans = []
    for bill in bills:
        fate = rng.random()
        if fate >= ON_TIME + LATE + PARTLY or bill.total <= 0:
            continue                                  # unpaid: debt to collect
        if bill.payment_method is AccountPaying.DIRECT_DEBIT:
            channel, method, paid_on = PaymentChannel.DIRECT_DEBIT, PaymentMethod.DEBIT, bill.due_on
        else:
            channel, method = _channel(rng)
            days = (bill.due_on - bill.issued_on).days
            paid_on = bill.issued_on + timedelta(days=rng.randint(0, max(days, 0))) if fate < ON_TIME else \
                bill.due_on + timedelta(days=rng.randint(1, 40))
        amount = bill.total if fate < ON_TIME + LATE else (bill.total / 2).quantize(Decimal("1"))
        plans.append((bill, channel, method, min(paid_on, as_of - timedelta(days=1)), amount))
    if not plans:
        return 0
    ids = new_ids(session, Payment.__table__, len(plans))
    payments, allocations, changes = [], [], []
    for payment_id, (bill, channel, method, paid_on, amount) in zip(ids, plans, strict=True):
        at = datetime.combine(paid_on, time(10, 0), business_zone())
        payments.append({"id": payment_id, "channel": channel, "method": method, "reference": f"DEMO-{bill.number}",
                         "customer_id": bill.customer_id, "amount": amount, "paid_on": paid_on,
                         "named_bill_id": bill.id, "received_at": at})
        allocations.append({"payment_id": payment_id, "bill_id": bill.id, "amount": amount, "allocated_on": paid_on,
                            "allocated_at": at})
        changes.append({"object_id": payment_id, "at": at})
    constants = {"status": PaymentStatus.POSTED, "by": "demo-data", "payer": None, "idempotency_key": None,
                 "request_hash": None, "cashier_day_id": None, "note": None, "reversed_at": None,
                 "reversal_reason": None}
    insert_rows(session, Payment.__table__, payments, constants)
    insert_rows(session, PaymentAllocation.__table__, allocations, {"released_at": None})
    insert_rows(session, StatusChange.__table__, changes, {"object_type": "payment", "from_status": None,
                                                           "to_status": PaymentStatus.POSTED.value,
                                                           "by": "demo-data", "note": None, "instance_id": None})
    return len(payments)
