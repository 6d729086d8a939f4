"""Read-side lookups of service points shared by the API and the portal."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.premises.entities import ServicePoint


def service_point_summary(session: Session, spn: str) -> dict | None:
    """The service point's basic data with its active contract's current terms."""
    sp = session.scalar(
        sa.select(ServicePoint).where(ServicePoint.spn == spn)
        .options(joinedload(ServicePoint.property), joinedload(ServicePoint.route)))
    if sp is None:
        return None
    contract = session.scalar(
        sa.select(Contract)
        .where(Contract.service_point_id == sp.id, Contract.status == ContractStatus.ACTIVE)
        .order_by(Contract.serial.desc())
        .options(selectinload(Contract.versions).joinedload(ContractVersion.tariff),
                 joinedload(Contract.account)))
    terms = next((v for v in reversed(contract.versions) if v.valid_to is None), None) if contract else None
    return {
        "spn": sp.spn,
        "status": sp.status.value,
        "supply_voltage": sp.supply_voltage.value,
        "created_on": sp.created_on,
        "address": sp.property.address,
        "city": sp.property.city,
        "route": sp.route.code if sp.route else None,
        "itinerary": sp.itinerary,
        "reading_sequence": sp.reading_sequence,
        "contract": None if contract is None else {
            "serial": contract.serial,
            "customer_no": contract.customer_no,
            "account_no": contract.account.account_no,
            "registered_on": contract.registered_on,
            "tariff": terms.tariff.code if terms else None,
            "contracted_power_va": terms.contracted_power_va if terms else None,
            "contract_type": terms.contract_type.value if terms else None,
        },
    }
