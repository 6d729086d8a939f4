"""Late-payment penalties: the contract version's percentage of what a bill still owes once its grace days
after the due date have passed, raised once per bill and rule as a misc charge that the next bill carries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.billing.charges import add_misc_charge, system_charge_type
from models.billing.entities import Bill, BillKind, BillStatus
from models.collection.dunning_entities import LatePenalty
from models.collection.queries import bill_balances
from models.contracts.entities import Contract, ContractStatus, ContractVersion

RULE = "late_payment"          # the contract version's percentage and grace days
LATE_PENALTY = "LATE_PENALTY"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DuePenalty:
    bill_id: int
    version_id: int
    percent: Decimal
    grace_days: int


def due_penalties(session: Session, as_of: date) -> list[DuePenalty]:
    """Issued invoices of active contracts past their due date and grace days, whose contract version (the
    one in force on the due date) charges a penalty, and that have none under the rule yet."""
    already = sa.select(LatePenalty.id).where(LatePenalty.bill_id == Bill.id, LatePenalty.rule == RULE)
    rows = session.execute(
        sa.select(Bill.id, Bill.due_on, ContractVersion.id, ContractVersion.late_penalty_percent,
                  ContractVersion.penalty_grace_days)
        .join(Contract, Contract.id == Bill.contract_id)
        .join(ContractVersion, sa.and_(
            ContractVersion.contract_id == Contract.id, ContractVersion.valid_from <= Bill.due_on,
            sa.or_(ContractVersion.valid_to.is_(None), ContractVersion.valid_to > Bill.due_on)))
        .where(Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.ISSUED, Bill.due_on < as_of,
               Contract.status == ContractStatus.ACTIVE, ContractVersion.late_penalty_percent > 0,
               ~sa.exists(already))
        .order_by(Bill.id))
    # Grace days differ per version: compared here rather than with each engine's date arithmetic.
    return [DuePenalty(bill_id, version_id, percent, grace) for bill_id, due_on, version_id, percent, grace in rows
            if due_on + timedelta(days=grace) < as_of]


def post_penalties(session: Session, as_of: date) -> list[LatePenalty]:
    """Raise every penalty due on `as_of` (idempotent: a bill gets one per rule, however often this runs)."""
    due = due_penalties(session, as_of)
    balances = bill_balances(session, [d.bill_id for d in due])
    charge_type = system_charge_type(session, LATE_PENALTY) if due else None
    posted = []
    for item in due:
        balance = balances.get(item.bill_id, Decimal(0))
        amount = (balance * item.percent / 100).quantize(CENT, ROUND_HALF_UP)
        if amount <= 0:
            continue
        bill = session.get(Bill, item.bill_id)
        charge = add_misc_charge(session, bill.contract, charge_type, amount,
                                 f"late payment of {bill.number} (due {bill.due_on.isoformat()}): "
                                 f"{item.percent.normalize():f}% of {balance:,.2f}")
        penalty = LatePenalty(bill_id=bill.id, rule=RULE, contract_version_id=item.version_id, percent=item.percent,
                              base=balance, amount=amount, misc_charge_id=charge.id, posted_on=as_of)
        session.add(penalty)
        posted.append(penalty)
    session.flush()
    return posted
