"""Opening a customer request: an SPN and an ID Pelanggan typed together must name the same contract."""
from datetime import date

import pytest
import sqlalchemy as sa

from models.contracts.operations import terminate_contract
from models.errors import DomainError
from models.requests.entities import CustomerRequest, RequestType
from workflows.customer_requests import open_customer_request


def requests_written(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CustomerRequest))


def test_spn_and_id_pelanggan_of_different_contracts_are_refused(db, make):
    here, there = make.contract(), make.contract()
    with pytest.raises(DomainError) as refused:
        open_customer_request(db.session, RequestType.COMPLAINT, spn=here.service_point.spn,
                              customer_no=there.customer_no)
    assert refused.value.field == "customer_no"
    assert f"is the contract of service point {there.service_point.spn}, not of {here.service_point.spn}" in str(
        refused.value)
    assert requests_written(db) == 0


def test_former_contract_at_the_same_service_point_is_refused_naming_the_current_one(db, make):
    old = make.contract()
    terminate_contract(db.session, old, date(2023, 1, 1))
    current = make.contract(service_point=old.service_point)
    with pytest.raises(DomainError, match=f"former contract .*its contract now is {current.customer_no}") as refused:
        open_customer_request(db.session, RequestType.COMPLAINT, spn=old.service_point.spn,
                              customer_no=old.customer_no)
    assert refused.value.field == "customer_no" and requests_written(db) == 0


def test_spn_and_id_pelanggan_of_the_same_contract_register_the_request(db, make, shipped):
    contract = make.contract()
    request = open_customer_request(db.session, RequestType.COMPLAINT, spn=contract.service_point.spn,
                                    customer_no=contract.customer_no)
    assert (request.service_point_id, request.customer_id) == (contract.service_point_id,
                                                               contract.account.customer_id)
