"""Misc charges: a fee outside the tariff (reconnection, meter test, a charge from a service note) that waits
for the contract's next bill, which carries it as a line."""
from __future__ import annotations

from decimal import Decimal

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
