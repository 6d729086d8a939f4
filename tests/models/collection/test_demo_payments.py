"""The demo's payments: written in bulk, each paying one bill that fell due, never more than it owes."""
from datetime import timedelta

import sqlalchemy as sa

from models.collection.entities import Payment, PaymentAllocation
from models.collection.queries import bill_balances
from models.demo.payments import pay_demo_bills
from models.statuses import StatusChange


def test_demo_payments_pay_bills_that_fell_due_and_never_more_than_owed(db, issue):
    bills = [issue(month) for month in range(1, 13)]
    written = pay_demo_bills(db.session, bills[0].due_on + timedelta(days=1), seed=3)
    paid = db.session.execute(sa.select(PaymentAllocation.bill_id, PaymentAllocation.amount)).all()
    balances = bill_balances(db.session, [b.id for b in bills])
    assert written == db.session.query(Payment).count() == len(paid) > 0
    assert all(0 <= balances[bill_id] < 267847 for bill_id, _ in paid)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange)
                             .where(StatusChange.object_type == "payment")) == written
