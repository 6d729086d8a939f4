"""The tariff options page, its change-request buttons and GET /api/v1/service-points/<spn>/tariff-options."""
import re

import pytest

from models.requests.entities import CustomerRequest, RequestType
from models.tariffs.catalogue import load_pln_catalogue
from tests.models.test_tariff_advice import _bill_months
from tests.portal.test_api import issue_api_token


@pytest.fixture
def household(db, make, shipped):
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300)
    _bill_months(db, contract)
    return contract


def test_page_shows_options_chart_and_starts_a_tariff_change(db, client, login, household):
    login("clerk")
    spn = household.service_point.spn
    assert "tariff-options-link" in client.get(f"/service-points/{spn}").text
    page = client.get(f"/service-points/{spn}/tariff-options")
    assert page.status_code == 200
    # 12 x 267,847 today; R-2/TR 3,500 VA 12 x 315,092 = 3,781,104, +566,940 (tests/models/test_tariff_advice.py)
    assert "3,214,164" in page.text and "3,781,104" in page.text and "+566,940" in page.text
    assert 'id="tariff-options-chart"' in page.text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    answer = client.post(f"/service-points/{spn}/tariff-options/request",
                         data={"csrf_token": token, "tariff": "R-2/TR", "power_va": "3500"})
    assert answer.status_code == 302 and "/requests/" in answer.location
    item = db.session.query(CustomerRequest).one()
    assert (item.request_type, item.requested_tariff, item.requested_power_va) == \
        (RequestType.TARIFF_CHANGE, "R-2/TR", 3500)
    assert "3,781,104" in item.description


def test_a_ruled_out_or_bad_option_starts_nothing(db, client, login, household):
    login("clerk")
    spn = household.service_point.spn
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get(f"/service-points/{spn}/tariff-options").text).group(1)
    for data in ({"tariff": "B-2/TR", "power_va": "6600"}, {"tariff": "R-2/TR", "power_va": "x"},
                 {"tariff": "R-1/TR 1300", "power_va": "1300"}, {"tariff": "R-2/TR"}):
        answer = client.post(f"/service-points/{spn}/tariff-options/request", data={"csrf_token": token, **data})
        assert answer.status_code == 302 and answer.location.endswith("/tariff-options")
    assert db.session.query(CustomerRequest).count() == 0
    assert client.get("/service-points/NOPE/tariff-options").status_code == 404


def test_api_answers_the_options(db, client, make, household):
    headers = {"Authentication-Token": issue_api_token(make.user(role="clerk")[0])}
    spn = household.service_point.spn
    body = client.get(f"/api/v1/service-points/{spn}/tariff-options", headers=headers).json
    assert (body["tariff"], body["power_va"], len(body["months"]), body["scaled"]) == ("R-1/TR 1300", 1300, 12, False)
    r2 = next(o for o in body["options"] if o["tariff"] == "R-2/TR" and o["power_va"] == 3500)
    assert (r2["annual_cost"], r2["difference"], r2["allowed"], r2["request_type"]) == \
        ("3781104", "566940", True, "tariff_change")
    assert body["options"][0]["current"] and body["options"][0]["annual_cost"] == "3214164"
    assert client.get("/api/v1/service-points/NOPE/tariff-options", headers=headers).status_code == 404
    assert client.get(f"/api/v1/service-points/{make.service_point().spn}/tariff-options",
                      headers=headers).status_code == 409
    assert "/api/v1/service-points/{spn}/tariff-options" in client.get("/api/v1/openapi.json").json["paths"]
