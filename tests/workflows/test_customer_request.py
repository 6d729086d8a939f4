"""The shipped customer request process end to end: the request's status after each task."""
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from models.process.entities import InstanceStatus, TaskState
from models.requests.entities import RequestStatus, RequestType
from models.service_orders.entities import ServiceOrder
from models.statuses import status_history
from workflows.runtime import deliver_message, fire_timers


def test_connection_request_runs_to_completion(db, make, request_process, work):
    clerk, _ = make.user("clerk")
    owner, _ = make.user("process_owner")
    request, instance = request_process()
    assert request.status is RequestStatus.TECHNICAL_REVIEW
    work(instance, "ut_review", clerk, feasible="true", review_note="grid nearby")
    assert request.status is RequestStatus.SURVEY
    survey = db.session.scalar(sa.select(ServiceOrder).where(ServiceOrder.request_id == request.id))
    assert survey.order_type.value == "survey" and survey.service_point_id == request.service_point_id
    work(instance, "ut_survey", clerk, survey_result="pole 20 m away", connection_fee="1250000.50")
    assert (request.status, request.fee_amount) == (RequestStatus.AWAITING_APPROVAL, Decimal("1250000.50"))
    work(instance, "ut_approve", owner, approved="true")
    assert request.status is RequestStatus.AWAITING_PAYMENT
    assert instance.waiting_messages == ["payment_received"] and instance.next_timer_due is not None
    deliver_message(db.session, "payment_received", "customer_request", request.id, {"amount": "1250000.50"})
    assert request.status is RequestStatus.INSTALLATION
    work(instance, "ut_install", clerk, installed_on="2026-12-01", meter_number="30001")
    assert request.status is RequestStatus.ACTIVATION
    orders = db.session.scalars(sa.select(ServiceOrder).where(ServiceOrder.request_id == request.id)
                                .order_by(ServiceOrder.id)).all()
    assert [(o.order_type.value, o.status.value, o.result) for o in orders] == [
        ("survey", "completed", "pole 20 m away"), ("installation", "completed", "installed meter 30001")]
    work(instance, "ut_activate", clerk, contract_start="2026-12-02")
    assert (request.status, instance.status) == (RequestStatus.COMPLETED, InstanceStatus.COMPLETED)
    assert [c.to_status for c in status_history(db.session, "customer_request", request.id)] == [
        "registered", "technical_review", "survey", "awaiting_approval", "approved", "awaiting_payment",
        "installation", "activation", "completed"]


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


