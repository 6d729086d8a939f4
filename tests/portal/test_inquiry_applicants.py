"""The inquiry's new applicant (a new connection for someone not yet a customer), misc charges from the view,
and the billing history chart."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.billing.entities import MiscCharge, MiscChargeType
from models.billing.operations import issue_bill, record_bill
from models.billing.simulation import simulate_bill
from models.customers.entities import Customer
from models.process.entities import HumanTask, ProcessInstance
from models.requests.entities import CustomerRequest
from tests.conftest import csrf_token
from tests.portal.test_api import issue_api_token

FORM = {"name": "Bayu Pratama", "kind": "person", "doc_type": "national_id", "doc_number": "3273011205880002",
        "phone": "0813 2222 0002", "address": "Jl. Riau 5", "city": "Bandung", "tariff": "R-1/TR 2200",
        "power_va": "2200", "channel": "counter"}


@pytest.fixture
def applying(client, login, make, shipped):
    make.tariff(code="R-1/TR 2200", min_va=2200, max_va=2200)
    login("clerk")
    token = csrf_token(client, "/inquiry/new-applicant")
    return lambda **kw: client.post("/inquiry/new-applicant", data={**FORM, "csrf_token": token, **kw})


def test_a_new_applicant_gets_a_planned_point_a_running_request_and_is_found_by_name(db, client, applying):
    response = applying()
    assert response.status_code == 302
    spn = response.headers["Location"].rsplit("/", 1)[1]
    request = db.session.scalar(sa.select(CustomerRequest))
    assert (request.service_point.spn, request.requested_tariff, request.requested_power_va) == (
        spn, "R-1/TR 2200", 2200)
    instance = db.session.scalar(sa.select(ProcessInstance).where(ProcessInstance.object_id == request.id))
    assert instance.status.value == "running" and db.session.scalar(sa.select(HumanTask.name)) == "Technical review"
    assert client.get("/inquiry/?q=bayu+pratama").headers["Location"].endswith(f"/inquiry/{spn}")
    page = client.get(f"/inquiry/{spn}").text
    assert "Bayu Pratama" in page and "applied for R-1/TR 2200 · 2,200 VA" in page and "planned" in page
    assert "Bayu Pratama" in client.get(f"/inquiry/{spn}/sections/customer").text


def test_the_api_finds_the_applicant_and_shows_the_planned_point(db, client, applying, make):
    spn = applying().headers["Location"].rsplit("/", 1)[1]
    user, _ = make.user(role="clerk")
    headers = {"Authentication-Token": issue_api_token(user)}
    found = client.get("/api/v1/search?q=3273011205880002", headers=headers).get_json()
    assert [(m["spn"], m["customer"], m["status"]) for m in found["matches"]] == [(spn, "Bayu Pratama", "planned")]
    overview = client.get(f"/api/v1/service-points/{spn}/overview", headers=headers).get_json()
    assert overview["header"]["customer"] == "Bayu Pratama" and overview["sections"]["contract"] is None
    assert overview["sections"]["customer"]["identity_documents"][0]["number"].endswith("0002")


def test_a_known_identity_number_is_offered_and_used_instead_of_a_second_customer(db, client, applying):
    assert applying().status_code == 302
    offered = applying(name="Bayu P.")
    assert offered.status_code == 422 and "already registered to Bayu Pratama" in offered.text
    customer_id = db.session.scalar(sa.select(Customer.id))
    assert f'name="customer_id" value="{customer_id}"' in offered.text
    assert applying(customer_id=str(customer_id), address="Jl. Riau 7").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomerRequest)) == 2


def test_hostile_input_gets_form_errors_and_writes_nothing(db, client, applying):
    response = applying(name="x" * 10_000, power_va="-2200", tariff="NOPE", received_on="9999-12-31")
    assert response.status_code == 422
    for text in ("at most 200 characters", "must be between 450 VA", "no tariff with this code",
                 "9999-12-31 is outside"):
        assert text in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0
    assert "Bayu" in client.get("/inquiry/new-applicant?q=Bayu").text


def test_a_search_that_finds_nothing_offers_a_new_applicant(client, login):
    login("clerk")
    page = client.get("/inquiry/?q=nobody+here").text
    assert 'id="new-applicant"' in page and "/inquiry/new-applicant?q=nobody+here" in page


def test_a_misc_charge_from_the_view_waits_for_the_next_bill(db, client, login, make):
    contract = make.contract()
    kind = make._add(MiscChargeType(code="METER_TEST", name="Meter test fee", default_amount=Decimal("75000")))
    user = login("clerk")
    spn = contract.service_point.spn
    token = csrf_token(client, f"/inquiry/{spn}")
    done = client.post(f"/inquiry/{spn}/misc-charges", data={"csrf_token": token, "charge_type": str(kind.id),
                                                               "amount": "", "reason": "meter test asked"},
                       follow_redirects=True)
    assert "Meter test fee of Rp 75,000.00 added" in done.text
    general = client.get(f"/inquiry/{spn}/sections/general").text
    assert "meter test asked" in general and user.email in general and "waiting for the next bill" in general
    refused = client.post(f"/inquiry/{spn}/misc-charges", data={"csrf_token": token, "charge_type": str(kind.id),
                                                                  "amount": "1e309", "reason": "x"},
                          follow_redirects=True)
    assert "is not a number" in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MiscCharge)) == 1


def test_the_billing_history_is_a_plotly_chart_with_estimates_marked(db, client, login, issue, contract):
    issue(5)
    priced = simulate_bill(db.session, "R-1/TR 1300", 1300, "2025-06", kwh="100")
    estimated = record_bill(db.session, contract, priced, period=date(2025, 6, 1))
    estimated.estimated = True
    issue_bill(db.session, estimated)
    login("clerk")
    section = client.get(f"/inquiry/{contract.service_point.spn}/sections/billing_history")
    assert 'data-chart-for="billing-history-chart"' in section.text and "data-plotly-src" in section.text
    assert '"symbol":["circle","diamond"]' in section.text and "1 of 2" in section.text
    assert "script-src 'self'" in section.headers["Content-Security-Policy"]
