"""/api/v1/bills: a service point's bills, one bill with its lines, its document; POST /simulate prices hypothetical
quantities. Refusals name the field."""
import pytest

from models.billing.entities import BillDocument
from models.tariffs.catalogue import load_pln_catalogue
from tests.portal.test_api import issue_api_token
from tests.portal.test_billing_pages import bill_maker


@pytest.fixture
def simulate(db, client, make):
    load_pln_catalogue(db.session)
    headers = {"Authentication-Token": issue_api_token(make.user(role="clerk")[0])}
    return lambda **body: client.post("/api/v1/bills/simulate", json=body, headers=headers)


def test_a_household_month_is_priced_line_by_line(simulate):
    # 180 kWh x Rp 1,444.70 = 260,046; PPJ 3% = 7,801; total 267,847
    answer = simulate(tariff="R-1/TR 1300", power_va=1300, period="2024-10", kwh=180)
    assert answer.status_code == 200
    assert [(line["kind"], line["amount"]) for line in answer.json["lines"]] == [("energy", "260046"), ("tax", "7801")]
    assert (answer.json["subtotal"], answer.json["taxes"], answer.json["total"]) == ("260046", "7801", "267847")


@pytest.mark.parametrize(("body", "field"), [
    ({"tariff": "NOPE", "power_va": 1300, "period": "2024-10", "kwh": 1}, "tariff"),
    ({"tariff": "R-1/TR 1300", "power_va": 1300, "period": "2024-10", "kwh": -5}, "kwh"),
    ({"tariff": "R-1/TR 1300", "power_va": 1300, "period": "2024-10", "kwh": "lots"}, "kwh"),
    ({"tariff": "R-1/TR 1300", "power_va": 1300, "period": "2024-10", "kwh": "1e400"}, "kwh"),
    ({"tariff": "R-1/TR 1300", "power_va": 10**30, "period": "2024-10", "kwh": 1}, "power_va"),
    ({"tariff": ["R-1/TR 1300"], "power_va": 1300, "period": "2024-10", "kwh": 1}, "tariff"),
    ({"tariff": "R-1/TR 1300", "power_va": 1300, "period": "9999-12", "kwh": 1}, "period"),
])
def test_bad_input_is_400_naming_the_field(simulate, body, field):
    answer = simulate(**body)
    assert answer.status_code == 400 and field in answer.json["errors"]["json"]


def test_simulation_needs_a_token(client):
    assert client.post("/api/v1/bills/simulate", json={}).status_code == 401


@pytest.fixture
def make_bill(db, make):
    return bill_maker(db.session, make)


@pytest.fixture
def api(db, client, make):
    headers = {"Authentication-Token": issue_api_token(make.user(role="clerk")[0])}
    return lambda url: client.get(url, headers=headers)


def test_a_service_points_bills_come_newest_first(api, make_bill):
    older, newer = make_bill(period="2024-10"), make_bill(period="2024-11")
    answer = api(f"/api/v1/bills?spn={make_bill.contract.service_point.spn}")
    assert [(b["number"], b["period"], b["total"]) for b in answer.json] == [
        (newer.number, "2024-11", "267847"), (older.number, "2024-10", "267847")]


@pytest.mark.parametrize(("url", "status"), [("/api/v1/bills?spn=NOPE", 404), ("/api/v1/bills", 422),
                                             ("/api/v1/bills/INV-1900-0000001", 404)])
def test_unknown_or_missing_keys_are_refused(api, url, status):
    assert api(url).status_code == status


def test_one_bill_comes_with_its_lines_and_readings(api, make_bill):
    bill = make_bill()
    answer = api(f"/api/v1/bills/{bill.number}").json
    assert (answer["status"], answer["customer_no"], answer["jam_nyala"]) == ("issued", bill.contract.customer_no,
                                                                              "138.5")
    energy = answer["lines"][0]
    assert energy["explanation"].startswith("180 kWh x Rp 1,444.70 = Rp 260,046") and energy["amount"] == "260046"
    assert (energy["readings"][0]["previous"], energy["readings"][0]["current"]) == ("1000", "1180")


def test_the_document_is_404_with_its_reason_until_rendered(db, api, make_bill):
    bill = make_bill()
    assert "not rendered yet" in api(f"/api/v1/bills/{bill.number}/document").json["message"]
    db.session.add(BillDocument(bill_id=bill.id, content=b"%PDF-1.4 y", sha256="0" * 64))
    db.session.flush()
    answer = api(f"/api/v1/bills/{bill.number}/document")
    assert (answer.status_code, answer.mimetype, answer.data) == (200, "application/pdf", b"%PDF-1.4 y")


def test_the_bill_operations_are_documented_with_their_refusals(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"200", "401", "404", "422"} <= set(paths["/api/v1/bills"]["get"]["responses"])
    assert {"200", "401", "404"} <= set(paths["/api/v1/bills/{number}"]["get"]["responses"])
    assert "application/pdf" in paths["/api/v1/bills/{number}/document"]["get"]["responses"]["200"]["content"]
