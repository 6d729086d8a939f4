"""Dunning's side of the domain: which contracts owe overdue bills, what a service point owes, and the debt
actions (reminder, warning, disconnection, reconnection) the collection process records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.billing.entities import Bill, BillKind, BillStatus
from models.clock import today
from models.collection.dunning_entities import DebtAction, DebtActionKind, DebtChannel
from models.collection.entities import PaymentAllocation, WriteOff
from models.contracts.entities import Contract, ContractStatus
from models.customers.entities import Account, Customer
from models.errors import DomainError

ZERO = Decimal(0)


@dataclass(frozen=True)
class Overdue:
    contract_id: int
    service_point_id: int
    customer_id: int
    amount: Decimal


def _settled():
    parts = sa.union_all(
        sa.select(PaymentAllocation.bill_id, PaymentAllocation.amount).where(PaymentAllocation.released_at.is_(None)),
        sa.select(WriteOff.bill_id, WriteOff.amount)).subquery()
    return sa.select(parts.c.bill_id, sa.func.sum(parts.c.amount).label("paid")).group_by(parts.c.bill_id).subquery()


def overdue_contracts(session: Session, as_of: date, exclude_service_points=None) -> list[Overdue]:
    """Active contracts with issued invoices past their due date and still owed, summed per contract, in one
    query (the dunning beat reads every open bill). `exclude_service_points` is a select of ids to skip."""
    paid = _settled()
    owed = Bill.total - sa.func.coalesce(paid.c.paid, 0)
    query = (sa.select(Bill.contract_id, Bill.service_point_id, Account.customer_id, sa.func.sum(owed))
             .join(Contract, Contract.id == Bill.contract_id).join(Account, Account.id == Bill.account_id)
             .outerjoin(paid, paid.c.bill_id == Bill.id)
             .where(Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.ISSUED, Bill.due_on < as_of,
                    Contract.status == ContractStatus.ACTIVE, owed > 0)
             .group_by(Bill.contract_id, Bill.service_point_id, Account.customer_id).order_by(Bill.contract_id))
    if exclude_service_points is not None:
        query = query.where(Bill.service_point_id.not_in(exclude_service_points))
    return [Overdue(c, sp, cu, amount) for c, sp, cu, amount in session.execute(query)]


def contract_overdue(session: Session, contract_id: int, as_of: date | None = None) -> tuple[list[int], Decimal]:
    """The contract's overdue bills (oldest first) and what they still owe."""
    # Correlated per bill (indexed), not the grouped subquery: that would sum every allocation there is.
    allocated = (sa.select(sa.func.coalesce(sa.func.sum(PaymentAllocation.amount), 0))
                 .where(PaymentAllocation.bill_id == Bill.id, PaymentAllocation.released_at.is_(None))
                 .scalar_subquery())
    written = (sa.select(sa.func.coalesce(sa.func.sum(WriteOff.amount), 0)).where(WriteOff.bill_id == Bill.id)
               .scalar_subquery())
    owed = Bill.total - allocated - written
    rows = session.execute(sa.select(Bill.id, owed)
                           .where(Bill.contract_id == contract_id, Bill.kind == BillKind.INVOICE,
                                  Bill.status == BillStatus.ISSUED, Bill.due_on < (as_of or today()), owed > 0)
                           .order_by(Bill.due_on, Bill.id)).all()
    return [r[0] for r in rows], sum((r[1] for r in rows), ZERO)


def active_contract(session: Session, service_point_id: int) -> Contract:
    contract = session.scalar(sa.select(Contract).where(Contract.service_point_id == service_point_id,
                                                        Contract.status == ContractStatus.ACTIVE))
    if contract is None:
        raise DomainError("the service point has no active contract to dun", "service_point")
    return contract


def notice_channel(session: Session, customer_id: int, channel: str = "auto") -> DebtChannel:
    """SMS when the customer has a phone number, else a letter (unless the process names the channel)."""
    if channel and channel != "auto":
        try:
            return DebtChannel(channel)
        except ValueError as exc:
            raise DomainError(f"unknown channel '{channel}': letter, sms or auto", "channel") from exc
    phone = session.scalar(sa.select(Customer.phone).where(Customer.id == customer_id))
    return DebtChannel.SMS if (phone or "").strip() else DebtChannel.LETTER


def record_debt_action(session: Session, kind: DebtActionKind, contract: Contract, *, instance_id: int | None = None,
                       channel: DebtChannel | None = None, service_order_id: int | None = None,
                       note: str | None = None) -> DebtAction:
    bill_ids, amount = contract_overdue(session, contract.id)
    action = DebtAction(kind=kind, channel=channel, service_point_id=contract.service_point_id, contract_id=contract.id,
                        customer_id=contract.account.customer_id, instance_id=instance_id,
                        service_order_id=service_order_id, bill_ids=bill_ids, amount=amount,
                        note=note[:500] if note else None, created_on=today(), by=acting_name())
    session.add(action)
    session.flush()
    return action


def debt_actions(session: Session, service_point_id: int) -> list[DebtAction]:
    return list(session.scalars(sa.select(DebtAction).where(DebtAction.service_point_id == service_point_id)
                                .order_by(DebtAction.created_at, DebtAction.id)))


def latest_actions(session: Session, contract_ids: list[int]) -> dict[int, DebtAction]:
    """Contract id -> its latest debt action (the dunning stage), for lists."""
    if not contract_ids:
        return {}
    last = (sa.select(sa.func.max(DebtAction.id)).where(DebtAction.contract_id.in_(contract_ids))
            .group_by(DebtAction.contract_id))
    return {a.contract_id: a for a in session.scalars(sa.select(DebtAction).where(DebtAction.id.in_(last)))}
