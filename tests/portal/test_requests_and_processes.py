import sqlalchemy as sa

from models.process.entities import ProcessDefinition
from models.requests.entities import CustomerRequest, RequestStatus
from tests.conftest import csrf_token
from tests.workflows.bpmn_samples import script_process, service_process
from workflows.shipped import shipped_files


def test_register_a_request_starts_its_process(db, client, login, make, shipped):
    contract = make.contract()
    login("clerk")
    response = client.post("/requests/new", data={
        "request_type": "power_change", "spn": contract.service_point.spn, "channel": "phone",
        "requested_power_va": "2200", "csrf_token": csrf_token(client, "/requests/new")})
    assert response.status_code == 302
    request = db.session.scalar(sa.select(CustomerRequest))
    assert (request.status, request.requested_power_va) == (RequestStatus.TECHNICAL_REVIEW, 2200)
    page = client.get(response.headers["Location"]).text
    assert "technical review" in page and "registered" in page


def test_unknown_spn_is_a_field_error(db, client, login, shipped):
    login("clerk")
    page = client.post("/requests/new", data={"request_type": "complaint", "spn": "NOPE",
                                              "csrf_token": csrf_token(client, "/requests/new")})
    assert page.status_code == 422 and "no service point with number NOPE" in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomerRequest)) == 0


def _json(client, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": csrf_token(client, "/processes/")})


def test_validate_and_deploy_from_the_editor(db, client, login):
    login("process_owner")
    refused = _json(client, "/processes/validate", {"xml": service_process("rm_rf").decode()})
    assert refused.status_code == 422 and refused.json["element"] == "call"
    assert _json(client, "/processes/validate", {"xml": script_process("x = 1").decode()}).json["ok"]
    deployed = _json(client, "/processes/deploy", {"xml": script_process("x = 1").decode(), "key": "tiny"})
    assert deployed.json == {"ok": True, "key": "tiny", "version": 1, "new": True, "message": "deployed tiny version 1"}
    assert db.session.scalar(sa.select(ProcessDefinition.version).where(ProcessDefinition.key == "tiny")) == 1


def test_clerks_cannot_deploy(client, login):
    login("clerk")
    assert _json(client, "/processes/deploy", {"xml": script_process("x = 1").decode()}).status_code == 403


def test_editor_page_and_local_assets(client, login, shipped):
    login("process_owner")
    page = client.get("/processes/customer_request/edit").text
    assert "bpmn-modeler.production.min.js" in page and "CamundaPlatformPropertiesProviderModule" not in page
    asset = client.get("/vendor/bpmn-js/dist/bpmn-modeler.production.min.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    assert client.get("/vendor/../pyproject.toml").status_code == 404
    xml = client.get(f"/processes/definitions/{shipped['customer_request'].id}.bpmn").data
    assert xml == shipped_files()["customer_request"].read_bytes()


def test_instance_page_shows_status_and_timeline(client, login, make, request_process):
    _, instance = request_process()
    login("clerk")
    page = client.get(f"/processes/instances/{instance.id}").text
    assert 'id="instance-status">running<' in page and "task “Technical review” ready for clerk" in page


def test_cashier_records_the_fee_and_the_request_moves_to_installation(db, client, login, make, request_process, work):
    clerk, _ = make.user("clerk")
    owner, _ = make.user("process_owner")
    request, instance = request_process()
    work(instance, "ut_review", clerk, feasible="true")
    work(instance, "ut_survey", clerk, survey_result="ok", connection_fee="850000")
    work(instance, "ut_approve", owner, approved="true")
    login("clerk")
    url = f"/requests/{request.id}"
    response = client.post(f"{url}/payment", data={"reference": "BRI-778812", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert request.status is RequestStatus.INSTALLATION
    assert "Payment BRI-778812 recorded" in client.get(url).text


def test_monitor_finds_processes_by_spn(client, login, request_process):
    request, instance = request_process()
    login("clerk")
    page = client.get(f"/processes/?object={request.service_point.spn}").text
    assert f"#{instance.id} customer_request v1</a> running" in page


def test_a_retry_that_fails_again_is_shown_as_an_error(db, client, login, make, shipped):
    from models.requests.entities import RequestType
    from models.requests.operations import register_request
    from workflows.runtime import start_instance
    request = register_request(db.session, RequestType.COMPLAINT, service_point_id=make.service_point().id)
    request.status = RequestStatus.CLOSED          # investigation cannot follow: the first step fails
    instance = start_instance(db.session, "customer_request", "customer_request", request.id,
                              {"request_type": "complaint"})
    db.session.commit()
    login("process_owner")
    url = f"/processes/instances/{instance.id}"
    page = client.get(client.post(f"{url}/retry", data={"csrf_token": csrf_token(client, url)}).headers["Location"])
    assert 'class="alert alert-danger" role="alert">Retried: now error' in page.text
