"""Misc charges: a fee outside the tariff (reconnection, meter test, a charge from a service note) that waits
for the contract's next bill, which carries it as a line."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.billing.entities import MiscCharge, MiscChargeType
from models.contracts.entities import ContractStatus
from models.errors import DomainError
from models.limits import parse_decimal

# A fee, not a bill: far above any the utility charges, inside the Money column.
AMOUNT_MAX = Decimal("1000000000")


def add_misc_charge(session: Session, contract, charge_type: MiscChargeType | None, amount=None,
                    reason: str = "") -> MiscCharge:
    """Record a charge on a contract for its next bill; the amount defaults to the type's, a negative one is a
    credit. The contract must still be billed (active), the reason is required."""
    if contract is None:
        raise DomainError("choose the contract", "contract")
    if charge_type is None:
        raise DomainError("choose the charge type", "charge_type")
    if contract.status is not ContractStatus.ACTIVE:
        raise DomainError(f"contract {contract} is {contract.status.value}: it gets no more bills", "contract")
    value = parse_decimal(amount, "amount", -AMOUNT_MAX, AMOUNT_MAX, places=2) if amount not in (None, "") \
        else charge_type.default_amount
    if value is None:
        raise DomainError(f"{charge_type.name} has no default amount: give the amount", "amount")
    if value == 0:
        raise DomainError("must not be zero", "amount")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("give the reason for the charge", "reason")
    charge = MiscCharge(contract_id=contract.id, charge_type_id=charge_type.id, charge_type=charge_type,
                        amount=value, reason=reason, by=acting_name())
    session.add(charge)
    session.flush()
    return charge


# The charge types the system itself raises (collection's fees and penalties); admins may change their names
# and default amounts, and add their own types.
SYSTEM_CHARGE_TYPES = {
    "RETURN_FEE": ("Returned payment fee", Decimal("25000")),
    "RECONNECTION_FEE": ("Reconnection fee", Decimal("100000")),
    "LATE_PENALTY": ("Late-payment penalty", None),
}


def system_charge_type(session: Session, code: str) -> MiscChargeType:
    """The charge type `code` of SYSTEM_CHARGE_TYPES, created with its name and default amount the first time."""
    found = session.scalar(sa.select(MiscChargeType).where(MiscChargeType.code == code))
    if found is None:
        name, amount = SYSTEM_CHARGE_TYPES[code]
        found = MiscChargeType(code=code, name=name, default_amount=amount, taxable=False)
        session.add(found)
        session.flush()
    return found
