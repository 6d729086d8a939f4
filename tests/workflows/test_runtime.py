"""Human tasks: form validation, who may complete, races, errors and retry."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from models.audit.recorder import Actor, acting_as
from models.errors import DomainError
from models.limits import latest_day
from models.process.entities import HumanTask, InstanceStatus, TaskState
from models.requests.entities import RequestStatus, RequestType
from models.requests.operations import register_request
from models.statuses import status_history
from tests.workflows.bpmn_samples import form_process
from workflows.runtime import (
    claim_task,
    complete_task,
    deploy_definition,
    retry_instance,
    set_instance_status,
    start_instance,
)

FIELDS = ('<camunda:formField id="amount" label="Amount" type="decimal"><camunda:validation>'
          '<camunda:constraint name="required" config="true"/><camunda:constraint name="min" config="0"/>'
          '</camunda:validation></camunda:formField>'
          '<camunda:formField id="visit" type="date"/><camunda:formField id="ok" type="boolean"/>'
          '<camunda:formField id="kind" type="enum"><camunda:value id="a" name="A"/><camunda:value id="b" name="B"/>'
          '</camunda:formField>')


@pytest.fixture
def form_task(db):
    deploy_definition(db.session, form_process(FIELDS))
    instance = start_instance(db.session, "formed")
    return instance.tasks[0]


@pytest.mark.parametrize("data, field, message", [
    ({}, "amount", "is required"),
    ({"amount": "abc"}, "amount", "must be a number"),
    ({"amount": "-1"}, "amount", "must be at least 0"),
    ({"amount": "5", "visit": "31/12/2026"}, "visit", "must be a date (YYYY-MM-DD)"),
    ({"amount": "5", "kind": "z"}, "kind", "must be one of a, b"),
    ({"amount": "1" + "0" * 30}, "amount", "must be between -9,999,999,999,999,999.99 and 9,999,999,999,999,999.99"),
    ({"amount": "١٢"}, "amount", "must be a number"),
    ({"amount": "5", "visit": "9999-12-31"}, "visit", f"9999-12-31 is outside 1900-01-01 to {latest_day()}"),
])
def test_form_data_is_validated_naming_the_field(db, make, form_task, data, field, message):
    clerk, _ = make.user("clerk")
    with pytest.raises(DomainError) as info:
        complete_task(db.session, form_task.id, clerk, data)
    assert (info.value.field, info.value.message) == (field, message)
    assert form_task.state is TaskState.OPEN


def test_valid_form_completes_with_typed_values(db, make, form_task):
    clerk, _ = make.user("clerk")
    task = complete_task(db.session, form_task.id, clerk, {"amount": "12.50", "visit": "2026-12-01", "ok": "on",
                                                          "kind": "b"})
    assert task.form_data == {"amount": "12.50", "visit": "2026-12-01", "ok": True, "kind": "b"}
    assert task.instance.status is InstanceStatus.COMPLETED


def test_task_of_another_role_is_refused(db, make, request_process, work):
    clerk, _ = make.user("clerk")
    _, instance = request_process()
    work(instance, "ut_review", clerk, feasible="true")
    work(instance, "ut_survey", clerk, survey_result="ok", connection_fee="1")
    with pytest.raises(DomainError, match="belongs to role process_owner"):
        work(instance, "ut_approve", clerk, approved="true")


def test_second_completion_of_the_same_task_is_refused(db, make, request_process, work):
    clerk, _ = make.user("clerk")
    other, _ = make.user("clerk")
    _, instance = request_process()
    task = work(instance, "ut_review", clerk, feasible="true")
    with pytest.raises(DomainError, match=f"already completed by {clerk.email}"):
        complete_task(db.session, task.id, other, {"feasible": "true"})


def test_stale_page_after_reassignment_is_refused(db, make, request_process):
    clerk, _ = make.user("clerk")
    _, instance = request_process()
    task = instance.tasks[0]
    opened_version = task.lock_version
    claim_task(db.session, task, clerk)
    with pytest.raises(DomainError, match="changed since you opened it"):
        complete_task(db.session, task.id, clerk, {"feasible": "true"}, expected_version=opened_version)


def test_concurrent_write_of_an_instance_loses_cleanly(db, make, request_process):
    _, instance = request_process()
    db.session.execute(sa.update(HumanTask).where(HumanTask.id == instance.tasks[0].id)
                       .values(lock_version=HumanTask.lock_version + 1)
                       .execution_options(synchronize_session=False))   # another clerk got there first
    instance.tasks[0].state = TaskState.COMPLETED
    with pytest.raises(StaleDataError):
        db.session.flush()


def test_failing_service_parks_the_instance_and_retry_resumes(db, make, shipped):
    contract = make.contract()
    request = register_request(db.session, RequestType.NEW_CONNECTION, service_point_id=contract.service_point_id)
    request.status = RequestStatus.CANCELLED   # the review status cannot follow a cancelled request
    db.session.flush()
    instance = start_instance(db.session, "customer_request", "customer_request", request.id,
                              {"request_type": "new_connection"})
    assert (instance.status, instance.error_element) == (InstanceStatus.ERROR, "st_review")
    assert "cannot move from cancelled to technical_review" in instance.error_message
    request.status = RequestStatus.REGISTERED  # the admin's fix
    retry_instance(db.session, instance)
    assert (instance.status, request.status) == (InstanceStatus.RUNNING, RequestStatus.TECHNICAL_REVIEW)
    assert [t.bpmn_id for t in instance.tasks if t.state is TaskState.OPEN] == ["ut_review"]


def test_failure_after_a_completed_task_keeps_the_clerks_work_and_retries_the_step(db, make, request_process, work):
    clerk, _ = make.user("clerk")
    request, instance = request_process()
    request.status = RequestStatus.CANCELLED     # breaks the next automatic step (status: survey)
    db.session.flush()
    work(instance, "ut_review", clerk, feasible="true")
    assert (instance.status, instance.error_element) == (InstanceStatus.ERROR, "st_survey")
    request.status = RequestStatus.TECHNICAL_REVIEW
    retry_instance(db.session, instance)
    assert (instance.status, request.status) == (InstanceStatus.RUNNING, RequestStatus.SURVEY)
    assert [t.bpmn_id for t in instance.tasks] == ["ut_review", "ut_survey"]


def test_suspending_and_cancelling_are_recorded_with_who_and_why(db, request_process):
    _, instance = request_process()
    with acting_as(Actor(None, "owner@example.com")):
        set_instance_status(db.session, instance, InstanceStatus.SUSPENDED, "customer abroad")
        set_instance_status(db.session, instance, InstanceStatus.CANCELLED, "withdrawn")
    assert [(c.from_status, c.to_status, c.by, c.note) for c in status_history(db.session, "process_instance",
                                                                               instance.id)] == [
        ("running", "suspended", "owner@example.com", "customer abroad"),
        ("suspended", "cancelled", "owner@example.com", "withdrawn")]
    assert instance.error_message == "cancelled by owner@example.com: withdrawn"


def test_completing_a_process_is_the_engines_move_not_a_process_owners(db, request_process):
    _, instance = request_process()
    with pytest.raises(DomainError, match="cannot move from running to completed; allowed next: cancelled, suspended"):
        set_instance_status(db.session, instance, InstanceStatus.COMPLETED, "done by hand")
    assert instance.status is InstanceStatus.RUNNING
