"""The suspense queue: a clerk matches a line to a bill or customer (it posts once) or refunds it."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.clock import today
from models.collection.bank_entities import SuspenseItem, SuspenseStatus
from models.collection.entities import Payment
from models.collection.queries import bill_balances
from models.collection.statements import import_statement
from models.collection.suspense import match_suspense, refund_suspense, suspense_queue
from models.errors import DomainError, NotFound


@pytest.fixture
def item(db):
    text = f"reference,date,amount,payer,remittance\nS1,{today().isoformat()},100000,Budi,listrik bulan ini\n"
    import_statement(db.session, "s.csv", text.encode())
    return db.session.scalars(suspense_queue()).one()


def test_matching_to_a_bill_posts_the_line_once(db, issue, item):
    june = issue(6)
    payment = match_suspense(db.session, item, bill_number=june.number, note="phoned the payer")
    assert (item.status, item.payment_id, payment.amount) == (SuspenseStatus.MATCHED, payment.id, 100000)
    assert bill_balances(db.session, [june.id])[june.id] == Decimal("167847")
    text = f"reference,date,amount,payer,remittance\nS1,{today().isoformat()},100000,Budi,{june.number}\n"
    assert import_statement(db.session, "t.csv", text.encode()).statement.replayed == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    with pytest.raises(DomainError, match="cannot move from matched"):
        refund_suspense(db.session, item, "too late")


def test_matching_to_an_unknown_key_changes_nothing(db, item):
    with pytest.raises(NotFound):
        match_suspense(db.session, item, customer_no="999999999999")
    with pytest.raises(DomainError, match="name a bill"):
        match_suspense(db.session, item)
    assert item.status is SuspenseStatus.OPEN


def test_a_refund_needs_its_reason_and_leaves_the_queue(db, item):
    with pytest.raises(DomainError, match="why"):
        refund_suspense(db.session, item, " ")
    refund_suspense(db.session, item, "not our customer")
    assert item.status is SuspenseStatus.REFUNDED and item.reason == "not our customer"
    assert db.session.scalars(suspense_queue()).all() == []
    assert db.session.scalar(sa.select(SuspenseItem.resolved_by)) is not None
