"""50 posts of one (channel, reference) at once, each thread with its own session and connection and committing
(outside the per-test rollback): one payment, and every caller is answered with it. On PostgreSQL the posts
really race (READ COMMITTED); on SQLite (a file in WAL mode) BEGIN IMMEDIATE makes them take turns."""
from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.audit.recorder import Actor
from models.base import db
from models.billing.entities import Bill, BillKind, BillStatus
from models.clock import today
from models.collection.entities import Payment, PaymentChannel, PaymentMethod
from models.collection.operations import post_payment, reverse_payment
from models.collection.queries import bill_balances, customer_credit, customer_of_bill, find_payer, get_payment
from models.errors import Refusal
from models.statuses import StatusChange
from models.transactions import transaction
from models.users.tokens import create_api_token
from tests.factories import Factory

POSTS = 50
pytestmark = pytest.mark.no_db          # committed data: the per-test rollback would hide it from the threads


@contextmanager
def committed(app):
    """A committed bill to pay (and a clerk's API token); afterwards every row made since is deleted."""
    tables = [t for t in db.metadata.sorted_tables if "id" in t.c]
    with app.app_context():
        before = {t.name: db.session.scalar(sa.select(sa.func.max(t.c.id))) or 0 for t in tables}
        with transaction(Actor(None, "test")):
            make = Factory(db.session)
            contract = make.contract()
            bill = Bill(number=f"INV-RACE-{contract.id}", kind=BillKind.INVOICE, status=BillStatus.ISSUED,
                        contract_id=contract.id, service_point_id=contract.service_point_id,
                        account_id=contract.account_id,
                        period=date(2025, 5, 1), period_start=date(2025, 5, 1), period_end=date(2025, 6, 1),
                        tariff_code="R-1/TR 1300", tariff_class="R-1", power_va=1300, subtotal=100000, taxes=3000,
                        total=103000, issued_on=date(2025, 5, 1), due_on=date(2025, 5, 21))
            db.session.add(bill)
            secret = create_api_token(db.session, make.user(role="clerk")[0], "race", 30, 90)[1]
        number = bill.number
    try:
        yield number, secret
    finally:
        with app.app_context():
            with db.engine.begin() as conn:
                for table in reversed(tables):
                    conn.execute(table.delete().where(table.c.id > before[table.name]))


def all_at_once(work, count: int = POSTS) -> list:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda i: work(i), range(count)))


def payments_of(app, reference: str) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Payment.id).where(Payment.reference == reference)))


def test_fifty_concurrent_posts_of_one_reference_make_one_payment(app):
    with committed(app) as (number, _):
        def post(_i):
            with app.app_context(), transaction(Actor(None, "race")):
                posted = post_payment(db.session, find_payer(db.session, bill_number=number),
                                      channel=PaymentChannel.PARTNER, method=PaymentMethod.TRANSFER,
                                      reference="RACE-1", amount=Decimal(103000), paid_on=today())
                return posted.payment.id
        ids = all_at_once(post)
        assert len(set(ids)) == 1 and payments_of(app, "RACE-1") == [ids[0]]


def test_fifty_concurrent_api_posts_with_one_key_answer_one_payment(app):
    with committed(app) as (number, secret):
        with app.app_context():
            paid_on = today().isoformat()
        body = {"bill_number": number, "amount": "103000.00", "channel": "partner", "reference": "RACE-2",
                "paid_on": paid_on}
        headers = {"Authentication-Token": secret, "Idempotency-Key": "race-key"}
        answers = all_at_once(lambda _i: app.test_client().post("/api/v1/payments", json=body, headers=headers))
        assert {a.status_code for a in answers} <= {200, 201}, [(a.status_code, a.json) for a in answers]
        assert len({a.json["payment_id"] for a in answers}) == 1
        assert payments_of(app, "RACE-2") == [answers[0].json["payment_id"]]


@pytest.mark.parametrize("lock", [False, True])        # the customer locked by post_payment, or by find_payer
def test_concurrent_payments_of_one_customer_allocate_one_after_the_other(app, lock):
    """Each pays the whole bill: one allocation settles it, the others stay as credit (the bill is never
    paid twice, which reading balances before another payment's allocation commits would do)."""
    with committed(app) as (number, _):
        def post(i):
            with app.app_context(), transaction(Actor(None, "race")):
                payer = find_payer(db.session, bill_number=number, lock=lock)
                post_payment(db.session, payer, channel=PaymentChannel.PARTNER,
                             method=PaymentMethod.TRANSFER, reference=f"RACE-C-{i}", amount=Decimal(103000),
                             paid_on=today())
        all_at_once(post, 20)
        with app.app_context():
            bill = db.session.scalar(sa.select(Bill).where(Bill.number == number))
            assert bill_balances(db.session, [bill.id]) == {bill.id: 0}
            assert customer_credit(db.session, customer_of_bill(db.session, bill).id) == 19 * 103000


def test_two_concurrent_reversals_of_one_payment_reverse_it_once(app):
    with committed(app) as (number, _):
        with app.app_context(), transaction(Actor(None, "test")):
            payment_id = post_payment(db.session, find_payer(db.session, bill_number=number),
                                      channel=PaymentChannel.PARTNER, method=PaymentMethod.TRANSFER,
                                      reference="RACE-R", amount=Decimal(103000), paid_on=today()).payment.id
        loaded = threading.Barrier(2, timeout=2)    # SQLite: the second waits at BEGIN for the first to end

        def reverse(i):
            with app.app_context():
                try:
                    with transaction(Actor(None, f"clerk {i}")):
                        payment = get_payment(db.session, payment_id)       # as the page loads it, before
                        with contextlib.suppress(threading.BrokenBarrierError):
                            loaded.wait()
                        reverse_payment(db.session, payment, "returned", fee=Decimal(25000))
                    return "reversed"
                except Refusal as exc:
                    return str(exc)
        results = all_at_once(reverse, 2)
        with app.app_context():
            moves = db.session.scalars(sa.select(StatusChange.to_status).where(
                StatusChange.object_type == "payment", StatusChange.object_id == payment_id)).all()
        assert sorted(moves) == ["posted", "reversed"] and results.count("reversed") == 1, results
