"""/collection: the cashier finds the customer, posts once however often the form is sent, prints the receipt,
closes the day; a payment is reversed; the debt page and the statement agree. 180 kWh = Rp 267,847."""
import re

import pytest

from models.billing.documents import payment_reference
from models.collection.entities import Payment, PaymentStatus
from tests.conftest import csrf_token


@pytest.fixture
def counter(client, login, issue):
    login("clerk")
    return issue(5)


def _pay(client, customer, amount, token="t1", **extra):
    page = client.get(f"/collection/cashier?q={customer.id}")
    return client.post("/collection/cashier/pay", data={"csrf_token": csrf_token(client, "/collection/cashier"),
                                                         "customer_id": customer.id, "amount": amount,
                                                         "method": "cash", "token": token, **extra}) if page else None


@pytest.mark.parametrize("key", ["number", "reference", "customer_no", "spn"])
def test_the_cashier_finds_the_open_bills_by_any_key(client, counter, contract, key):
    q = {"number": counter.number, "reference": payment_reference(counter.number),
         "customer_no": contract.customer_no, "spn": contract.service_point.spn}[key]
    page = client.get(f"/collection/cashier?q={q}")
    assert page.status_code == 200 and counter.number in page.text and "267,847.00" in page.text


def test_a_form_sent_twice_posts_once_and_the_receipt_says_what_it_paid(db, client, counter, customer):
    first = _pay(client, customer, "267847")
    again = _pay(client, customer, "267847")
    assert first.status_code == again.status_code == 302 and db.session.query(Payment).count() == 1
    payment = db.session.query(Payment).one()
    receipt = client.get(f"/collection/payments/{payment.id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF")


def test_the_day_closes_only_when_the_count_balances(db, client, counter, customer):
    _pay(client, customer, "100000")
    token = csrf_token(client, "/collection/cashier/day")
    client.post("/collection/cashier/day", data={"csrf_token": token, "cash": "90000"})
    assert "open" in client.get("/collection/cashier/day").text
    client.post("/collection/cashier/day", data={"csrf_token": token, "cash": "100000"})
    assert re.search(r'id="day-status">closed', client.get("/collection/cashier/day").text)


def test_a_reversal_reopens_the_bill_on_the_debt_page(db, client, counter, customer):
    _pay(client, customer, "267847")
    payment = db.session.query(Payment).one()
    client.post(f"/collection/payments/{payment.id}/reverse",
                data={"csrf_token": csrf_token(client, f"/collection/payments/{payment.id}"), "reason": "bounced"})
    assert payment.status is PaymentStatus.REVERSED
    page = client.get(f"/collection/customers/{customer.id}")
    assert 'id="debt-total">Rp 267,847.00' in page.text and "reversal" in page.text


def test_the_statement_runs_to_the_debt(db, client, counter, customer, issue):
    issue(6, "100")
    _pay(client, customer, "300000")
    csv = client.get(f"/collection/customers/{customer.id}/statement.csv").text.splitlines()
    # 267,847 + 148,804 - 300,000 = 116,651 still owed
    assert csv[0] == "date,kind,reference,text,debit,credit,balance" and csv[-1].endswith(",116651.00")
    assert client.get(f"/collection/customers/{customer.id}/statement.pdf").data.startswith(b"%PDF")


@pytest.mark.parametrize("amount", ["-5", "abc", "1e30", "0", "9" * 40])
def test_bad_amounts_are_refused_and_post_nothing(db, client, counter, customer, amount):
    answer = _pay(client, customer, amount)
    assert answer.status_code == 302 and db.session.query(Payment).count() == 0


def test_the_bill_page_lists_its_payments_and_what_it_still_owes(db, client, counter, customer):
    _pay(client, customer, "100000")
    page = client.get(f"/billing/bills/{counter.number}")
    # 267,847 - 100,000 = 167,847
    assert 'id="bill-balance"><b>Rp 167,847' in page.text and "cashier" in page.text
