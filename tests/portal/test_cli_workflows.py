import pytest

from models.requests.entities import RequestStatus, RequestType
from models.requests.operations import register_request
from portal.cli import cli
from tests.workflows.bpmn_samples import service_process
from workflows.shipped import shipped_files


@pytest.fixture
def cms(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, [str(a) for a in args])


def test_deploy_prints_key_and_version_and_refusal_exits_non_zero(cms, tmp_path):
    assert cms("processes", "deploy", shipped_files()["customer_request"]).output == "customer_request version 1\n"
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(service_process("format_disk"))
    result = cms("processes", "deploy", bad)
    assert result.exit_code == 1 and "refused: call: unknown service operation 'format_disk'" in result.output


def test_start_list_and_complete_from_the_shell(db, cms, make):
    clerk, _ = make.user("clerk")
    contract = make.contract()
    request = register_request(db.session, RequestType.NEW_CONNECTION, service_point_id=contract.service_point_id)
    cms("processes", "deploy-shipped")
    started = cms("processes", "start", "customer_request", "--object", f"customer_request:{request.id}",
                  "--data", '{"request_type": "new_connection"}')
    assert "running at Technical review" in started.output, started.output
    task_id = cms("tasks", "list", "--role", "clerk").output.split("\t")[0]
    done = cms("tasks", "complete", task_id, "--as", clerk.email, "--data", '{"feasible": false}')
    assert done.exit_code == 0 and "completed Technical review" in done.output
    db.session.refresh(request)
    assert request.status is RequestStatus.REJECTED


def test_bad_json_data_is_refused(cms):
    result = cms("processes", "start", "x", "--data", "{oops")
    assert result.exit_code == 1 and "--data is not JSON" in result.output
