"""The inquiry pages and API: one box, the view and its sections, the clerk's actions, masking."""
from datetime import date

import pytest

from models.contacts.entities import Contact
from models.customers.entities import BankAccount, PaymentMethod
from models.requests.entities import CustomerRequest, RequestType
from tests.conftest import csrf_token
from tests.portal.test_api import issue_api_token

SECTION_TEXT = {"general": "Unresolved service orders", "history": "519000000002", "invoices": "No bill yet",
                "devices": "MTR-88001", "property": "Jl. Braga 7", "customer": "Rina Wulandari",
                "debt": "Nothing owed.", "account": "••••••7890", "contract": "R-1/TR 2200",
                "billing_history": "No issued bill yet", "billed_usage": "No issued bill yet",
                "connection": "no meter chamber", "requests": "No request for this service point"}


@pytest.fixture
def point(make, db):
    customer = make.customer(name="Rina Wulandari", phone="085711112222")
    make.identity_document(customer, number="3273015555666677")
    account = make.account(customer, payment_method=PaymentMethod.DIRECT_DEBIT)
    db.session.add(BankAccount(account=account, bank="Mandiri", number="9988777890", holder=customer.name))
    sp = make.service_point(spn="BDG91000001")
    sp.property.address = "Jl. Braga 7"
    from models.contracts.operations import open_contract
    contract = open_contract(db.session, sp, account, "519000000002", make.tariff(code="R-1/TR 2200"), 2200,
                             date(2021, 5, 1))
    make.installed_meter(contract, date(2021, 5, 1), number="MTR-88001")
    db.session.commit()
    return contract


def test_one_match_opens_the_view_and_several_list(client, login, point, make):
    login("clerk")
    response = client.get("/inquiry/?q=rina+wulan")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inquiry/BDG91000001")
    make.contract(service_point=make.service_point(spn="BDG91000002"))
    listed = client.get("/inquiry/?q=BDG9100")
    assert listed.status_code == 200 and "BDG91000001" in listed.text and "BDG91000002" in listed.text
    assert "Nothing matches" in client.get("/inquiry/?q=zzzzqqq").text
    assert client.get("/inquiry/?q=" + "x" * 300).status_code == 400


def test_the_view_and_every_section(client, login, point):
    login("clerk")
    page = client.get("/inquiry/BDG91000001")
    assert page.status_code == 200
    assert "519000000002" in page.text and "Rina Wulandari" in page.text and "2,200 VA" in page.text
    for key, text in SECTION_TEXT.items():
        response = client.get(f"/inquiry/BDG91000001/sections/{key}")
        assert response.status_code == 200, key
        assert text in response.text, key
    assert "3273015555666677" not in client.get("/inquiry/BDG91000001/sections/customer").text
    assert client.get("/inquiry/BDG91000001/sections/nope").status_code == 404
    assert client.get("/inquiry/NOPE").status_code == 404


def test_a_contact_and_a_complaint(client, login, point, shipped, db):
    login("clerk")
    token = csrf_token(client, "/inquiry/BDG91000001")
    client.post("/inquiry/BDG91000001/contacts", data={"csrf_token": token, "channel": "phone",
                                                       "reason": "bill_question", "text": "why so high"})
    response = client.post("/inquiry/BDG91000001/contacts", data={
        "csrf_token": token, "channel": "phone", "reason": "complaint", "text": "meter runs fast"},
        follow_redirects=True)
    assert "complaint REQ-" in response.text
    contacts = db.session.query(Contact).order_by(Contact.id).all()
    assert [(c.reason.value, c.outcome.value) for c in contacts] == [
        ("bill_question", "answered"), ("complaint", "complaint_registered")]
    complaint = db.session.get(CustomerRequest, contacts[1].request_id)
    assert complaint.request_type is RequestType.COMPLAINT and complaint.service_point_id == point.service_point_id
    timeline = client.get("/inquiry/BDG91000001/timeline?kind=contact").text
    assert "why so high" in timeline and "REQ-" not in timeline
    refused = client.post("/inquiry/BDG91000001/contacts", data={"csrf_token": token, "channel": "phone",
                                                                 "reason": "complaint", "text": ""},
                          follow_redirects=True)
    assert "write what was said" in refused.text
    assert db.session.query(Contact).count() == 2
    assert db.session.query(CustomerRequest).count() == 1


def test_a_note_and_a_request_from_the_view(client, login, point, shipped, db):
    login("clerk")
    token = csrf_token(client, "/inquiry/BDG91000001")
    client.post("/inquiry/BDG91000001/notes", data={"csrf_token": token, "text": "call after 5 pm"})
    assert "call after 5 pm" in client.get("/inquiry/BDG91000001/sections/general").text
    done = client.post("/inquiry/BDG91000001/requests", data={
        "csrf_token": token, "request_type": "power_change", "requested_power_va": "3500"}, follow_redirects=True)
    assert "its process has started" in done.text
    assert db.session.query(CustomerRequest).one().requested_power_va == 3500
    refused = client.post("/inquiry/BDG91000001/requests", data={
        "csrf_token": token, "request_type": "power_change", "requested_power_va": "12"}, follow_redirects=True)
    assert "450 VA" in refused.text and db.session.query(CustomerRequest).count() == 1
    assert "power change" in client.get("/inquiry/BDG91000001/sections/requests").text


def test_api_search_and_overview_masked(client, make, point):
    headers = {"Authentication-Token": issue_api_token(make.user(role="clerk")[0])}
    found = client.get("/api/v1/search?q=085711112222", headers=headers).get_json()
    assert [m["spn"] for m in found["matches"]] == ["BDG91000001"] and found["matches"][0]["matched"] == "phone"
    data = client.get("/api/v1/service-points/BDG91000001/overview", headers=headers).get_json()
    assert data["header"]["customer_no"] == "519000000002"
    sections = data["sections"]
    assert sections["contract"]["contracted_power_va"] == 2200 and sections["debt"]["total"] == "0.00"
    assert sections["account"]["bank_account"]["number"] == "••••••7890"
    assert sections["customer"]["identity_documents"][0]["number"].endswith("6677")
    assert "3273015555666677" not in str(data)
    assert client.get("/api/v1/service-points/NOPE/overview", headers=headers).status_code == 404
    assert client.get("/api/v1/search?q=" + "x" * 300, headers=headers).status_code == 400
    assert "/api/v1/search" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_long_lists_are_paged(client, login, make, db):
    from models.premises.entities import Property, ServicePoint
    prop = db.session.get(Property, make.service_point().property_id)
    prop.address = "Jl. Pasar Baru 3"
    db.session.add_all(ServicePoint(spn=f"PGD{n:08d}", property=prop, created_on=date(2020, 1, 1)) for n in range(60))
    db.session.commit()
    login("clerk")
    first = client.get("/inquiry/?q=pasar+baru&path=address")
    row = '<tr><td><a href="/inquiry/'
    assert first.text.count(row) == 50 and "page=2" in first.text          # 61: the 60 and the first one
    assert client.get("/inquiry/?q=pasar+baru&path=address&page=2&list=1").text.count(row) == 11
