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
