"""Posting payments once, allocating them oldest bill first, credit, reversal, write-off, the cashier's day.

The bills (conftest): 180 kWh = Rp 267,847; 100 kWh = Rp 148,804 (R-1/TR 1300, Q4-2024)."""
from datetime import timedelta
from decimal import Decimal

import pytest

from models.billing.entities import MiscCharge
from models.billing.operations import cancel_bill
from models.clock import today
from models.collection.cases import known_outside
from models.collection.dunning_entities import PaymentArrangement
from models.collection.entities import PaymentChannel, PaymentMethod, PaymentStatus
from models.collection.locking import lock_customers
from models.collection.operations import (
    allocate_credit,
    cashier_day,
    close_cashier_day,
    post_payment,
    reverse_payment,
    write_off_bill,
)
from models.collection.queries import Payer, bill_balances, customer_credit, customer_debt, find_payer
from models.errors import DomainError, NotFound
from models.transactions import transaction
from tests.sql_sent import statements


@pytest.fixture
def pay(db, customer):
    def _pay(amount, reference="TRX-1", bill=None, channel=PaymentChannel.PARTNER, **kw):
        return post_payment(db.session, Payer.of(customer, bill), channel=channel, method=PaymentMethod.TRANSFER,
                            reference=reference, amount=Decimal(amount), paid_on=today(), **kw)
    return _pay


def test_a_payment_pays_the_oldest_bill_first_and_the_rest_partly(db, issue, pay):
    may, june = issue(5), issue(6, "100")
    posted = pay("300000")
    # 300,000 - 267,847 (May) = 32,153 towards June's 148,804: 116,651 still owed
    assert [(a.bill_id, a.amount) for a in posted.allocations] == [(may.id, 267847), (june.id, Decimal("32153"))]
    assert bill_balances(db.session, [may.id, june.id]) == {may.id: 0, june.id: Decimal("116651")}


def test_a_named_bill_is_paid_first(db, issue, pay):
    may, june = issue(5), issue(6, "100")
    posted = pay("148804", bill=june)
    assert [(a.bill_id, a.amount) for a in posted.allocations] == [(june.id, 148804)]
    assert bill_balances(db.session, [may.id])[may.id] == 267847


def test_the_same_reference_posts_once_whoever_sends_it(db, issue, pay):
    issue(5)
    first = pay("100000")
    again = pay("999999")
    assert again.replay and again.payment.id == first.payment.id and again.payment.amount == 100000
    assert customer_debt(db.session, first.payment.customer, today()).total == Decimal("167847")


def test_an_overpayment_is_credit_that_pays_the_next_bill(db, issue, pay, customer):
    issue(5)
    pay("300000")
    assert customer_credit(db.session, customer.id) == Decimal("32153")
    june = issue(6, "100")
    [allocation] = allocate_credit(db.session, customer.id)
    assert (allocation.bill_id, allocation.amount) == (june.id, Decimal("32153"))
    assert customer_credit(db.session, customer.id) == 0


def test_cancelling_a_paid_bill_leaves_the_payment_as_credit(db, issue, pay, customer):
    may = issue(5)
    pay("267847")
    cancel_bill(db.session, may, "meter read wrong")
    assert customer_credit(db.session, customer.id) == 267847
    assert customer_debt(db.session, customer, today()).total == 0


def test_a_reversal_reopens_what_it_paid_and_charges_the_return_fee(db, issue, pay, contract):
    may = issue(5)
    payment = pay("267847").payment
    reverse_payment(db.session, payment, "returned by the bank: account closed", fee=Decimal("25000"))
    assert payment.status is PaymentStatus.REVERSED and bill_balances(db.session, [may.id])[may.id] == 267847
    charge = db.session.query(MiscCharge).one()
    assert (charge.contract_id, charge.amount, charge.charge_type.code) == (contract.id, 25000, "RETURN_FEE")
    with pytest.raises(DomainError, match="reversed"):
        reverse_payment(db.session, payment, "again")


@pytest.mark.parametrize("amount", ["0", "-5", "0.001", "1e20", "NaN"])
def test_impossible_amounts_are_refused(db, issue, pay, amount):
    with pytest.raises(DomainError, match="Amount"):
        pay(amount)


def test_a_payment_dated_tomorrow_is_refused(db, customer):
    with pytest.raises(DomainError, match="future"):
        post_payment(db.session, Payer.of(customer), channel=PaymentChannel.CASHIER, method=PaymentMethod.CASH,
                     reference="R1", amount=Decimal(1), paid_on=today() + timedelta(days=1))


def test_debt_is_aged_by_days_past_due(db, issue, clock, customer):
    may = issue(5)
    clock.to(may.due_on + timedelta(days=45))
    debt = customer_debt(db.session, customer, today())
    assert (debt.total, debt.overdue, debt.aging["31-60"], debt.aging["current"]) == (267847, 267847, 267847, 0)


def test_a_write_off_lowers_the_balance_but_never_below_zero(db, issue):
    may = issue(5)
    write_off_bill(db.session, may, Decimal("7847"), "rounding agreed with the customer")
    assert bill_balances(db.session, [may.id])[may.id] == 260000
    with pytest.raises(DomainError, match="owes 260,000.00"):
        write_off_bill(db.session, may, Decimal("260000.01"), "too much")


def test_the_payer_is_found_by_bill_number_id_pelanggan_spn_and_payment_reference(db, issue, contract):
    from models.billing.documents import payment_reference
    may = issue(5)
    customer_id = contract.account.customer_id
    assert find_payer(db.session, bill_number=may.number) == Payer(customer_id, may.id)
    assert find_payer(db.session, bill_number=may.number, lock=True) == Payer(customer_id, may.id)
    assert find_payer(db.session, payment_reference=payment_reference(may.number)) == Payer(customer_id, may.id)
    assert find_payer(db.session, customer_no=contract.customer_no) == Payer(customer_id)
    assert find_payer(db.session, spn=contract.service_point.spn) == Payer(customer_id)
    with pytest.raises(NotFound, match="no bill numbered"):
        find_payer(db.session, bill_number="INV-1999-0000001")
    with pytest.raises(DomainError, match="check digit"):
        find_payer(db.session, payment_reference="202600000010")


def test_a_cashier_day_closes_only_when_the_count_balances(db, issue, pay):
    day = cashier_day(db.session, "kasir@example.com")
    issue(5)
    pay("100000", reference="K-1", channel=PaymentChannel.CASHIER, cashier_day=day)
    with pytest.raises(DomainError, match="transfer: counted 90,000.00, posted 100,000.00"):
        close_cashier_day(db.session, day, {"transfer": Decimal("90000")})
    close_cashier_day(db.session, day, {"transfer": Decimal("100000")})
    with pytest.raises(DomainError, match="is closed"):
        cashier_day(db.session, "kasir@example.com")


def test_the_beat_allocates_credit_to_bills_issued_since(db, issue, pay, customer):
    from workflows.credits import allocate_credits
    issue(5)
    pay("300000")
    june = issue(6, "100")
    assert allocate_credits() == 1 and bill_balances(db.session, [june.id])[june.id] == Decimal("116651")
    assert allocate_credits() == 0


def test_dunning_hears_of_a_payment_whichever_edge_posted_it(db, issue, pay, customer, monkeypatch):
    from models.transactions import transaction
    from workflows import credits
    heard = []
    monkeypatch.setattr(credits, "on_payments", lambda session, ids: heard.append(ids))
    issue(5)
    with transaction():
        pay("1000")
    assert heard == [[customer.id]]


def locks(sent: list[str]) -> int:
    return sum("FOR NO KEY UPDATE" in statement for statement in sent)


LOCKING = {"postgresql": True}      # SQLite's writers take turns anyway (BEGIN IMMEDIATE): nothing is locked there


def test_a_customer_is_locked_once_per_transaction(db, customer):
    """The second ask in a transaction costs no statement; the next transaction locks again."""
    with statements(db) as sent:
        lock_customers(db.session, [customer.id])
        lock_customers(db.session, [customer.id])
        db.session.commit()
        lock_customers(db.session, [customer.id])
    assert locks(sent) == (2 if LOCKING.get(db.engine.dialect.name) else 0)


def test_a_rolled_back_savepoint_forgets_its_payment_and_its_lock(db, issue, pay, customer):
    issue(5)
    savepoint = db.session.begin_nested()
    first = pay("1000", reference="SP-1")
    savepoint.rollback()
    second = pay("1000", reference="SP-2")          # SQLite gives the same ids again: no clash with the first
    assert first.payment not in db.session and second.payment.reference == "SP-2"
    with statements(db) as sent:
        savepoint = db.session.begin_nested()
        lock_customers(db.session, [customer.id])
        savepoint.rollback()                        # PostgreSQL released the lock taken in it
        lock_customers(db.session, [customer.id])
    assert locks(sent) == (2 if LOCKING.get(db.engine.dialect.name) else 0)


def test_a_post_locks_its_customer_before_it_inserts(db, issue, pay):
    """Locking after the insert, a post that finds its reference taken would wait for the other post while
    holding the lock that one waits for: a deadlock with the API's post (it locks with the payer's look-up)."""
    issue(5)
    with statements(db) as sent:
        pay("1000")
    lock = next((i for i, statement in enumerate(sent) if "FOR NO KEY UPDATE" in statement), None)
    insert = next(i for i, statement in enumerate(sent) if "INSERT INTO payments" in statement)
    assert (lock is not None and lock < insert) if LOCKING.get(db.engine.dialect.name) else lock is None


def test_a_payer_in_no_case_is_read_so_with_the_credit_and_costs_no_dunning_query(db, issue, pay):
    issue(5)
    with statements(db) as sent:
        with transaction():
            pay("1000")
    asked = [statement for statement in sent if "payment_arrangements" in statement]
    assert len(asked) == 1 and " AS kind" in asked[0]          # the credit and open bills read, nothing after


def test_what_is_known_outside_collection_is_forgotten_once_an_arrangement_is_written(db, issue, pay, customer,
                                                                                     contract):
    issue(5)
    pay("1000")
    assert customer.id in known_outside(db.session)
    db.session.add(PaymentArrangement(customer_id=customer.id, contract_id=contract.id, bill_ids=[], total=1000,
                                      down_payment=0, created_on=today(), by="test"))
    assert known_outside(db.session) == set()                   # pending: the commit's check asks again
    db.session.flush()
    assert known_outside(db.session) == set()
