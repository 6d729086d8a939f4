"""Read-side lookups of meters that the layers above (readings, installations, workflows, pages) share."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.errors import NotFound
from models.meters.entities import ControlDevice, Installation, Meter, MeterBatch, MeterModel, MeterMovement, Store


def current_meter_installation(session: Session, service_point_id: int) -> Installation | None:
    return session.scalar(sa.select(Installation).where(
        Installation.service_point_id == service_point_id, Installation.meter_id.is_not(None),
        Installation.removed_on.is_(None)))


def get_meter(session: Session, number: str) -> Meter:
    meter = session.scalar(sa.select(Meter).where(Meter.number == number))
    if meter is None:
        raise NotFound(f"no meter with number {number}", "meter")
    return meter


def get_control_device(session: Session, serial: str) -> ControlDevice:
    device = session.scalar(sa.select(ControlDevice).where(ControlDevice.serial == serial))
    if device is None:
        raise NotFound(f"no control device with serial {serial}", "serial")
    return device


def get_store(session: Session, code: str) -> Store:
    store = session.scalar(sa.select(Store).where(Store.code == code))
    if store is None:
        raise NotFound(f"no store {code}", "store")
    return store


def all_stores(session: Session) -> list[Store]:
    return list(session.scalars(sa.select(Store).order_by(Store.code)))


def all_meter_models(session: Session) -> list[MeterModel]:
    return list(session.scalars(sa.select(MeterModel).order_by(MeterModel.manufacturer)))


def recent_batches(session: Session, limit: int = 10) -> list[MeterBatch]:
    return list(session.scalars(sa.select(MeterBatch).order_by(MeterBatch.id.desc()).limit(limit)))


def movements_of(session: Session, meter_id: int) -> list[MeterMovement]:
    return list(session.scalars(sa.select(MeterMovement).where(MeterMovement.meter_id == meter_id)
                                .order_by(MeterMovement.moved_on, MeterMovement.id)))


def installations_at(session: Session, service_point_id: int) -> list[Installation]:
    """Every device ever installed at the service point, newest first."""
    return list(session.scalars(sa.select(Installation).where(Installation.service_point_id == service_point_id)
                                .order_by(Installation.installed_on.desc(), Installation.id.desc())))
