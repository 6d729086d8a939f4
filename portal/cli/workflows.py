"""`cms processes`, `cms tasks` and `cms workflows`: the BPMN engine from the shell."""
from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa

from models.audit.recorder import Actor, acting_as
from models.base import db
from models.errors import DomainError
from models.process.entities import HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState
from portal.cli.base import cli, edge
from workflows.engine import ProcessRefused


@cli.group()
def processes():
    """Deploy, list and start BPMN processes."""


@processes.command("deploy")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", help="process key (default: the BPMN process id)")
@click.option("--process", "process_id", help="which executable process, when the file has several")
def processes_deploy(file, key, process_id):
    """Validate FILE and deploy it as the next version of its process."""
    from workflows.runtime import deploy_definition
    with edge():
        try:
            definition, new = deploy_definition(db.session, file.read_bytes(), key, process_id)
        except ProcessRefused as exc:
            raise click.ClickException(f"refused: {exc}") from exc
    click.echo(f"{definition.key} version {definition.version}" + ("" if new else " (unchanged, already deployed)"))


@processes.command("deploy-shipped")
def processes_deploy_shipped():
    """Deploy the processes Watt CMS ships, where they changed."""
    from workflows.shipped import deploy_shipped
    with edge():
        for definition in deploy_shipped(db.session):
            click.echo(f"{definition.key} version {definition.version}")


@processes.command("list")
def processes_list():
    """Definitions with their versions and instance counts by status."""
    counts = dict(((d, s), n) for d, s, n in db.session.execute(
        sa.select(ProcessInstance.definition_id, ProcessInstance.status, sa.func.count())
        .group_by(ProcessInstance.definition_id, ProcessInstance.status)))
    for d in db.session.scalars(sa.select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                       ProcessDefinition.version)):
        summary = ", ".join(f"{s.value} {counts[(d.id, s)]}" for s in InstanceStatus if (d.id, s) in counts)
        click.echo(f"{d.key}\tv{d.version}\t{d.deployed_at:%Y-%m-%d %H:%M}\t{d.deployed_by}\t{summary or '-'}")


@processes.command("start")
@click.argument("key")
@click.option("--object", "obj", help="business object as TYPE:ID, e.g. customer_request:12")
@click.option("--data", default="{}", help="start data as a JSON object")
def processes_start(key, obj, data):
    """Start an instance of the latest version of KEY."""
    from workflows.runtime import start_instance
    object_type, object_id = _object(obj)
    with edge():
        instance = start_instance(db.session, key, object_type, object_id, _json(data))
    click.echo(f"instance {instance.id} {instance.status.value}"
               + (f" at {instance.current_activity}" if instance.current_activity else "")
               + (f": {instance.error_message}" if instance.error_message else ""))


@cli.group()
def tasks():
    """Human tasks in the queues."""


@tasks.command("list")
@click.option("--role", help="only this role's queue")
def tasks_list(role):
    query = sa.select(HumanTask).where(HumanTask.state == TaskState.OPEN).order_by(HumanTask.id)
    if role:
        query = query.where(HumanTask.role == role)
    for t in db.session.scalars(query):
        click.echo(f"{t.id}\t{t.role}\t{t.process_key}\t{t.name}\t{t.object_label or ''}\t{t.created_at:%Y-%m-%d}")


@tasks.command("complete")
@click.argument("task_id", type=int)
@click.option("--as", "email", required=True, help="the user completing the task")
@click.option("--data", default="{}", help="form data as a JSON object")
def tasks_complete(task_id, email, data):
    """Complete a task with form data, as a user of its role."""
    from models.users.operations import find_user
    from workflows.runtime import complete_task
    with edge():
        user = find_user(db.session, email)
        with acting_as(Actor(user.id, user.email)):    # the task's work is the user's, as in the portal
            task = complete_task(db.session, task_id, user, _json(data))
    instance = task.instance
    click.echo(f"completed {task.name}; instance {instance.id} {instance.status.value}"
               + (f" at {instance.current_activity}" if instance.current_activity else ""))


@cli.group()
def workflows():
    """Engine housekeeping."""


@workflows.command("wake")
def workflows_wake():
    """Fire the timers that are due now (Celery beat does this every 30 s)."""
    from workflows.tasks import wake_due_instances
    click.echo(f"woke {wake_due_instances()} instance(s)")


def _json(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--data is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise click.ClickException("--data must be a JSON object")
    return value


def _object(text: str | None) -> tuple[str | None, int | None]:
    if not text:
        return None, None
    kind, _, ident = text.partition(":")
    if not kind or not ident.isdigit():
        raise click.ClickException("--object must look like TYPE:ID, e.g. customer_request:12")
    return kind, int(ident)


__all__ = ["processes", "tasks", "workflows", "DomainError"]
