"""Deployment refuses what is unsafe or unrunnable, naming the element; versions never overwrite."""
import os
from pathlib import Path

import pytest

from tests.workflows.bpmn_samples import form_process, script_process, service_process
from workflows.engine import ProcessRefused
from workflows.runtime import deploy_definition, start_instance

# The shared data folder lies beside the checkout (as in CI); CMS_SHARED_DIR points elsewhere.
SHARED_BPMN = Path(os.environ.get("CMS_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared")) / "data" / "bpmn"


def refusal(db, xml: bytes) -> ProcessRefused:
    with pytest.raises(ProcessRefused) as info:
        deploy_definition(db.session, xml)
    return info.value


def test_redeploying_changed_xml_adds_a_version_and_same_xml_does_not(db):
    first, _ = deploy_definition(db.session, script_process("x = 1"))
    again, new = deploy_definition(db.session, script_process("x = 1"))
    second, _ = deploy_definition(db.session, script_process("x = 2"))
    assert (first.version, again.id, new, second.version) == (1, first.id, False, 2)


@pytest.mark.parametrize("script", [
    "import os", "().__class__.__base__.__subclasses__()", "x = open('/etc/passwd').read()",
    "__import__('os').system('id')", "x = (lambda: 0).__globals__"])
def test_escaping_scripts_are_refused_at_deploy(db, script):
    error = refusal(db, script_process(script))
    assert error.element == "run"


def test_script_that_loops_forever_stops_the_instance_in_error(db):
    deploy_definition(db.session, script_process("x = 0\nwhile True:\n    x += 1"))
    instance = start_instance(db.session, "scripted")
    assert instance.status.value == "error" and instance.error_element == "run"
    assert "longer than 1 s" in instance.error_message


def test_unknown_service_operation_is_refused(db):
    error = refusal(db, service_process("send_email"))
    assert error.element == "call" and "unknown service operation 'send_email'" in error.message


def test_lane_that_is_not_a_role_is_refused(db):
    error = refusal(db, form_process('<camunda:formField id="a" type="string"/>', lane="Supervisors"))
    assert error.element == "lane1" and "not a role" in error.message


def test_form_field_of_unknown_type_is_refused(db):
    error = refusal(db, form_process('<camunda:formField id="colour" type="colour"/>'))
    assert error.element == "ask" and "unknown type 'colour'" in error.message


@pytest.mark.parametrize("xml, reason", [
    (b"<bpmn:definitions", "not well-formed XML"),
    (b"<html/>", "not a BPMN 2.0 file"),
    (b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p"/>'
     b"</bpmn:definitions>", "no executable process"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>',
     "no executable process"),
])
def test_bad_files_get_a_reason(db, xml, reason):
    assert reason in str(refusal(db, xml))


def test_every_shared_bpmn_file_deploys_or_is_refused_with_a_reason(db):
    files = sorted(SHARED_BPMN.rglob("*.bpmn"))
    assert len(files) > 40, f"shared BPMN files not found under {SHARED_BPMN}"
    outcomes = {}
    for path in files:
        try:
            definition, _ = deploy_definition(db.session, path.read_bytes(), key=path.stem)
            instance = start_instance(db.session, definition.key)   # runnable, or in error with a reason
            assert instance.status.value in ("running", "completed") or instance.error_message, path
            outcomes[path.name] = f"deployed v{definition.version}, {instance.status.value}"
        except ProcessRefused as exc:
            assert str(exc).strip(), path
            outcomes[path.name] = f"refused: {exc}"
    deployed = [name for name, outcome in outcomes.items() if outcome.startswith("deployed")]
    assert "bpmn__timer.bpmn" in deployed and "lanes.bpmn" not in deployed
