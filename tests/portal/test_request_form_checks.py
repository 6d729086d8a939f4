"""The request form refuses an SPN and an ID Pelanggan of different contracts, on the ID Pelanggan field."""
import pytest
import sqlalchemy as sa

from models.requests.entities import CustomerRequest
from tests.conftest import csrf_token


def test_spn_and_id_pelanggan_of_different_contracts_are_a_field_error(db, client, login, make, shipped):
    here, there = make.contract(), make.contract()
    login("clerk")
    page = client.post("/requests/new", data={
        "request_type": "complaint", "spn": here.service_point.spn, "customer_no": there.customer_no,
        "csrf_token": csrf_token(client, "/requests/new")})
    assert page.status_code == 422
    assert f'name="customer_no" id="customer_no" value="{there.customer_no}"><div class="invalid-feedback d-block">' \
           f"ID Pelanggan {there.customer_no} is the contract of service point {there.service_point.spn}" in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomerRequest)) == 0


@pytest.mark.parametrize("power,message", [
    ("abc", "must be a whole number of VA, not &#39;abc&#39;"), ("1300.5", "must be a whole number of VA"),
    ("-900", "must be between 450 VA and 1,000,000,000 VA"), ("1" + "0" * 30, "must be between 450 VA and")])
def test_a_requested_power_that_is_not_a_power_says_what_is_wrong(db, client, login, make, shipped, power, message):
    contract = make.contract()
    login("clerk")
    page = client.post("/requests/new", data={
        "request_type": "power_change", "spn": contract.service_point.spn, "requested_power_va": power,
        "csrf_token": csrf_token(client, "/requests/new")})
    assert page.status_code == 422 and message in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomerRequest)) == 0
