"""/accounting/trial-balance and /accounting/reconciliation on a posted R-1/TR 1300 bill (Rp 267,847)."""
from models.accounting.operations import post_unposted
from tests.models.collection import conftest as collection

tariffs, contract, customer, issue = collection.tariffs, collection.contract, collection.customer, collection.issue


def test_the_trial_balance_page_shows_the_totals(db, client, login, issue):
    issue(5)
    post_unposted(db.session)
    login("clerk")
    page = client.get("/accounting/trial-balance")
    assert page.status_code == 200
    assert 'id="total-debit">267,847.00' in page.text and 'id="total-credit">267,847.00' in page.text
    assert "Trade receivables: electricity" in page.text


def test_a_bad_date_is_a_400_with_the_reason(db, client, login):
    login("clerk")
    page = client.get("/accounting/trial-balance?date=31-12-2026")
    assert page.status_code == 400 and "YYYY-MM-DD" in page.text


def test_the_reconciliation_lists_the_customer_an_unposted_bill_puts_off(db, client, login, issue):
    post_unposted(db.session)
    issue(5)
    login("clerk")
    page = client.get("/accounting/reconciliation")
    assert page.status_code == 200 and 'id="difference">-267,847.00' in page.text and "Siti Rahayu" in page.text
    post_unposted(db.session)
    assert 'id="reconciled"' in client.get("/accounting/reconciliation").text


def test_the_pages_need_a_login(db, client):
    assert client.get("/accounting/trial-balance").status_code in (302, 401)
