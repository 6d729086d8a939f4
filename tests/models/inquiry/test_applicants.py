"""A new connection for someone who is not yet a customer: the rows one operation creates, the request with
its tariff and power, a known identity number offered instead of a second customer, hostile input refused."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models.clock import today
from models.customers.entities import Customer, IdentityDocumentType
from models.inquiry.applicants import Application, ApplicationRefused, DuplicateApplicant, register_applicant
from models.inquiry.search import search
from models.premises.entities import Property, ServicePointStatus
from models.requests.entities import RequestStatus, RequestType
from models.statuses import StatusChange


@pytest.fixture
def tariff(make):
    return make.tariff(code="R-1/TR 1300", min_va=900, max_va=5500)


def apply(db, **kw):
    form = {"name": "Dewi Kartika Sari", "doc_number": "3273014402900001", "phone": "+62 812-7777-0001",
            "email": "dewi@example.com", "address": "Jl. Dago 88", "city": "Bandung", "tariff": "R-1/TR 1300",
            "power_va": "1300", **kw}
    return register_applicant(db.session, Application(**form))


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_applicant_gets_a_customer_an_account_a_planned_point_and_the_request(db, tariff):
    made = apply(db)
    sp, req = made.service_point, made.request
    assert (made.customer.name, made.customer.phone, made.account.payer_name) == (
        "Dewi Kartika Sari", "081277770001", "Dewi Kartika Sari")
    assert [(d.doc_type, d.number) for d in made.customer.identity_documents] == [
        (IdentityDocumentType.NATIONAL_ID, "3273014402900001")]
    assert sp.status is ServicePointStatus.PLANNED and sp.spn == f"BAN{sp.id:08d}" and sp.property.city == "Bandung"
    assert (req.request_type, req.status, req.requested_tariff, req.requested_power_va) == (
        RequestType.NEW_CONNECTION, RequestStatus.REGISTERED, "R-1/TR 1300", 1300)
    assert (req.customer_id, req.service_point_id) == (made.customer.id, sp.id)
    assert db.session.scalar(sa.select(StatusChange.to_status).where(
        StatusChange.object_type == "service_point", StatusChange.object_id == sp.id)) == "planned"


def test_the_new_point_is_found_at_once_by_name_identity_number_and_phone(db, tariff):
    spn = apply(db).service_point.spn
    for term in ("dewi kartika", "3273014402900001", "081277770001", "+6281277770001"):
        result = search(db.session, term)
        assert [(m.spn, m.customer, m.tariff, m.power_va, m.status) for m in result.matches] == [
            (spn, "Dewi Kartika Sari", "R-1/TR 1300", 1300, "planned")], term


def test_a_known_identity_number_is_offered_not_registered_twice(db, make, tariff):
    known = make.customer(name="Dewi K. Sari")
    make.identity_document(known, number="3273014402900001")
    with pytest.raises(DuplicateApplicant) as refused:
        apply(db, doc_type="passport")
    assert (refused.value.customer_id, refused.value.field) == (known.id, "doc_number")
    made = apply(db, customer_id=str(known.id), name="")
    assert made.existing_customer and made.request.customer_id == known.id and count(db, Customer) == 1


def test_hostile_input_is_refused_field_by_field_and_writes_nothing(db, tariff):
    with pytest.raises(ApplicationRefused) as refused:
        apply(db, name="x" * 10_000, power_va="-1300", tariff="R-9/NOPE", received_on="9999-12-31",
              email="not-mail", doc_number="32 73\u202e01")
    assert set(refused.value.errors) == {"name", "power_va", "tariff", "received_on", "email", "doc_number"}
    assert "at most 200 characters" in refused.value.errors["name"]
    assert count(db, Customer) == 0 and count(db, Property) == 0


def test_power_outside_the_tariff_range_and_a_future_date_are_refused(db, tariff):
    with pytest.raises(ApplicationRefused) as refused:
        apply(db, power_va="11000")
    assert refused.value.errors == {"power_va": "11,000 VA is outside tariff R-1/TR 1300's range 900-5,500 VA"}
    with pytest.raises(ApplicationRefused, match="must not be after today"):
        apply(db, received_on=(today() + timedelta(days=1)).isoformat())
    assert apply(db, received_on=(today() - timedelta(days=3)).isoformat()).request.registered_on == \
        today() - timedelta(days=3)
