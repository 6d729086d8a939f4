"""Starting the meter processes: calibration of meters that fall due."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.meters.entities import Meter, MeterStatus, Store, StoreKind
from models.process.entities import InstanceStatus, ProcessInstance
from workflows.runtime import start_instance

CALIBRATION = "meter_calibration"


def start_calibrations(session: Session, numbers: list[str], lab_store: str, return_store: str,
                       by: str) -> list[ProcessInstance]:
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
    return [start_instance(session, CALIBRATION, by, "meter", meters[n].id,
                           {"lab_store": lab_store, "return_store": return_store, "meter_number": n})
            for n in numbers]
