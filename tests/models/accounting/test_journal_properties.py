"""Hypothesis: whatever happens to a customer's bills and payments, and however often the sweep runs in
between, every entry balances, each source event posts exactly once and receivables reconcile to the bills.
Each example runs in a savepoint rolled back afterwards; 15 examples of up to 7 steps (~2 s on SQLite)."""
from collections import Counter
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.accounting.entities import JournalEntry, JournalLine
from models.accounting.operations import post_unposted
from models.accounting.queries import reconcile_receivables
from models.billing.entities import Bill, BillKind, BillStatus
from models.billing.operations import cancel_bill
from models.clock import today
from models.collection.entities import Payment, PaymentChannel, PaymentMethod, PaymentStatus, WriteOff
from models.collection.operations import post_payment, reverse_payment, write_off_bill
from models.collection.queries import Payer, bill_balances

STEP = st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(["100", "180", "950"])),
    st.tuples(st.just("pay"), st.integers(1, 400_000), st.sampled_from(list(PaymentChannel))),
    st.tuples(st.just("reverse"), st.integers(0, 5)),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("write_off"), st.integers(0, 5), st.integers(1, 50_000)),
    st.tuples(st.just("sweep"), st.integers(1, 2)),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, max_size=7))
def test_journals_balance_post_once_and_reconcile(db, issue, customer, steps):
    session = db.session
    savepoint = session.begin_nested()
    try:
        _run(session, issue, customer, steps)
        post_unposted(session)
        post_unposted(session)
        _check(session)
    finally:
        savepoint.rollback()


def _run(session, issue, customer, steps):
    bills, payments, month = [], [], 0
    for step in steps:
        kind = step[0]
        if kind == "issue":
            month += 1
            bills.append(issue(month, step[1]))
        elif kind == "pay":
            payments.append(post_payment(session, Payer.of(customer, None), channel=step[2], method=PaymentMethod.CASH,
                                         reference=f"P{len(payments)}", amount=Decimal(step[1]),
                                         paid_on=today()).payment)
        elif kind == "reverse" and payments:
            payment = payments[step[1] % len(payments)]
            if payment.status is PaymentStatus.POSTED:
                reverse_payment(session, payment, "returned")
        elif kind == "cancel" and bills:
            bill = bills[step[1] % len(bills)]
            if bill.status is BillStatus.ISSUED:
                cancel_bill(session, bill, "wrong reading")
        elif kind == "write_off" and bills:
            bill = bills[step[1] % len(bills)]
            owed = bill_balances(session, [bill.id])[bill.id]
            if owed > 0:
                write_off_bill(session, bill, min(owed, Decimal(step[2])), "uncollectable")
        elif kind == "sweep":
            for _ in range(step[1]):
                post_unposted(session)


def _check(session):
    sums = session.execute(sa.select(JournalLine.entry_id, sa.func.sum(JournalLine.debit),
                                     sa.func.sum(JournalLine.credit)).group_by(JournalLine.entry_id)).all()
    assert all(debit == credit for _, debit, credit in sums)
    keys = Counter(session.execute(sa.select(JournalEntry.source_type, JournalEntry.source_id, JournalEntry.event)))
    assert all(n == 1 for n in keys.values())
    issued = session.scalar(sa.select(sa.func.count()).select_from(Bill).where(Bill.number.is_not(None)))
    paid = session.scalar(sa.select(sa.func.count()).select_from(Payment))
    reversed_ = session.scalar(sa.select(sa.func.count()).select_from(Payment)
                               .where(Payment.status == PaymentStatus.REVERSED))
    written = session.scalar(sa.select(sa.func.count()).select_from(WriteOff))
    voided = session.scalar(sa.select(sa.func.count()).select_from(WriteOff).join(Bill, Bill.id == WriteOff.bill_id)
                            .where(Bill.status == BillStatus.CANCELLED))
    assert len(keys) == issued + paid + reversed_ + written + voided
    credit_notes = session.scalar(sa.select(sa.func.count()).select_from(Bill).where(Bill.kind == BillKind.CREDIT_NOTE))
    assert sum(1 for (_, _, event) in keys if event.value == "credit_note") == credit_notes
    report = reconcile_receivables(session)
    assert report.difference == 0 and report.differences == []
