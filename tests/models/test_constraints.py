"""The database refuses bad data on every engine, and the refusal names the field and the rule."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from models.contracts.entities import Contract
from models.customers.entities import IdentityDocumentType
from models.errors import describe_integrity_error
from models.meters.entities import Installation, Register, UsageType


def refusal(session, obj):
    session.add(obj)
    with pytest.raises(IntegrityError) as info:
        session.flush()
    session.rollback()
    return describe_integrity_error(info.value)


def test_duplicate_meter_number_is_refused(db, make):
    make.meter(number="30001")
    with pytest.raises(IntegrityError) as info:
        make.meter(number="30001")
    error = describe_integrity_error(info.value)
    assert (error.field, error.message) == ("number", "already exists")


def test_multiplier_must_be_positive(db, make):
    meter = make.meter()
    error = refusal(db.session, Register(meter=meter, code="3.8.0", usage_type=UsageType.REACTIVE,
                                         multiplier=Decimal("0")))
    assert str(error) == "Multiplier: must be greater than zero"


def test_duplicate_spn_is_refused(db, make):
    make.service_point(spn="BDG00000001")
    with pytest.raises(IntegrityError) as info:
        make.service_point(spn="BDG00000001")
    assert describe_integrity_error(info.value).field == "spn"


def test_contract_serial_is_unique_per_service_point(db, make):
    first = make.contract()
    twin = Contract(service_point=first.service_point, account=first.account, serial=first.serial,
                    customer_no="999999999999", registered_on=date(2021, 1, 1))
    error = refusal(db.session, twin)
    assert error.field == "serial" and "already has a contract with this serial" in error.message


def test_identity_document_number_is_unique_per_type(db, make):
    doc = make.identity_document(number="3171000000000001")
    make.identity_document(number="3171000000000001", doc_type=IdentityDocumentType.PASSPORT)
    with pytest.raises(IntegrityError) as info:
        make.identity_document(number=doc.number)
    assert "already registered" in describe_integrity_error(info.value).message


def test_contract_cannot_end_before_it_starts(db, make):
    contract = make.contract(registered_on=date(2022, 5, 1))
    contract.terminated_on = date(2022, 4, 30)
    with pytest.raises(IntegrityError) as info:
        db.session.flush()
    assert str(describe_integrity_error(info.value)) == "Terminated on: must not be before the registration date"


def test_installation_needs_exactly_one_device(db, make):
    sp = make.service_point()
    error = refusal(db.session, Installation(service_point=sp, installed_on=date(2024, 1, 1)))
    assert "meter or a control device" in error.message
