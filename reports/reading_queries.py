"""Meter-reading reports: anomalies by route, code, period and status; completeness per route and cycle;
consumption history of a service point."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.meters.entities import Installation, Meter, Register, UsageType
from models.premises.entities import ReadingRoute, ServicePoint
from models.readings.entities import (
    AnomalyCode,
    AnomalyStatus,
    CycleStatus,
    OrderStatus,
    Reading,
    ReadingAnomaly,
    ReadingCycle,
    ReadingOrder,
    ReadingStatus,
    ReadingType,
)

GROUPINGS = {"route", "code", "month", "status"}


def _anomaly_query(date_from: date, date_to: date, route_id=None, code=None, status=None, term: str = ""):
    query = (sa.select(ReadingAnomaly, Reading.read_on, Reading.value, ServicePoint.spn,
                       ReadingRoute.code.label("route"), Meter.number, Register.code.label("register"))
             .join(Reading, Reading.id == ReadingAnomaly.reading_id)
             .join(Register, Register.id == Reading.register_id)
             .join(Meter, Meter.id == Register.meter_id)
             .join(Installation, sa.and_(Installation.meter_id == Meter.id,
                                         Installation.installed_on <= Reading.read_on,
                                         sa.or_(Installation.removed_on.is_(None),
                                                Installation.removed_on >= Reading.read_on)))
             .join(ServicePoint, ServicePoint.id == Installation.service_point_id)
             .outerjoin(ReadingRoute, ReadingRoute.id == ServicePoint.route_id)
             .where(Reading.read_on >= date_from, Reading.read_on <= date_to))
    if route_id:
        query = query.where(ServicePoint.route_id == route_id)
    if code in {c.value for c in AnomalyCode}:
        query = query.where(ReadingAnomaly.code == code)
    if status in {s.value for s in AnomalyStatus}:
        query = query.where(ReadingAnomaly.status == status)
    if term := term.strip():
        query = query.where(sa.or_(ServicePoint.spn == term, Meter.number == term))
    return query


def anomaly_select(date_from: date, date_to: date, **filters) -> sa.Select:
    """The anomalies of an interval with their reading, SPN, route, meter and register, newest first."""
    return (_anomaly_query(date_from, date_to, **filters).order_by(Reading.read_on.desc(), ReadingAnomaly.id.desc())
            .options(selectinload(ReadingAnomaly.service_order)))


def anomaly_list(session: Session, date_from: date, date_to: date, limit: int | None = None, **filters):
    query = anomaly_select(date_from, date_to, **filters)
    return session.execute(query.limit(limit) if limit else query).all()


def cycle_select(status: str | None = None, route_id: int | None = None, period: date | None = None,
                 route_code: str = "") -> sa.Select:
    """Reading cycles, latest period first, by status, route (chosen, or part of its code) and period."""
    query = sa.select(ReadingCycle).join(ReadingRoute).order_by(ReadingCycle.period.desc(), ReadingRoute.code)
    if status in {s.value for s in CycleStatus}:
        query = query.where(ReadingCycle.status == status)
    if route_id:
        query = query.where(ReadingCycle.route_id == route_id)
    if period:
        query = query.where(ReadingCycle.period == period.replace(day=1))
    if route_code := route_code.strip():
        query = query.where(ReadingRoute.code.icontains(route_code, autoescape=True))
    return query.options(selectinload(ReadingCycle.route))


def anomaly_counts(session: Session, date_from: date, date_to: date, group: str, **filters) -> dict:
    """{group value: {status: count}} for the chart, grouped by route, code, month or status."""
    base = _anomaly_query(date_from, date_to, **filters).subquery()
    key = {"route": base.c.route, "code": base.c.code, "status": base.c.status,
           "month": sa.func.substr(sa.cast(base.c.read_on, sa.String), 1, 7)}[group if group in GROUPINGS else "code"]
    out: dict = defaultdict(dict)
    for value, status, count in session.execute(
            sa.select(key, base.c.status, sa.func.count()).group_by(key, base.c.status).order_by(key)):
        out[getattr(value, "value", value) or "no route"][getattr(status, "value", status)] = count
    return dict(out)


def completeness(session: Session, period_from: date, period_to: date, route_id=None) -> list[dict]:
    """Per cycle: orders, read, estimated, not read, open, and the share read."""
    query = (sa.select(ReadingCycle.id, ReadingRoute.code, ReadingRoute.area, ReadingCycle.period, ReadingCycle.status,
                       ReadingOrder.status.label("order_status"), sa.func.count(ReadingOrder.id))
             .join(ReadingRoute, ReadingRoute.id == ReadingCycle.route_id)
             .outerjoin(ReadingOrder, ReadingOrder.cycle_id == ReadingCycle.id)
             .where(ReadingCycle.period >= period_from.replace(day=1), ReadingCycle.period <= period_to)
             .group_by(ReadingCycle.id, ReadingRoute.code, ReadingRoute.area, ReadingCycle.period, ReadingCycle.status,
                       ReadingOrder.status)
             .order_by(ReadingCycle.period.desc(), ReadingRoute.code))
    if route_id:
        query = query.where(ReadingCycle.route_id == route_id)
    rows: dict[int, dict] = {}
    for cycle_id, route, area, period, status, order_status, count in session.execute(query):
        row = rows.setdefault(cycle_id, {"cycle_id": cycle_id, "route": route, "area": area, "period": period,
                                         "status": status.value, "total": 0,
                                         **{s.value: 0 for s in OrderStatus}})
        if order_status is not None:
            row[order_status.value] += count
            row["total"] += count
    for row in rows.values():
        row["share_read"] = round(100 * row["read"] / row["total"], 1) if row["total"] else 0.0
    return list(rows.values())


def consumption_by_month(session: Session, service_point_id: int, since: date) -> dict[str, dict[str, Decimal]]:
    """{register code: {YYYY-MM: consumption}} of actual and estimated readings (superseded estimates out);
    estimated months are keyed 'code (estimated)' so the chart can tell them apart."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = session.execute(
        sa.select(Register.code, Reading.read_on, Reading.reading_type, Reading.consumption)
        .join(Register, Register.id == Reading.register_id)
        .join(Installation, Installation.meter_id == Register.meter_id)
        .where(Installation.service_point_id == service_point_id, Reading.read_on >= since,
               Reading.read_on >= Installation.installed_on,
               sa.or_(Installation.removed_on.is_(None), Reading.read_on <= Installation.removed_on),
               Reading.consumption.is_not(None), Reading.status != ReadingStatus.SUPERSEDED,
               Register.usage_type != UsageType.DEMAND))
    for code, read_on, kind, used in rows:
        key = f"{code} (estimated)" if kind is ReadingType.ESTIMATED else code
        out[key][f"{read_on:%Y-%m}"] += Decimal(used)
    return {key: dict(sorted(months.items())) for key, months in sorted(out.items())}
