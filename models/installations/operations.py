"""Installing and removing meters and control devices at service points, with register readings.

Above both meters and readings: a meter goes in with the readings that start its registers and comes out
with the readings that end them (the entities stay in models.meters, the judging in models.readings).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.errors import DomainError
from models.limits import parse_decimal
from models.meters.entities import (
    ControlDevice,
    Installation,
    Meter,
    MeterMovement,
    MeterStatus,
    MovementKind,
    Store,
    StoreKind,
)
from models.meters.queries import current_meter_installation
from models.premises.entities import ServicePoint
from models.readings.entities import Reading, ReadingAnomaly, ReadingType
from models.readings.operations import judge_next, register_contexts
from models.statuses import check_move, move_status


def _reading(text: str) -> Decimal:
    value = parse_decimal(text, "readings", low=Decimal(0))
    if value is None:
        raise ValueError("empty")
    return value


def parse_readings(text: str, meter: Meter) -> dict[str, Decimal]:
    """'12345' for a one-register meter, or '1.8.1=120; 1.8.2=340' naming each register."""
    codes = [r.code for r in meter.registers]
    text = (text or "").strip()
    pairs = {}
    try:
        if "=" not in text and len(codes) == 1:
            pairs = {codes[0]: _reading(text)}
        else:
            for part in filter(None, (p.strip() for p in text.replace(",", ";").split(";"))):
                code, value = (x.strip() for x in part.split("="))
                pairs[code] = _reading(value)
    except (ValueError, DomainError) as exc:
        raise DomainError(f"'{text}' is not a reading for each register ({', '.join(codes)})", "readings") from exc
    return pairs


def _check_readings(meter: Meter, readings: dict[str, Decimal]) -> None:
    codes = {r.code: r for r in meter.registers}
    missing, unknown = set(codes) - set(readings), set(readings) - set(codes)
    if missing or unknown:
        raise DomainError(f"meter {meter.number} needs a reading of each register ({', '.join(sorted(codes))})"
                          + (f"; unknown {', '.join(sorted(unknown))}" if unknown else ""), "readings")
    for code, value in readings.items():
        limit = Decimal(10) ** codes[code].digits
        if value < 0 or value >= limit:
            raise DomainError(f"{code}: {value} does not fit a {codes[code].digits}-digit register", "readings")


def _record(session: Session, meter: Meter, readings: dict, on: date, kind: ReadingType, installation):
    """Installation readings start a register; a removal reading is judged like any other, so the old
    meter's last consumption (up to its removal) is there for billing."""
    by = acting_name()
    contexts = register_contexts(session, [r.id for r in meter.registers]) if kind is ReadingType.REMOVAL else {}
    for register in meter.registers:
        reading = Reading(register=register, read_on=on, value=readings[register.code], reading_type=kind,
                          installation=installation, by=by, source="field crew")
        if register.id in contexts:
            judged = judge_next(contexts[register.id], on, readings[register.code], kind)
            reading.consumption, reading.status = judged.values["consumption"], judged.values["status"]
            reading.anomalies = [ReadingAnomaly(code=code, detail=detail[:300]) for code, detail in judged.anomalies]
        session.add(reading)


def install_meter(session: Session, service_point: ServicePoint, meter: Meter, installed_on: date,
                  readings: dict[str, Decimal]) -> Installation:
    if current_meter_installation(session, service_point.id) is not None:
        raise DomainError(f"service point {service_point.spn} already has a meter: remove it first", "meter")
    if meter.status is not MeterStatus.IN_STORE:
        raise DomainError(f"meter {meter.number} is {meter.status.value.replace('_', ' ')}, not in a store", "meter")
    _check_readings(meter, readings)
    installation = Installation(service_point=service_point, meter_point_id=service_point.meter_point_id,
                                meter=meter, installed_on=installed_on)
    session.add(installation)
    move_status(session, meter, MeterStatus.INSTALLED, what=f"meter {meter.number}",
                note=f"installed at {service_point.spn}")
    meter.store_id = None
    _record(session, meter, readings, installed_on, ReadingType.INSTALLATION, installation)
    session.flush()
    return installation


def remove_meter(session: Session, installation: Installation, removed_on: date, readings: dict[str, Decimal],
                 to_store: Store, document_no: str = "removal") -> None:
    """Take a meter out with its final readings; it goes to a store or to the laboratory."""
    if installation.removed_on is not None:
        raise DomainError(f"meter {installation.meter.number} was already removed on {installation.removed_on}",
                          "meter")
    if removed_on < installation.installed_on:
        raise DomainError(f"must not be before the installation on {installation.installed_on}", "removed_on")
    meter = installation.meter
    _check_readings(meter, readings)
    target = MeterStatus.IN_LAB if to_store.kind is StoreKind.LABORATORY else MeterStatus.IN_STORE
    check_move(meter.status, target, f"meter {meter.number}")       # before any reading is written
    _record(session, meter, readings, removed_on, ReadingType.REMOVAL, installation)   # judged while installed
    installation.removed_on = removed_on
    spn = installation.service_point.spn
    move_status(session, meter, target, what=f"meter {meter.number}", note=f"removed from {spn}")
    meter.store_id = to_store.id
    session.add(MeterMovement(meter=meter, kind=MovementKind.RECEIVE, from_store_id=None, to_store_id=to_store.id,
                              document_no=document_no, moved_on=removed_on, by=acting_name(),
                              reason=f"removed from {spn}"))
    session.flush()


def change_meter(session: Session, service_point: ServicePoint, new_meter: Meter, changed_on: date,
                 old_readings: dict[str, Decimal], new_readings: dict[str, Decimal], old_meter_to: Store,
                 document_no: str = "meter change") -> Installation:
    """A meter change in one step: both meters' readings are kept, so billing can charge the old meter
    up to its removal reading and the new one from its installation reading."""
    current = current_meter_installation(session, service_point.id)
    if current is None:
        raise DomainError(f"service point {service_point.spn} has no meter to change", "meter")
    # Check the new meter before the old one comes out: a refusal must leave the site as it was.
    if new_meter.status is not MeterStatus.IN_STORE:
        raise DomainError(f"meter {new_meter.number} is {new_meter.status.value.replace('_', ' ')}, not in a store",
                          "meter")
    _check_readings(new_meter, new_readings)
    remove_meter(session, current, changed_on, old_readings, old_meter_to, document_no)
    return install_meter(session, service_point, new_meter, changed_on, new_readings)


def install_control_device(session: Session, service_point: ServicePoint, device: ControlDevice,
                           installed_on: date) -> Installation:
    busy = session.scalar(sa.select(Installation).where(Installation.control_device_id == device.id,
                                                        Installation.removed_on.is_(None)))
    if busy is not None:
        raise DomainError(f"{device.serial} is installed at {busy.service_point.spn}", "control_device")
    installation = Installation(service_point=service_point, control_device=device, installed_on=installed_on,
                                meter_point_id=service_point.meter_point_id)
    session.add(installation)
    session.flush()
    return installation


def remove_control_device(session: Session, installation: Installation, removed_on: date) -> None:
    if installation.removed_on is not None or installation.control_device_id is None:
        raise DomainError("this control device is not installed", "control_device")
    if removed_on < installation.installed_on:
        raise DomainError(f"must not be before the installation on {installation.installed_on}", "removed_on")
    installation.removed_on = removed_on
    session.flush()
