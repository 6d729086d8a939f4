"""Select builders for reports and the dashboard: plain SQL aggregates, no ORM object loading."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.customers.entities import Customer
from models.meters.entities import Meter
from models.premises.entities import ServicePoint
from models.tariffs.entities import Tariff


def _grouped(session: Session, column) -> list[tuple[str, int]]:
    rows = session.execute(sa.select(column, sa.func.count()).group_by(column).order_by(column)).all()
    return [(getattr(k, "value", k), n) for k, n in rows]


def dashboard_counts(session: Session) -> dict:
    active_terms = (
        sa.select(Tariff.tariff_class, sa.func.count())
        .select_from(Contract)
        .join(ContractVersion, sa.and_(ContractVersion.contract_id == Contract.id,
                                       ContractVersion.valid_to.is_(None)))
        .join(Tariff, Tariff.id == ContractVersion.tariff_id)
        .where(Contract.status == ContractStatus.ACTIVE)
        .group_by(Tariff.tariff_class).order_by(Tariff.tariff_class)
    )
    return {
        "customers": session.scalar(sa.select(sa.func.count()).select_from(Customer)),
        "service_points_by_status": _grouped(session, ServicePoint.status),
        "meters_by_status": _grouped(session, Meter.status),
        "contracts_by_class": [tuple(r) for r in session.execute(active_terms).all()],
    }


def stock_by_store(session: Session) -> list[tuple[str, str, int]]:
    """(store, status, meters) for meters held by a store: in store, in the lab, rejected."""
    from models.meters.entities import Meter, Store
    return [(code, status.value, n) for code, status, n in session.execute(
        sa.select(Store.code, Meter.status, sa.func.count()).join(Store, Store.id == Meter.store_id)
        .where(Meter.status.in_(["in_store", "in_lab", "rejected", "in_transit"]))
        .group_by(Store.code, Meter.status).order_by(Store.code, Meter.status))]


def movement_report(session: Session, date_from, date_to, from_store_id=None, to_store_id=None, kind=None,
                    limit: int | None = 5000):
    """Meter movements between stores in a date interval, oldest first."""
    from sqlalchemy.orm import aliased

    from models.meters.entities import Meter, MeterModel, MeterMovement, Store
    origin, destination = aliased(Store), aliased(Store)
    query = (sa.select(MeterMovement.moved_on, MeterMovement.kind, MeterMovement.document_no, Meter.number,
                       MeterModel.manufacturer, MeterModel.model_code, origin.code.label("from_store"),
                       destination.code.label("to_store"), MeterMovement.by, MeterMovement.reason)
             .join(Meter, Meter.id == MeterMovement.meter_id).join(MeterModel, MeterModel.id == Meter.model_id)
             .outerjoin(origin, origin.id == MeterMovement.from_store_id)
             .outerjoin(destination, destination.id == MeterMovement.to_store_id)
             .where(MeterMovement.moved_on >= date_from, MeterMovement.moved_on <= date_to)
             .order_by(MeterMovement.moved_on, MeterMovement.id))
    if from_store_id:
        query = query.where(MeterMovement.from_store_id == from_store_id)
    if to_store_id:
        query = query.where(MeterMovement.to_store_id == to_store_id)
    if kind:
        query = query.where(MeterMovement.kind == kind)
    return session.execute(query.limit(limit) if limit else query).all()


def _calibration_filters(year: int, store_id=None, usage=None, date_from=None, date_to=None):
    from datetime import date

    from models.meters.entities import Meter, Register
    start, end = date(year, 1, 1), date(year, 12, 31)
    conditions = [Meter.next_calibration_due >= max(start, date_from or start),
                  Meter.next_calibration_due <= min(end, date_to or end),
                  Meter.status.notin_(["scrapped", "rejected"])]
    if store_id:
        conditions.append(Meter.store_id == store_id)
    if usage:
        # IN (subquery), not EXISTS: the subquery is materialised once instead of probed per meter.
        conditions.append(Meter.id.in_(sa.select(Register.meter_id).where(Register.usage_type == usage)))
    return conditions


def calibration_due_by_month(session: Session, year: int, **filters) -> list[int]:
    """Meters whose calibration or verification falls due in each month of the year (12 counts)."""
    from models.meters.entities import Meter
    month = sa.extract("month", Meter.next_calibration_due)
    rows = session.execute(sa.select(month, sa.func.count()).where(*_calibration_filters(year, **filters))
                           .group_by(month)).all()
    counts = [0] * 12
    for m, n in rows:
        counts[int(m) - 1] = n
    return counts


def calibration_due_in_month(session: Session, year: int, month: int, limit: int | None = 500, **filters):
    """The meters due in one month, for the drill-down list and its export."""
    import calendar
    from datetime import date

    from models.meters.entities import Meter, MeterModel, Store
    last = calendar.monthrange(year, month)[1]
    conditions = _calibration_filters(year, **filters) + [
        Meter.next_calibration_due.between(date(year, month, 1), date(year, month, last))]
    query = (sa.select(Meter.number, MeterModel.manufacturer, MeterModel.model_code, Meter.status, Store.code,
                       Meter.last_calibrated_on, Meter.next_calibration_due)
             .join(MeterModel, MeterModel.id == Meter.model_id).outerjoin(Store, Store.id == Meter.store_id)
             .where(*conditions).order_by(Meter.next_calibration_due, Meter.number))
    return session.execute(query.limit(limit) if limit else query).all()


def service_order_select(date_from, date_to, order_type=None, status=None, area=None, term: str = "") -> sa.Select:
    """Service orders created in an interval, newest first, as (order, SPN, area) rows: by type, status,
    area (the reading route's area) and a term, part of the order number or the SPN."""
    from models.premises.entities import ReadingRoute, ServicePoint
    from models.service_orders.entities import ServiceOrder
    query = (sa.select(ServiceOrder, ServicePoint.spn, ReadingRoute.area)
             .outerjoin(ServicePoint, ServicePoint.id == ServiceOrder.service_point_id)
             .outerjoin(ReadingRoute, ReadingRoute.id == ServicePoint.route_id)
             .where(ServiceOrder.created_on >= date_from, ServiceOrder.created_on <= date_to)
             .order_by(ServiceOrder.created_on.desc(), ServiceOrder.id.desc()))
    if order_type:
        query = query.where(ServiceOrder.order_type == order_type)
    if status:
        query = query.where(ServiceOrder.status == status)
    if area:
        query = query.where(ReadingRoute.area == area)
    if term := term.strip():
        query = query.where(sa.or_(ServiceOrder.number.icontains(term, autoescape=True), ServicePoint.spn == term))
    return query


def service_order_report(session: Session, date_from, date_to, order_type=None, status=None, area=None,
                         term: str = "", limit: int | None = None):
    """The rows of service_order_select, all of them unless limited (the CSV export)."""
    query = service_order_select(date_from, date_to, order_type, status, area, term)
    return session.execute(query.limit(limit) if limit else query).all()


def service_orders_by_type_and_status(session: Session, query: sa.Select) -> dict[str, dict[str, int]]:
    """{type: {status: orders}} over the whole selection, not just the page shown."""
    from models.service_orders.entities import ServiceOrder
    out: dict[str, dict[str, int]] = {}
    for kind, status, n in session.execute(
            query.with_only_columns(ServiceOrder.order_type, ServiceOrder.status, sa.func.count())
            .group_by(ServiceOrder.order_type, ServiceOrder.status).order_by(None)):
        out.setdefault(kind.value, {})[status.value] = n
    return out
