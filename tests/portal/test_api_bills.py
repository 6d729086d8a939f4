"""POST /api/v1/bills/simulate: the priced lines of hypothetical quantities; refusals are 400 naming the field."""
import pytest

from models.tariffs.catalogue import load_pln_catalogue
from tests.portal.test_api import issue_api_token


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
