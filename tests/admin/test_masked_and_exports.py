"""Masked numbers stay masked for clerks whatever they search, sort, filter or export; CSV cells never run
as formulas; database refusals never show their SQL."""
import csv
import io
import sqlite3

import sqlalchemy as sa
from flask_login import login_user
from lxml import html

from admin_views.customers import BankAccountView
from models.customers.entities import BankAccount
from models.errors import describe_integrity_error
from tests.conftest import csrf_token


def bank_account(db, make, number: str, holder: str = "Siti") -> BankAccount:
    row = BankAccount(account=make.account(), bank="BRI", number=number, holder=holder)
    db.session.add(row)
    db.session.commit()
    return row


def relogin(client, login, role: str):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return login(role)


def exported(client, url) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(url).get_data(as_text=True))))


def test_a_clerks_fragment_search_finds_no_bank_account_an_admins_does(db, client, login, make):
    bank_account(db, make, "1234567890")
    login("clerk")
    assert "••••••7890" not in client.get("/admin/admin_bank_accounts/?search=4567").text
    relogin(client, login, "admin")
    assert "1234567890" in client.get("/admin/admin_bank_accounts/?search=4567").text


def test_a_clerks_full_number_search_reveals_nothing_and_is_not_offered(db, client, login, make):
    bank_account(db, make, "1234567890")
    login("clerk")
    page = client.get("/admin/admin_bank_accounts/?search=1234567890").text
    assert "••••••7890" not in page
    placeholder = html.fromstring(page).xpath('//input[@name="search"]/@placeholder')[0]
    assert "holder" in placeholder.lower() and "number" not in placeholder.lower()


def test_a_clerks_fragment_search_finds_no_identity_document(db, client, login, make):
    make.identity_document(number="3171999900001111")
    login("clerk")
    assert "••••••••••••1111" not in client.get("/admin/admin_identity_documents/?search=99990000").text
    assert "••••••••••••1111" in client.get("/admin/admin_identity_documents/").text


def test_a_clerk_cannot_sort_by_a_masked_number(db, client, login, make):
    bank_account(db, make, "9000000001", holder="Ana")
    bank_account(db, make, "1000000002", holder="Budi")
    login("clerk")
    assert "sort=2" not in client.get("/admin/admin_bank_accounts/").text  # column 2 is the number
    for query in ("?sort=2", "?sort=2&desc=1"):
        page = client.get(f"/admin/admin_bank_accounts/{query}").text
        assert page.index("Ana") < page.index("Budi")
    relogin(client, login, "admin")
    page = client.get("/admin/admin_bank_accounts/?sort=2").text
    assert page.index("Budi") < page.index("Ana")


def test_a_filter_on_a_masked_number_is_ignored_for_clerks(app, db, make):
    class Filtered(BankAccountView):
        column_filters = ["bank", "number"]
    view = Filtered(BankAccount, db, endpoint="probe_bank_accounts")
    arg = next(key for key, (_, flt) in view._filter_args.items() if flt.column.key == "number")
    for role, expected in (("clerk", 0), ("admin", 1)):
        with app.test_request_context(f"/?flt0_{arg}=4567"):
            login_user(make.user(role=role)[0])
            assert len(view._get_list_filter_args()) == expected
            assert ("Number" in (view._get_filter_groups() or {})) == bool(expected)


def test_a_clerks_details_and_export_show_numbers_masked_an_admins_in_full(db, client, login, make):
    row = bank_account(db, make, "1234567890")
    login("clerk")
    assert "1234567890" not in client.get(f"/admin/admin_bank_accounts/details/?id={row.id}").text
    clerks = exported(client, "/admin/admin_bank_accounts/export/csv/")
    assert [r[2] for r in clerks[1:]] == ["••••••7890"]
    relogin(client, login, "admin")
    assert [r[2] for r in exported(client, "/admin/admin_bank_accounts/export/csv/")[1:]] == ["1234567890"]


def test_admin_export_neutralises_formulas_but_keeps_negative_numbers(db, client, login, make):
    make.customer(name='=HYPERLINK("http://evil.example","x")', phone="-12.5")
    login("admin")
    rows = exported(client, "/admin/admin_customers/export/csv/")
    header, row = rows[0], rows[1]
    assert row[header.index("Name")] == '\'=HYPERLINK("http://evil.example","x")'
    assert row[header.index("Phone")] == "-12.5"


def test_a_database_error_in_an_admin_form_shows_no_sql(app, db, client, login, make, monkeypatch):
    view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == "admin_stores")

    def broken(form, model, is_created):
        raise sa.exc.OperationalError("INSERT INTO stores (code) VALUES (?)", ("S9",),
                                      sqlite3.OperationalError("disk I/O error"))
    monkeypatch.setattr(view, "on_model_change", broken)
    login("admin")
    url = "/admin/admin_stores/new/"
    page = client.post(url, data={"code": "S9", "name": "Store 9", "kind": "central", "address": "Jl. 9",
                                  "csrf_token": csrf_token(client, url)})
    assert "the database refused this change" in page.text
    assert not any(word in page.text for word in ("SQL", "INSERT", "sqlite3", "disk I/O"))


def test_an_integrity_error_no_rule_explains_reads_as_a_refusal():
    error = sa.exc.IntegrityError("INSERT INTO stores (code) VALUES (?)", ("S9",),
                                  sqlite3.IntegrityError("some new constraint failed: secret detail"))
    assert str(describe_integrity_error(error)) == "the database refused this change"



def test_mass_delete_reports_a_refusal_without_sql_and_deletes_the_rest(db, client, login, make):
    from models.customers.entities import Customer
    payer, other = make.customer(name="Payer"), make.customer(name="Other")
    make.account(payer)
    login("admin")
    ids = [str(payer.id), str(other.id)]
    page = client.post("/admin/admin_customers/action/", follow_redirects=True, data={
        "action": "delete", "rowid": ids, "csrf_token": csrf_token(client, "/admin/admin_customers/")})
    assert "Record was successfully deleted." in page.text and "Customer id: is required" in page.text
    assert not any(word in page.text for word in ("SQL", "DELETE", "sqlite3"))
    db.session.expire_all()
    assert db.session.scalars(sa.select(Customer.id)).all() == [payer.id]


def test_mass_delete_on_a_failing_database_shows_no_sql(app, db, client, login, make, monkeypatch):
    view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == "admin_customers")

    def broken():
        raise sa.exc.OperationalError("SELECT customers.id FROM customers", (), sqlite3.OperationalError("disk I/O"))
    monkeypatch.setattr(view, "get_query", broken)
    login("admin")
    client.post("/admin/admin_customers/action/", data={
        "action": "delete", "rowid": [str(make.customer().id)], "csrf_token": csrf_token(client, "/")})
    monkeypatch.undo()
    page = client.get("/admin/admin_customers/")
    assert "the database refused this change" in page.text
    assert not any(word in page.text for word in ("SQL", "SELECT", "sqlite3", "disk I/O"))
