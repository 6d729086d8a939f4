"""Read-side lookups of contracts shared by the API and the portal: a service point with its active terms."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.premises.queries import get_service_point


def service_point_summary(session: Session, spn: str) -> dict:
    """The service point's basic data with its active contract's current terms; NotFound for an unknown SPN."""
    sp = get_service_point(session, spn)
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
