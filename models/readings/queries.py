"""Read-only queries of the meter-reading pages: cycles with their progress, walk lists, history."""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.meters.entities import Meter, Register
from models.premises.entities import Property, ServicePoint
from models.readings.entities import (
    OrderStatus,
    Reading,
    ReadingImport,
    ReadingOrder,
)


def cycle_progress(session: Session, cycle_ids: list[int]) -> dict[int, dict[str, int]]:
    """Orders per status for each cycle, with `total` and `done` (read or estimated)."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in OrderStatus} | {"total": 0})
    if not cycle_ids:
        return out
    for cycle_id, status, count in session.execute(
            sa.select(ReadingOrder.cycle_id, ReadingOrder.status, sa.func.count())
            .where(ReadingOrder.cycle_id.in_(cycle_ids)).group_by(ReadingOrder.cycle_id, ReadingOrder.status)):
        out[cycle_id][status.value] = count
        out[cycle_id]["total"] += count
    return out


def walk_list(session: Session, cycle_id: int):
    """The cycle's orders in walking sequence with where to go and what to expect."""
    return session.execute(
        sa.select(ReadingOrder, ServicePoint.spn, ServicePoint.itinerary, Property.address, Meter.number,
                  Register.code, Register.digits)
        .join(ServicePoint, ServicePoint.id == ReadingOrder.service_point_id)
        .join(Property, Property.id == ServicePoint.property_id)
        .join(Register, Register.id == ReadingOrder.register_id)
        .join(Meter, Meter.id == Register.meter_id)
        .where(ReadingOrder.cycle_id == cycle_id)
        .order_by(ReadingOrder.sequence)).all()


def recent_imports(session: Session, limit: int = 10) -> list[ReadingImport]:
    return list(session.scalars(sa.select(ReadingImport).order_by(ReadingImport.id.desc()).limit(limit)))


def recent_readings_of(session: Session, meter_ids: list[int], limit: int = 50):
    """The meters' latest readings, newest first, each with its register's code and meter."""
    return session.execute(
        sa.select(Reading, Register.code, Register.meter_id).join(Register, Register.id == Reading.register_id)
        .where(Register.meter_id.in_(meter_ids)).order_by(Reading.read_on.desc(), Reading.id.desc())
        .limit(limit)).all()
