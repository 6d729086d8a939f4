"""/processes: the BPMN editor (bpmn-js, served locally), deployment, and the process monitor."""
from __future__ import annotations

import inspect
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from models.base import db
from models.process.entities import InstanceStatus, ProcessDefinition, ProcessInstance
from models.process.monitor import definitions_overview, error_groups, instances_of, waiting_by_activity
from models.process.queries import definition_version, tasks_of
from models.requests.queries import find_requests
from models.statuses import status_history
from models.users.entities import RoleName
from models.users.queries import user_emails
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash, request_transaction
from portal.objects import object_url
from portal.params import json_or_form, optional_int
from workflows.engine import ProcessRefused, parse_definition
from workflows.runtime import deploy_definition, instance_picture, retry_failed, retry_instance, set_instance_status
from workflows.service_tasks import SERVICES

bp = Blueprint("processes", __name__, url_prefix="/processes")
vendor = Blueprint("vendor", __name__)
OWNERS = (RoleName.PROCESS_OWNER, RoleName.ADMIN)
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# Only what the browser needs from node_modules is served, from its dist folders.
VENDOR_PREFIXES = ("bpmn-js/dist/", "bpmn-js-properties-panel/dist/", "@bpmn-io/properties-panel/dist/assets/",
                   "camunda-bpmn-moddle/resources/")
NEW_DIAGRAM = (Path(__file__).resolve().parent.parent / "static" / "new-process.bpmn")


def _is_owner() -> bool:
    return any(current_user.has_role(r.value) for r in OWNERS)


@vendor.get("/vendor/<path:filename>")
def asset(filename: str):
    if not filename.startswith(VENDOR_PREFIXES) or ".." in filename:
        abort(404)
    return send_from_directory(NODE_MODULES, filename, max_age=86400)


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    found = None
    number = request.args.get("object", "").strip()
    if number:
        requests = find_requests(db.session, number)
        found = [i for r in requests for i in instances_of(db.session, "customer_request", r.id)]
    return render_template("processes/index.html", definitions=definitions_overview(db.session),
                           errors=error_groups(db.session), waiting=waiting_by_activity(db.session), found=found,
                           number=number, may_edit=_is_owner())


@bp.get("/<key>/edit")
@roles_allowed(*OWNERS)
def edit(key: str):
    definition = definition_version(db.session, key, optional_int(request.args.get("version")))
    if definition is None and key != "new":
        abort(404)
    return render_template("processes/edit.html", definition=definition, key=key if definition else "",
                           services=service_help())


def service_help() -> list[dict]:
    """Every operation a service task may name, read from the allow-list itself so the help cannot fall behind."""
    rows = []
    for name, service in sorted(SERVICES.items()):
        parameters = list(inspect.signature(service.function).parameters.values())[2:]     # after context, data
        rows.append({"name": name, "description": service.description,
                     "parameters": [(p.name, p.name in service.required or p.default is p.empty)
                                    for p in parameters]})
    return rows


@bp.get("/definitions/<int:definition_id>.bpmn")
@roles_allowed(*ANY_STAFF)
def download(definition_id: int):
    definition = db.session.get(ProcessDefinition, definition_id) or abort(404)
    return Response(definition.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{definition.key}-v{definition.version}.bpmn"'})


@bp.get("/new.bpmn")
@roles_allowed(*OWNERS)
def blank():
    return Response(NEW_DIAGRAM.read_text(), mimetype="application/xml")


def _field(name: str) -> str:
    """A field of the editor's JSON body; the editor always sends text, so anything else is a bad request."""
    value = json_or_form(request).get(name) or ""
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be text")
    return value


def _xml() -> bytes:
    return _field("xml").encode("utf-8")


@bp.post("/validate")
@roles_allowed(*OWNERS)
def validate():
    try:
        parsed = parse_definition(_xml())
    except ProcessRefused as exc:
        return jsonify(ok=False, message=exc.message, element=exc.element), 422
    return jsonify(ok=True, message=f"valid: process '{parsed.process_id}' with "
                                    f"{sum(1 for r in parsed.roles)} user task(s)")


@bp.post("/deploy")
@roles_allowed(*OWNERS)
def deploy():
    try:
        with request_transaction():
            definition, new = deploy_definition(db.session, _xml(), _field("key") or None)
    except ProcessRefused as exc:
        return jsonify(ok=False, message=exc.message, element=exc.element), 422
    return jsonify(ok=True, key=definition.key, version=definition.version, new=new,
                   message=(f"deployed {definition.key} version {definition.version}" if new
                            else f"identical to version {definition.version}: nothing deployed"))


@bp.get("/instances/<int:instance_id>")
@roles_allowed(*ANY_STAFF)
def instance(instance_id: int):
    item = db.session.get(ProcessInstance, instance_id) or abort(404)
    timeline = [(c.at, c.by, f"status {c.from_status or '—'} → {c.to_status}" + (f" ({c.note})" if c.note else ""))
                for c in (status_history(db.session, item.object_type, item.object_id) if item.object_type else [])]
    people = user_emails(db.session)
    for task in tasks_of(db.session, item.id):
        timeline.append((task.created_at, "engine", f"task “{task.name}” ready for {task.role}"))
        if task.completed_at:
            timeline.append((task.completed_at, people.get(task.completed_by_id, "?"), f"task “{task.name}” completed"))
    timeline.append((item.started_at, item.started_by, "process started"))
    timeline.sort(key=lambda row: row[0])
    return render_template("processes/instance.html", item=item, picture=instance_picture(item), timeline=timeline,
                           object_link=object_url(item.object_type, item.object_id),
                           may_manage=_is_owner())


@bp.post("/instances/<int:instance_id>/retry")
@roles_allowed(*OWNERS)
def retry(instance_id: int):
    item = db.session.get(ProcessInstance, instance_id) or abort(404)
    commit_or_flash(lambda: retry_instance(db.session, item),
                    lambda _: (f"Retried: now {item.status.value}"
                               + (f" — {item.error_message}" if item.error_message else ""),
                               "error" if item.status is InstanceStatus.ERROR else "success"))
    return redirect(url_for(".instance", instance_id=instance_id))


@bp.post("/instances/<int:instance_id>/status")
@roles_allowed(*OWNERS)
def change_status(instance_id: int):
    item = db.session.get(ProcessInstance, instance_id) or abort(404)
    target = request.form.get("status")
    if target not in {s.value for s in InstanceStatus}:
        flash(f"unknown status '{target}'", "error")
    else:
        commit_or_flash(lambda: set_instance_status(db.session, item, InstanceStatus(target),
                                                    request.form.get("reason", "")),
                        lambda _: f"Process #{item.id} is now {item.status.value}.")
    return redirect(url_for(".instance", instance_id=instance_id))


@bp.post("/errors/retry")
@roles_allowed(*OWNERS)
def retry_group():
    with request_transaction():
        report = retry_failed(db.session, request.form.get("message", ""))
    if not report:
        flash("No instance is in error with that message any more.", "info")
    for instance_id, outcome in report:
        flash(f"#{instance_id}: {outcome}", "error" if outcome.startswith("error") else "success")
    return redirect(url_for(".index"))
