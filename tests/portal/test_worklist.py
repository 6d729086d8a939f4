import re

import pytest
import sqlalchemy as sa

from models.process.entities import HumanTask, TaskState
from models.requests.entities import RequestStatus
from tests.conftest import csrf_token


@pytest.fixture
def clerk_with_task(client, login, request_process):
    request, instance = request_process()
    user = login("clerk")
    return user, request, instance.tasks[0]


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/worklist/")})


def test_unclaimed_queue_lists_the_task_with_its_key_data(client, clerk_with_task):
    _, request, task = clerk_with_task
    page = client.get("/worklist/?queue=unclaimed").text
    assert re.search(r'id="count-unclaimed">1<', page)
    assert "Technical review" in page and request.number in page and request.service_point.spn in page


def test_task_opens_beside_the_list_with_its_form(client, clerk_with_task):
    _, _, task = clerk_with_task
    page = client.get(f"/worklist/?task={task.id}").text
    assert 'id="task-form"' in page and 'name="feasible"' in page and 'name="review_note"' in page


def test_completing_moves_the_request_on(db, client, clerk_with_task):
    _, request, task = clerk_with_task
    response = post(client, f"/worklist/{task.id}/complete", {"feasible": "true", "lock_version": task.lock_version,
                                                              "back": "queue=unclaimed"})
    assert response.status_code == 302
    db.session.refresh(request)
    assert request.status is RequestStatus.SURVEY
    follow = client.get(response.headers["Location"]).text
    assert "Record survey result" in follow   # the next task opened by itself


def test_invalid_form_shows_the_field_error(db, client, clerk_with_task, work):
    user, request, task = clerk_with_task
    work(task.instance, "ut_review", user, feasible="true")
    survey = db.session.scalar(sa.select(HumanTask).where(HumanTask.bpmn_id == "ut_survey"))
    page = post(client, f"/worklist/{survey.id}/complete", {"survey_result": "ok", "connection_fee": "lots",
                                                            "lock_version": survey.lock_version})
    assert page.status_code == 422 and "must be a number" in page.text
    assert survey.state is TaskState.OPEN


def test_stale_page_is_refused_with_a_clear_message(client, clerk_with_task):
    _, _, task = clerk_with_task
    post(client, f"/worklist/{task.id}/claim", {})
    page = post(client, f"/worklist/{task.id}/complete", {"feasible": "true", "lock_version": task.lock_version - 1})
    assert page.status_code == 422 and "changed since you opened it" in page.text


def test_claim_moves_the_task_to_my_queue(client, clerk_with_task):
    _, _, task = clerk_with_task
    post(client, f"/worklist/{task.id}/claim", {})
    assert re.search(r'id="count-mine">1<', client.get("/worklist/").text)


def test_bulk_claim_reports_each_item(client, clerk_with_task):
    _, _, task = clerk_with_task
    response = post(client, "/worklist/bulk", {"action": "claim", "task_ids": [task.id, 999999]})
    page = client.get(response.headers["Location"]).text
    assert "1 task(s) claimed: Technical review" in page and "#999999: no task 999999" in page


def test_clerks_cannot_reassign(client, clerk_with_task):
    user, _, task = clerk_with_task
    assert post(client, f"/worklist/{task.id}/reassign", {"assignee": user.id}).status_code == 403


def test_filter_shared_with_a_role_shows_for_its_members(client, clerk_with_task, make):
    post(client, "/worklist/filters", {"name": "Overdue reviews", "shared_with_role": "clerk",
                                       "back": "queue=all&due=overdue"})
    other, password = make.user("clerk")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/worklist/")})
    client.post("/login", data={"email": other.email, "password": password, "csrf_token": csrf_token(client, "/login")})
    assert 'href="?queue=all&amp;due=overdue">Overdue reviews (clerk)' in client.get("/worklist/").text


def test_counts_endpoint_feeds_the_live_badges(client, clerk_with_task):
    assert client.get("/worklist/counts").json == {"mine": 0, "unclaimed": 1, "all": 1, "completed": 0}


def test_admin_sees_process_instances_read_only(client, login, request_process):
    _, instance = request_process()
    login("admin")
    page = client.get("/admin/admin_process_instances/")
    assert page.status_code == 200 and "Technical review" in page.text
    assert client.get("/admin/admin_process_instances/new/").status_code == 302
