"""Process monitor queries: instances by definition, version and status; errors; waiting work."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.process.entities import InstanceStatus, ProcessDefinition, ProcessInstance


def definitions_overview(session: Session) -> list[dict]:
    counts = {}
    for definition_id, status, n in session.execute(
            sa.select(ProcessInstance.definition_id, ProcessInstance.status, sa.func.count())
            .group_by(ProcessInstance.definition_id, ProcessInstance.status)):
        counts.setdefault(definition_id, {})[status.value] = n
    out = {}
    for d in session.scalars(sa.select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                    ProcessDefinition.version.desc())):
        entry = out.setdefault(d.key, {"key": d.key, "name": d.name, "latest": d, "versions": []})
        entry["versions"].append({"definition": d, "counts": counts.get(d.id, {})})
    return list(out.values())


def error_groups(session: Session) -> list[tuple[str, str | None, int]]:
    return list(session.execute(
        sa.select(ProcessInstance.error_message, ProcessInstance.error_element, sa.func.count())
        .where(ProcessInstance.status == InstanceStatus.ERROR)
        .group_by(ProcessInstance.error_message, ProcessInstance.error_element)
        .order_by(sa.func.count().desc())).all())


def waiting_by_activity(session: Session) -> list[tuple[str, str, int, object]]:
    return list(session.execute(
        sa.select(ProcessDefinition.key, ProcessInstance.current_activity, sa.func.count(),
                  sa.func.min(ProcessInstance.waiting_since))
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.status == InstanceStatus.RUNNING)
        .group_by(ProcessDefinition.key, ProcessInstance.current_activity)
        .order_by(ProcessDefinition.key, sa.func.count().desc())).all())


def instances_of(session: Session, object_type: str, object_id: int) -> list[ProcessInstance]:
    return list(session.scalars(sa.select(ProcessInstance).where(
        ProcessInstance.object_type == object_type, ProcessInstance.object_id == object_id)
        .order_by(ProcessInstance.id)))
