"""Payment arrangements: a down payment and instalments that add up to the overdue bills; met as the bills are
paid, broken by a missed instalment, completed when the bills are paid. May's bill = Rp 267,847."""
from datetime import timedelta
from decimal import Decimal

import pytest

from models.clock import today
from models.collection.arrangements import create_arrangement, review_arrangement
from models.collection.entities import PaymentChannel, PaymentMethod
from models.collection.operations import post_payment
from models.collection.queries import Payer
from models.errors import DomainError
from models.statuses import status_history


@pytest.fixture
def overdue(db, issue, clock):
    bill = issue(5)
    clock.to(bill.due_on + timedelta(days=3))
    return bill


def _pay(db, customer, amount, ref):
    post_payment(db.session, Payer.of(customer), channel=PaymentChannel.CASHIER, method=PaymentMethod.CASH,
                 reference=ref, amount=Decimal(amount), paid_on=today())


def test_instalments_are_met_as_the_bills_are_paid(db, contract, customer, overdue):
    day = today()
    arrangement = create_arrangement(db.session, contract, Decimal("67847"),
                                     [(day + timedelta(days=30), Decimal("100000")),
                                      (day + timedelta(days=60), Decimal("100000"))])
    assert [(i.sequence, i.amount) for i in arrangement.instalments] == [
        (0, Decimal("67847")), (1, Decimal("100000")), (2, Decimal("100000"))]
    _pay(db, customer, "167847", "R-1")
    assert review_arrangement(db.session, arrangement, day).value == "active"
    assert [i.met_on is not None for i in arrangement.instalments] == [True, True, False]
    _pay(db, customer, "100000", "R-2")
    assert review_arrangement(db.session, arrangement, day).value == "completed"
    assert [c.to_status for c in status_history(db.session, "payment_arrangement", arrangement.id)] == [
        "active", "completed"]


def test_a_missed_instalment_breaks_the_arrangement(db, contract, overdue):
    day = today()
    arrangement = create_arrangement(db.session, contract, Decimal(0), [(day + timedelta(days=10), Decimal("267847"))])
    assert review_arrangement(db.session, arrangement, day + timedelta(days=10)).value == "active"   # due today
    assert review_arrangement(db.session, arrangement, day + timedelta(days=11)).value == "broken"
    assert "instalment 1 of 267,847.00" in status_history(db.session, "payment_arrangement", arrangement.id)[-1].note


@pytest.mark.parametrize("down, plan, field, message", [
    ("0", [(30, "100000")], "instalments", "add up to 100,000.00; the overdue bills owe 267,847.00"),
    ("-1", [(30, "267848")], "down_payment", "must not be negative"),
    ("0", [(0, "267847")], "instalments", "must fall after"),
    ("0", [], "instalments", "at least one instalment"),
    ("0", [(30, "0")], "instalments", "positive amount"),
])
def test_a_bad_plan_is_refused(db, contract, overdue, down, plan, field, message):
    with pytest.raises(DomainError) as refused:
        create_arrangement(db.session, contract, Decimal(down),
                           [(today() + timedelta(days=d), Decimal(a)) for d, a in plan])
    assert refused.value.field == field and message in refused.value.message


def test_only_overdue_debt_is_arranged_and_only_once(db, contract, issue):
    issue(5)     # not yet due
    with pytest.raises(DomainError, match="no overdue bills"):
        create_arrangement(db.session, contract, Decimal(0), [(today() + timedelta(days=30), Decimal("1"))])
