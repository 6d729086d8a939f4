"""BPMN in, runnable workflows out: safe XML, the Camunda convention, validation, serialization.

The convention process owners draw in (bpmn-js with the Camunda properties panel), documented in
the README: user-task forms are camunda:formData; a user task's role is its lane's name (or
camunda:candidateGroups); service tasks are camunda:type="external" with camunda:topic naming an
allow-listed operation and camunda:inputParameter values that are literals or ${expressions};
conditions and scripts are Python, run restricted; timers may be written as ISO 8601 (P30D).
"""
from __future__ import annotations

import json
import re
from copy import deepcopy
from datetime import date, datetime, tzinfo
from decimal import Decimal

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from models import clock
from models.errors import DomainError
from models.users.entities import RoleName
from workflows import sandbox
from workflows.service_tasks import SERVICES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_MODEL_NS}
FIELD_TYPES = {"string", "long", "number", "decimal", "boolean", "date", "enum"}
DEFAULT_ROLE = RoleName.CLERK.value
# No external entities, no network, no billion laughs: uploaded XML is untrusted.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                              load_dtd=False)
_ISO_TIMER = re.compile(r"^\s*(R\d*/)?(P[0-9YMWDTHS.]+|\d{4}-\d{2}-\d{2}T[0-9:.+\-Z]+)(/P[0-9YMWDTHS.]+)?\s*$")
_JUEL = re.compile(r"^\s*\$\{(.*)\}\s*$", re.S)


class ProcessRefused(DomainError):
    """A definition that cannot be deployed; `element` names the BPMN element at fault."""

    def __init__(self, message: str, element: str | None = None):
        super().__init__(message, "bpmn")
        self.element = element

    def __str__(self) -> str:
        return f"{self.element}: {self.message}" if self.element else self.message


# ---------------------------------------------------------------- timers on the application clock
class _ClockDatetime(datetime):
    """SpiffWorkflow's timers read the wall clock themselves: route it to the application clock, so that
    a timer's due time and the beat job that fires it agree on what time it is (a clock started with
    CMS_CLOCK_START, a frozen test clock), and a timer date written without a zone means the utility's."""

    @classmethod
    def now(cls, tz=None):
        now = clock.now_utc()
        return now.astimezone(tz) if tz else now.astimezone(clock.business_zone()).replace(tzinfo=None)


class _BusinessZone(tzinfo):
    """The utility's zone as configured when the timer is read (SpiffWorkflow fixes its own at import)."""

    def utcoffset(self, dt):
        return clock.business_zone().utcoffset(dt.replace(tzinfo=None))

    def dst(self, dt):
        return clock.business_zone().dst(dt.replace(tzinfo=None))

    def tzname(self, dt):
        return clock.business_zone().tzname(dt.replace(tzinfo=None))


spiff_timer.datetime = _ClockDatetime
spiff_timer.LOCALTZ = _BusinessZone()


# ---------------------------------------------------------------- service tasks (Camunda external)
class TopicServiceTask(ServiceTask):
    """A service task that calls one allow-listed operation (camunda:topic) with evaluated parameters."""

    def __init__(self, wf_spec, bpmn_id, topic, params, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic
        self.params = params

    def _execute(self, task):
        engine = task.workflow.script_engine
        values = {name: parameter_value(engine, task, raw) for name, raw in self.params.items()}
        result = engine.call_service(task, topic=self.topic, params=values)
        if isinstance(result, dict):
            task.data.update(result)
        return True


def parameter_value(engine, task, raw: str):
    match = _JUEL.match(raw or "")
    return engine.evaluate(task, match.group(1)) if match else raw


class TopicServiceTaskParser(CamundaTaskParser):
    def create_task(self):
        topic = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}topic")
        if not topic:
            self.raise_validation_exception(
                'a service task needs camunda:type="external" and camunda:topic naming an allowed operation')
        if topic not in SERVICES:
            self.raise_validation_exception(
                f"unknown service operation '{topic}'; allowed: {', '.join(sorted(SERVICES))}")
        params = {p.get("name"): (p.text or "").strip() for p in self.xpath(".//camunda:inputParameter")}
        missing = SERVICES[topic].required - set(params)
        if missing:
            self.raise_validation_exception(f"operation '{topic}' needs parameters {', '.join(sorted(missing))}")
        return self.spec_class(self.spec, self.bpmn_id, topic=topic, params=params, **self.bpmn_attributes)


class TopicServiceTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct["topic"] = spec.topic
        dct["params"] = spec.params
        return dct


class CmsParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (TopicServiceTaskParser, TopicServiceTask),
        full_tag("sendTask"): (TopicServiceTaskParser, TopicServiceTask),
    }


# ---------------------------------------------------------------- restricted script engine
class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        return sandbox.run_expression(expression, {**(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        sandbox.run_script(script, context)
        return True


class CmsScriptEngine(PythonScriptEngine):
    """Restricted scripts; service calls go to the allow-list with the runtime's context."""

    def __init__(self, context=None):
        super().__init__(environment=RestrictedEnvironment())
        self.context = context   # set by the runtime: session, instance, actor

    def validate(self, expression):
        sandbox.compile_expression(expression)

    def call_service(self, task, topic=None, params=None, **kwargs):
        # SpiffWorkflow 3.2's own call_service hides the real error behind a NameError.
        service = SERVICES[topic]
        try:
            return service.call(self.context, task.data, **(params or {}))
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            raise WorkflowTaskException(f"service '{topic}' failed: {exc}", task=task, exception=exc) from exc


# ---------------------------------------------------------------- serializer
def _registry():
    config = deepcopy(CAMUNDA_CONFIG)
    config[TopicServiceTask] = TopicServiceTaskConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return registry


SERIALIZER = BpmnWorkflowSerializer(_registry())


def serialize(workflow: BpmnWorkflow) -> str:
    return SERIALIZER.serialize_json(workflow)


def deserialize(state: str, context=None) -> BpmnWorkflow:
    workflow = SERIALIZER.deserialize_json(state)
    workflow.script_engine = CmsScriptEngine(context)   # the engine is not serialized
    return workflow


# ---------------------------------------------------------------- parsing and validation
def _normalise(root: etree._Element) -> None:
    """Accept what Camunda users write: ISO timers without quotes, ${...} conditions."""
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            if node.text and _ISO_TIMER.match(node.text):
                node.text = json.dumps(node.text.strip())
    for node in root.iter(f"{{{BPMN_NS}}}conditionExpression"):
        match = _JUEL.match(node.text or "")
        if match:
            node.text = re.sub(r"!(?!=)", " not ", match.group(1).replace("&&", " and ").replace("||", " or "))


def parse_xml(xml: bytes | str) -> etree._Element:
    data = xml.encode() if isinstance(xml, str) else xml
    try:
        root = etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ProcessRefused(f"not well-formed XML: {exc}") from exc
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise ProcessRefused("not a BPMN 2.0 file: the root element must be bpmn:definitions")
    _normalise(root)
    return root


def executable_process_ids(root: etree._Element) -> list[str]:
    processes = root.findall(f"{{{BPMN_NS}}}process")
    executable = [p.get("id") for p in processes if p.get("isExecutable", "false").lower() == "true"]
    return executable


def _roles_of_user_tasks(root: etree._Element, process_id: str) -> dict[str, str]:
    """user task id -> role, from camunda:candidateGroups or the enclosing lane's name."""
    process = root.find(f"{{{BPMN_NS}}}process[@id='{process_id}']")
    roles = {r.value for r in RoleName}
    lane_of = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        name = (lane.get("name") or "").strip()
        role = name.lower().replace(" ", "_").replace("-", "_")
        refs = [ref.text for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef")]
        has_user_task = any(process.find(f".//{{{BPMN_NS}}}userTask[@id='{r}']") is not None for r in refs)
        if has_user_task and role not in roles:
            raise ProcessRefused(f"lane '{name}' is not a role; name lanes after a role "
                                 f"({', '.join(sorted(roles))})", lane.get("id"))
        for ref in refs:
            lane_of[ref] = role
    out = {}
    for task in process.iter(f"{{{BPMN_NS}}}userTask"):
        groups = task.get(f"{{{CAMUNDA_MODEL_NS}}}candidateGroups")
        role = (groups.split(",")[0].strip() if groups else None) or lane_of.get(task.get("id")) or DEFAULT_ROLE
        if role not in roles:
            raise ProcessRefused(f"candidate group '{role}' is not a role", task.get("id"))
        out[task.get("id")] = role
    return out


def _check_unsupported(root: etree._Element) -> None:
    for node in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        raise ProcessRefused("business rule tasks (DMN decisions) are not supported yet", node.get("id"))


def _check_expressions(root: etree._Element) -> None:
    checks = [(f"{{{BPMN_NS}}}script", sandbox.compile_script)]
    for tag in ("conditionExpression", "timeDuration", "timeDate", "timeCycle"):
        checks.append((f"{{{BPMN_NS}}}{tag}", sandbox.compile_expression))
    for tag, compiler in checks:
        for node in root.iter(tag):
            if not (node.text or "").strip():
                continue
            try:
                compiler(node.text)
            except (sandbox.ScriptRefused, SyntaxError) as exc:
                element = node.getparent()
                raise ProcessRefused(f"script or expression refused: {exc}",
                                     element.get("id") or element.getparent().get("id")) from exc
    for node in root.iter(f"{{{CAMUNDA_MODEL_NS}}}inputParameter"):
        match = _JUEL.match(node.text or "")
        if match:
            try:
                sandbox.compile_expression(match.group(1))
            except sandbox.ScriptRefused as exc:
                raise ProcessRefused(f"parameter '{node.get('name')}' refused: {exc}") from exc


def _check_forms(spec) -> None:
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, UserTask) and task_spec.form is not None:
            for f in task_spec.form.fields:
                if f.type not in FIELD_TYPES:
                    raise ProcessRefused(f"form field '{f.id}' has unknown type '{f.type}'; "
                                         f"use one of {', '.join(sorted(FIELD_TYPES))}", task_spec.bpmn_id)


class ParsedProcess:
    def __init__(self, process_id: str, name: str, spec, subprocess_specs: dict, roles: dict[str, str]):
        self.process_id = process_id
        self.name = name
        self.spec = spec
        self.subprocess_specs = subprocess_specs
        self.roles = roles

    def new_workflow(self, context=None) -> BpmnWorkflow:
        return BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=CmsScriptEngine(context))


def parse_definition(xml: bytes | str, process_id: str | None = None) -> ParsedProcess:
    """Parse and validate a BPMN file; raise ProcessRefused naming the element for anything unsafe."""
    root = parse_xml(xml)
    ids = executable_process_ids(root)
    if not ids:
        raise ProcessRefused("no executable process: mark one bpmn:process isExecutable=\"true\"")
    if process_id is None:
        if len(ids) > 1:
            raise ProcessRefused(f"several executable processes ({', '.join(ids)}): name the one to deploy")
        process_id = ids[0]
    elif process_id not in ids:
        raise ProcessRefused(f"no executable process '{process_id}' (found {', '.join(ids)})")
    _check_unsupported(root)
    _check_expressions(root)
    roles = _roles_of_user_tasks(root, process_id)
    parser = CmsParser()
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename=f"{process_id}.bpmn")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise ProcessRefused(exc.message if hasattr(exc, "message") else str(exc), getattr(exc, "id", None)) from exc
    except (SpiffWorkflowException, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ProcessRefused(f"cannot be parsed: {exc}") from exc
    _check_forms(spec)
    for sub in subprocess_specs.values():
        _check_forms(sub)
    name = root.find(f"{{{BPMN_NS}}}process[@id='{process_id}']").get("name") or process_id
    return ParsedProcess(process_id, name, spec, subprocess_specs, roles)
