"""Starting the meter processes: calibration of meters that fall due."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.clock import today
from models.errors import DomainError
from models.meters.entities import Installation, Meter, MeterStatus, Store, StoreKind
from models.meters.queries import current_meter_installation
from models.premises.entities import ServicePoint
from models.process.entities import InstanceStatus, ProcessDefinition, ProcessInstance
from workflows.runtime import start_instance

CALIBRATION = "meter_calibration"


def start_calibrations(session: Session, numbers: list[str], lab_store: str,
                       return_store: str) -> list[ProcessInstance]:
    """One calibration process per meter; every meter must qualify or none starts."""
    stores = {s.code: s for s in session.scalars(sa.select(Store).where(Store.code.in_([lab_store, return_store])))}
    if lab_store not in stores or stores[lab_store].kind is not StoreKind.LABORATORY:
        raise DomainError(f"'{lab_store}' is not a laboratory", "lab_store")
    if return_store not in stores:
        raise DomainError(f"unknown store '{return_store}'", "return_store")
    meters = {m.number: m for m in session.scalars(sa.select(Meter).where(Meter.number.in_(numbers)))}
    busy = set(session.scalars(sa.select(ProcessInstance.object_id).join(ProcessInstance.definition).where(
        ProcessInstance.object_type == "meter", ProcessInstance.status == InstanceStatus.RUNNING,
        ProcessInstance.object_id.in_([m.id for m in meters.values()]))))
    problems = []
    for number in numbers:
        meter = meters.get(number)
        if meter is None:
            problems.append(f"{number}: no such meter")
        elif meter.status is not MeterStatus.IN_STORE:
            problems.append(f"{number}: is {meter.status.value.replace('_', ' ')}, not in a store")
        elif meter.id in busy:
            problems.append(f"{number}: already has a calibration running")
    if problems:
        raise DomainError(f"no calibration started; {'; '.join(problems[:20])}", "meters")
    return [start_instance(session, CALIBRATION, "meter", meters[n].id,
                           {"lab_store": lab_store, "return_store": return_store, "meter_number": n})
            for n in numbers]


REPLACEMENT = "meter_replacement"


def running_replacement(session: Session, service_point_id: int) -> int | None:
    """The meter replacement process running at a service point, if any."""
    return session.scalar(sa.select(ProcessInstance.id).join(ProcessInstance.definition).where(
        ProcessInstance.object_type == "service_point", ProcessInstance.object_id == service_point_id,
        ProcessInstance.status == InstanceStatus.RUNNING, ProcessDefinition.key == REPLACEMENT))


def start_meter_replacement(session: Session, service_point: ServicePoint, reason: str) -> ProcessInstance:
    """Started by a clerk, by a calibration falling due, or by a reading anomaly."""
    if current_meter_installation(session, service_point.id) is None:
        raise DomainError(f"service point {service_point.spn} has no meter to replace", "service_point")
    running = running_replacement(session, service_point.id)
    if running:
        raise DomainError(f"service point {service_point.spn} already has a meter replacement running (#{running})",
                          "service_point")
    return start_instance(session, REPLACEMENT, "service_point", service_point.id, {"reason": reason})


def start_due_replacements(session: Session, within_days: int) -> list[int]:
    """Installed meters whose calibration falls due get a replacement (they go to the lab when changed)."""
    horizon = today() + timedelta(days=within_days)
    rows = session.execute(sa.select(Installation.service_point_id, Meter.number)
                           .join(Meter, Meter.id == Installation.meter_id)
                           .where(Installation.removed_on.is_(None), Meter.status == MeterStatus.INSTALLED,
                                  Meter.next_calibration_due <= horizon)).all()
    busy = set(session.scalars(sa.select(ProcessInstance.object_id).join(ProcessInstance.definition).where(
        ProcessInstance.object_type == "service_point", ProcessInstance.status == InstanceStatus.RUNNING,
        ProcessDefinition.key == REPLACEMENT)))
    started = []
    for service_point_id, number in rows:
        if service_point_id in busy:
            continue
        sp = session.get(ServicePoint, service_point_id)
        started.append(start_meter_replacement(session, sp, f"calibration of meter {number} falls due").id)
    return started
