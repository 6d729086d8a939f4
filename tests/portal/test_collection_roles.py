"""The cashier works the counter and nothing of the back office; the accountant reads the books and collection
but posts nothing at the counter; neither reaches the admin."""
import pytest

from models.users.entities import Role, RoleName

PATHS = ["/collection/cashier", "/collection/cashier/day", "/accounting/trial-balance", "/accounting/reconciliation",
         "/collection/dunning/", "/collection/bank/", "/admin/", "/inquiry/"]


@pytest.mark.parametrize("role, codes", [
    ("cashier", [200, 200, 403, 403, 403, 403, 403, 403]),
    ("accountant", [403, 403, 200, 200, 200, 200, 403, 403]),
])
def test_each_role_reaches_its_own_pages(client, login, role, codes):
    login(role)
    assert [client.get(path).status_code for path in PATHS] == codes


def test_the_accountant_posts_nothing_at_the_counter(client, login, make):
    login("accountant")
    customer = make.customer()
    response = client.post("/collection/cashier/pay", data={"customer_id": customer.id, "amount": "1000"})
    assert response.status_code in (400, 403)       # CSRF or role: never a payment


@pytest.mark.parametrize("role, home", [("cashier", "/collection/cashier"),
                                        ("accountant", "/accounting/trial-balance")])
def test_signing_in_lands_each_role_on_its_page(client, login, role, home):
    login(role)
    assert client.get("/").headers["Location"].endswith(home)


def test_clerks_keep_the_counter_and_the_books(client, login):
    login("clerk")
    assert [client.get(p).status_code for p in ("/collection/cashier", "/accounting/trial-balance")] == [200, 200]


def test_the_migration_made_the_role_rows(db):
    names = {r.name for r in db.session.query(Role)}
    assert {RoleName.CASHIER.value, RoleName.ACCOUNTANT.value} <= names


def test_the_accountant_reads_mandates_and_batches_with_their_returns(db, client, login, contract, issue):
    from datetime import timedelta

    from models.clock import today
    from models.collection.bank_entities import DebitItemStatus
    from models.collection.direct_debit import Creditor, add_mandate, create_direct_debit_batch
    from models.customers.entities import BankAccount, PaymentMethod
    account = contract.account
    account.payment_method = PaymentMethod.DIRECT_DEBIT
    db.session.add(BankAccount(account_id=account.id, bank="Bank Mandiri", number="1230009876543", holder="Siti"))
    add_mandate(db.session, account, "MND-0042", today() - timedelta(days=30))
    batch, _ = create_direct_debit_batch(db.session, issue(6).due_on, Creditor("PT Watt", "0011", "BMRIIDJA", "ID00"))
    batch.items[0].status = DebitItemStatus.RETURNED
    login("accountant")
    page = client.get("/collection/direct-debit/").text
    assert "MND-0042" in page and account.account_no in page and "267,847.00" in page
    assert 'text-danger">1<' in page                              # one debit came back
    assert "267,847.00" in client.get(f"/collection/direct-debit/{batch.id}").text
