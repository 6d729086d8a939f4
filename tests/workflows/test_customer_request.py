"""The shipped customer request process end to end: the request's status after each task, and what the
installation and the activation write (a meter installed, a contract opened or given new terms)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.clock import today
from models.contracts.entities import Contract
from models.errors import DomainError
from models.inquiry.applicants import Application
from models.meters.entities import MeterStatus
from models.meters.queries import current_meter_installation
from models.premises.entities import ServicePointStatus
from models.process.entities import InstanceStatus, ProcessInstance, TaskState
from models.requests.connections import activate_connection, install_connection_meter
from models.requests.entities import RequestStatus, RequestType
from models.requests.operations import register_request
from models.service_orders.entities import ServiceOrder
from models.statuses import status_history
from models.tariffs.catalogue import load_pln_catalogue
from workflows.customer_requests import register_new_connection
from workflows.runtime import deliver_message, fire_timers, start_instance


@pytest.fixture
def applicant(db, make, shipped):
    """A new applicant's request (models.inquiry.applicants) and its process, and a meter in the store."""
    make.tariff(code="R-1/TR 1300", min_va=900, max_va=5500)
    made = register_new_connection(db.session, Application(
        name="Dewi Kartika Sari", doc_number="3273014402900001", phone="081277770001", email="dewi@example.com",
        address="Jl. Dago 88", city="Bandung", tariff="R-1/TR 1300", power_va="1300"))
    instance = db.session.scalar(sa.select(ProcessInstance).where(ProcessInstance.object_id == made.request.id,
                                                                  ProcessInstance.object_type == "customer_request"))
    return made, instance, make.meter(number="30001")


def to_installation(db, make, request, instance, work):
    clerk, _ = make.user("clerk")
    owner, _ = make.user("process_owner")
    work(instance, "ut_review", clerk, feasible="true", review_note="grid nearby")
    survey = db.session.scalar(sa.select(ServiceOrder).where(ServiceOrder.request_id == request.id))
    assert survey.order_type.value == "survey" and survey.service_point_id == request.service_point_id
    work(instance, "ut_survey", clerk, survey_result="pole 20 m away", connection_fee="1250000.50")
    assert (request.status, request.fee_amount) == (RequestStatus.AWAITING_APPROVAL, Decimal("1250000.50"))
    work(instance, "ut_approve", owner, approved="true")
    assert instance.waiting_messages == ["payment_received"] and instance.next_timer_due is not None
    deliver_message(db.session, "payment_received", "customer_request", request.id, {"amount": "1250000.50"})
    assert request.status is RequestStatus.INSTALLATION
    return clerk


def test_a_new_connection_runs_to_an_active_contract_on_the_installed_meter(db, make, applicant, work):
    made, instance, meter = applicant
    request, point = made.request, made.service_point
    clerk = to_installation(db, make, request, instance, work)
    work(instance, "ut_install", clerk, installed_on=today().isoformat(), meter_number="30001")
    assert request.status is RequestStatus.ACTIVATION
    assert current_meter_installation(db.session, point.id).meter is meter
    orders = db.session.scalars(sa.select(ServiceOrder).where(ServiceOrder.request_id == request.id)
                                .order_by(ServiceOrder.id)).all()
    assert [(o.order_type.value, o.status.value, o.result) for o in orders] == [
        ("survey", "completed", "pole 20 m away"), ("installation", "completed", "installed meter 30001")]
    work(instance, "ut_activate", clerk, contract_start=today().isoformat())
    contract = db.session.scalar(sa.select(Contract).where(Contract.service_point_id == point.id))
    assert (request.status, instance.status, point.status) == (RequestStatus.COMPLETED, InstanceStatus.COMPLETED,
                                                                ServicePointStatus.ACTIVE)
    assert (contract.account_id, contract.registered_on, contract.customer_no) == (
        made.account.id, today(), f"50{contract.id:010d}")
    assert (contract.versions[0].tariff.code, contract.versions[0].contracted_power_va) == ("R-1/TR 1300", 1300)
    assert [c.to_status for c in status_history(db.session, "customer_request", request.id)] == [
        "registered", "technical_review", "survey", "awaiting_approval", "approved", "awaiting_payment",
        "installation", "activation", "completed"]


def test_an_unknown_meter_parks_the_process_with_the_reason_and_installs_nothing(db, make, applicant, work):
    made, instance, meter = applicant
    clerk = to_installation(db, make, made.request, instance, work)
    work(instance, "ut_install", clerk, installed_on=today().isoformat(), meter_number="NOPE")
    assert (instance.status, instance.error_element) == (InstanceStatus.ERROR, "sv_meter")
    assert "no meter with number NOPE" in instance.error_message and meter.status is MeterStatus.IN_STORE
    assert current_meter_installation(db.session, made.service_point.id) is None


def test_activation_before_the_meter_is_in_or_a_bad_reading_is_refused(db, make, applicant):
    made, _, meter = applicant
    with pytest.raises(DomainError, match="has no meter installed yet"):
        activate_connection(db.session, made.request, today())
    with pytest.raises(DomainError, match="is not a reading for each register"):
        install_connection_meter(db.session, made.request, "30001", today(), "1.8.0=abc")
    install_connection_meter(db.session, made.request, "30001", today(), "1.8.0=12.5")
    with pytest.raises(DomainError, match="must not be before the service point was created"):
        activate_connection(db.session, made.request, today() - timedelta(days=1))
    assert meter.status is MeterStatus.INSTALLED and made.service_point.status is ServicePointStatus.PLANNED


def test_a_power_change_gives_the_active_contract_a_new_version_on_the_tariff_that_covers_it(db, make, shipped,
                                                                                              work):
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(tariff=tariffs["R-1/TR 1300"])
    make.installed_meter(contract, date(2024, 1, 1), number="30002")
    request = register_request(db.session, RequestType.POWER_CHANGE, customer_id=contract.account.customer_id,
                               service_point_id=contract.service_point_id, requested_power_va=2200)
    instance = start_instance(db.session, "customer_request", "customer_request", request.id,
                              {"request_type": "power_change"})
    clerk = to_installation(db, make, request, instance, work)
    work(instance, "ut_install", clerk, installed_on=today().isoformat(), meter_number="30002")   # the meter stays
    work(instance, "ut_activate", clerk, contract_start=today().isoformat())
    assert [(v.tariff.code, v.contracted_power_va, v.valid_from, v.valid_to) for v in contract.versions] == [
        ("R-1/TR 1300", 1300, date(2020, 1, 1), today()), ("R-1/TR 2200", 2200, today(), None)]
    assert request.status is RequestStatus.COMPLETED


def test_infeasible_request_is_rejected_with_the_review_note(db, make, request_process, work):
    clerk, _ = make.user("clerk")
    request, instance = request_process()
    work(instance, "ut_review", clerk, feasible="false", review_note="no capacity on the transformer")
    assert (request.status, request.resolution) == (RequestStatus.REJECTED, "no capacity on the transformer")
    assert instance.status is InstanceStatus.COMPLETED


def test_unpaid_fee_cancels_after_30_days(db, make, request_process, work, clock):
    clerk, _ = make.user("clerk")
    owner, _ = make.user("process_owner")
    request, instance = request_process()
    work(instance, "ut_review", clerk, feasible="true")
    work(instance, "ut_survey", clerk, survey_result="ok", connection_fee="500000")
    work(instance, "ut_approve", owner, approved="true")
    assert not fire_timers(db.session, instance.id)          # not due yet: nothing happens
    clock.to(clock.instant + timedelta(days=29, hours=23))
    assert not fire_timers(db.session, instance.id)
    clock.to(clock.instant + timedelta(days=30, minutes=1))
    assert fire_timers(db.session, instance.id)
    assert (request.status, instance.status) == (RequestStatus.CANCELLED, InstanceStatus.COMPLETED)
    assert request.resolution == "connection fee not paid within 30 days"


def test_complaint_is_investigated_answered_and_closed(db, make, request_process, work):
    clerk, _ = make.user("clerk")
    request, instance = request_process(RequestType.COMPLAINT)
    assert request.status is RequestStatus.INVESTIGATION
    work(instance, "ut_investigate", clerk, findings="meter read twice")
    assert request.status is RequestStatus.RESPONSE
    work(instance, "ut_respond", clerk, response="credit issued on next bill")
    assert (request.status, request.resolution) == (RequestStatus.CLOSED, "credit issued on next bill")
    assert [t.state for t in instance.tasks] == [TaskState.COMPLETED, TaskState.COMPLETED]


