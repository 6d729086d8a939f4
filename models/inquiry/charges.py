"""Misc charges from the service point view: the clerk picks the type, the amount (or the type's default)
and the reason; the charge goes on the service point's active contract through billing's own operation
(models.billing.charges.add_misc_charge, which records who and when) and waits for its next bill."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.billing.charges import add_misc_charge
from models.billing.entities import MiscCharge, MiscChargeType
from models.contracts.entities import Contract, ContractStatus
from models.errors import DomainError
from models.limits import parse_int
from models.premises.queries import get_service_point


def charge_types(session: Session) -> list[MiscChargeType]:
    return list(session.scalars(sa.select(MiscChargeType).order_by(MiscChargeType.name)))


def add_charge_at(session: Session, spn: str, charge_type_id, amount, reason: str) -> MiscCharge:
    """A misc charge on the active contract of service point `spn`; flushes, never commits."""
    sp = get_service_point(session, spn)
    contract = session.scalar(sa.select(Contract).where(Contract.service_point_id == sp.id,
                                                        Contract.status == ContractStatus.ACTIVE))
    if contract is None:
        raise DomainError(f"service point {sp.spn} has no active contract to charge", "contract")
    type_id = parse_int(charge_type_id, "charge_type", 1, 2**31 - 1)
    charge_type = session.get(MiscChargeType, type_id) if type_id else None
    if charge_type is None:
        raise DomainError("choose the charge type", "charge_type")
    if reason is not None and not isinstance(reason, str):
        raise DomainError("must be text", "reason")
    return add_misc_charge(session, contract, charge_type, amount if amount not in (None, "") else None, reason)
