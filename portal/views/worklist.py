"""/worklist: clerks' task queues with the task's form beside the list."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from models.base import db
from models.errors import DomainError
from models.process.entities import HumanTask, TaskState
from models.process.operations import save_filter
from models.process.queries import QUEUES, TaskFilter, find_tasks, process_keys, queue_counts, visible_filters
from models.statuses import status_history
from models.users.entities import RoleName, User
from models.users.queries import active_users
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash, request_transaction
from portal.objects import object_url
from portal.params import optional_int
from workflows.billing_exceptions import exception_panel
from workflows.runtime import (
    claim_task,
    complete_task,
    instance_picture,
    reassign_task,
    task_form,
    unclaim_task,
)

bp = Blueprint("worklist", __name__, url_prefix="/worklist")
FILTER_KEYS = ("queue", "process", "q", "due", "min_priority", "older_than_days", "sort", "page")


def _filter(args) -> TaskFilter:
    queue = args.get("queue") if args.get("queue") in QUEUES else "unclaimed"
    return TaskFilter(queue=queue, process=args.get("process") or None, q=args.get("q") or None,
                      due=args.get("due") or None, min_priority=optional_int(args.get("min_priority")),
                      older_than_days=optional_int(args.get("older_than_days")),
                      sort=args.get("sort") or "due,-priority,age",
                      page=optional_int(args.get("page")) or 1)


def _query_string(args, **override) -> str:
    values = {k: args.get(k) for k in FILTER_KEYS if args.get(k)} | {k: v for k, v in override.items() if v}
    return urlencode(values)


def _back() -> str:
    return request.form.get("back", "")


def _panel(task_id: int | None, errors: dict | None = None, values: dict | None = None) -> dict | None:
    task = db.session.get(HumanTask, task_id) if task_id else None
    if task is None:
        return None
    history = status_history(db.session, task.object_type, task.object_id) if task.object_type else []
    return {"task": task, "fields": task_form(task), "history": history, "errors": errors or {},
            "picture": instance_picture(task.instance),
            "values": values or {}, "object_url": object_url(task.object_type, task.object_id),
            "done": [t for t in task.instance.tasks if t.state is TaskState.COMPLETED],
            "bill": exception_panel(db.session, task.object_id) if task.object_type == "bill" else None}


def _page(panel=None):
    f = _filter(request.args)
    tasks, total = find_tasks(db.session, current_user, f)
    selected = optional_int(request.args.get("task"))
    if panel is None and selected:
        panel = _panel(selected)
    assignees = []
    if current_user.has_role(RoleName.PROCESS_OWNER.value) or current_user.has_role(RoleName.ADMIN.value):
        assignees = active_users(db.session)
    return render_template("worklist.html", f=f, tasks=tasks, total=total,
                           counts=queue_counts(db.session, current_user), panel=panel,
                           processes=process_keys(db.session), saved=visible_filters(db.session, current_user),
                           qs=lambda **o: _query_string(request.args, **o), assignees=assignees,
                           roles=[r.value for r in RoleName])


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    return _page()


@bp.get("/counts")
@roles_allowed(*ANY_STAFF)
def counts():
    """The queue counts, polled by the page so that they stay live."""
    return jsonify(queue_counts(db.session, current_user))


def _act(task_id: int, action, message: str):
    task = db.session.get(HumanTask, task_id)
    if task is None:
        flash(f"No task {task_id}.", "error")
        return redirect(url_for(".index") + "?" + _back())
    commit_or_flash(lambda: action(task), message.format(task=task.name))
    return redirect(url_for(".index") + f"?{_back()}&task={task_id}")


@bp.post("/<int:task_id>/claim")
@roles_allowed(*ANY_STAFF)
def claim(task_id):
    return _act(task_id, lambda t: claim_task(db.session, t, current_user), "Claimed “{task}”.")


@bp.post("/<int:task_id>/unclaim")
@roles_allowed(*ANY_STAFF)
def unclaim(task_id):
    return _act(task_id, lambda t: unclaim_task(db.session, t, current_user), "Released “{task}”.")


@bp.post("/<int:task_id>/complete")
@roles_allowed(*ANY_STAFF)
def complete(task_id):
    data = {k: v for k, v in request.form.items() if k not in ("csrf_token", "back", "lock_version")}
    try:
        with request_transaction():
            task = complete_task(db.session, task_id, current_user, data,
                                 optional_int(request.form.get("lock_version")))
    except DomainError as exc:
        flash(str(exc), "error")
        return _page(_panel(task_id, {exc.field: exc.message}, data)), 422
    flash(f"Completed “{task.name}” ({task.object_label or task.process_key}).", "success")
    # Keyboard-first: the next task of the same queue opens by itself.
    tasks, _ = find_tasks(db.session, current_user, _filter(dict(_args(_back()))))
    following = f"&task={tasks[0].id}" if tasks else ""
    return redirect(url_for(".index") + f"?{_back()}{following}")


def _args(query: str):
    from urllib.parse import parse_qsl
    return parse_qsl(query)


@bp.post("/<int:task_id>/reassign")
@roles_allowed(RoleName.PROCESS_OWNER, RoleName.ADMIN)
def reassign(task_id):
    assignee = db.session.get(User, optional_int(request.form.get("assignee")) or 0)
    if assignee is None:
        flash("Choose the user to give the task to.", "error")
        return redirect(url_for(".index") + f"?{_back()}&task={task_id}")
    return _act(task_id, lambda t: reassign_task(db.session, t, assignee, current_user),
                f"Gave “{{task}}” to {assignee.email}.")


@bp.post("/bulk")
@roles_allowed(*ANY_STAFF)
def bulk():
    """Claim or reassign many tasks; each succeeds or fails on its own and the report lists both."""
    action = request.form.get("action")
    assignee = db.session.get(User, optional_int(request.form.get("assignee"))) if action == "reassign" else None
    done, failed = [], []
    for task_id in filter(None, map(optional_int, request.form.getlist("task_ids"))):
        task = db.session.get(HumanTask, task_id)
        try:
            with request_transaction():     # each task on its own: one refusal leaves the others done
                if task is None:
                    raise DomainError(f"no task {task_id}")
                if action == "claim":
                    claim_task(db.session, task, current_user)
                elif action == "reassign" and assignee is not None:
                    reassign_task(db.session, task, assignee, current_user)
                else:
                    raise DomainError("choose claim, or reassign with a user")
        except DomainError as exc:
            failed.append(f"#{task_id}: {exc}")
        else:
            done.append(task.name + (f" ({task.object_label})" if task.object_label else ""))
    if done:
        flash(f"{len(done)} task(s) {'claimed' if action == 'claim' else 'reassigned'}: {'; '.join(done)}", "success")
    if failed:
        flash(f"{len(failed)} not done: {'; '.join(failed)}", "error")
    return redirect(url_for(".index") + "?" + _back())


@bp.post("/filters")
@roles_allowed(*ANY_STAFF)
def save():
    try:
        with request_transaction():
            save_filter(db.session, current_user.id, request.form.get("name", ""), _back(),
                        request.form.get("shared_with_role") or None)
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        flash("Filter saved.", "success")
    return redirect(url_for(".index") + "?" + _back())
