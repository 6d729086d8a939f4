"""The process editor: an identical diagram deploys nothing and says so; its help lists every allowed operation."""
import inspect

import sqlalchemy as sa
from markupsafe import escape

from models.process.entities import ProcessDefinition
from tests.conftest import csrf_token
from tests.workflows.bpmn_samples import script_process
from workflows.service_tasks import SERVICES


def deploy(client, xml: bytes):
    return client.post("/processes/deploy", json={"xml": xml.decode(), "key": "tiny"},
                       headers={"X-CSRFToken": csrf_token(client, "/processes/")})


def test_deploying_the_latest_version_again_says_identical_and_adds_no_version(db, client, login):
    login("process_owner")
    assert deploy(client, script_process("x = 1")).json["version"] == 1
    assert deploy(client, script_process("x = 2")).json["version"] == 2
    again = deploy(client, script_process("x = 2")).json
    assert again == {"ok": True, "key": "tiny", "version": 2, "new": False,
                     "message": "identical to version 2: nothing deployed"}
    assert db.session.scalars(sa.select(ProcessDefinition.version).where(ProcessDefinition.key == "tiny")).all() \
        == [1, 2]


def test_editor_help_lists_every_allowed_operation_with_parameters_and_description(client, login, shipped):
    login("process_owner")
    page = client.get("/processes/customer_request/edit").text
    help_table = page[page.index('id="service-operations"'):]
    for name, service in SERVICES.items():
        assert f"<td><code>{name}</code></td>" in help_table and escape(service.description) in help_table
        for required in service.required:
            assert f"<code>{required}</code>" in help_table
    assert "<code>planned_in_days</code> (optional)" in help_table


def test_every_operation_has_a_description_and_requires_what_its_function_requires():
    for service in SERVICES.values():
        signature = list(inspect.signature(service.function).parameters.values())[2:]
        assert service.description.endswith("."), service.name
        assert service.required == {p.name for p in signature if p.default is p.empty}, service.name
