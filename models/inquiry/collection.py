"""What the inquiry shows from collection: the customer's debt, the payments against each bill, the account's
direct-debit mandate, the protected flag, a running disconnection and the penalty terms; each function is the
one place its section asks."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.clock import today
from models.collection.bank_entities import Mandate, MandateStatus
from models.collection.dunning_entities import DebtAction, DebtActionKind
from models.collection.queries import Debt, allocations_of_bill, bill_balances
from models.collection.queries import customer_debt as debt_of
from models.contracts.entities import Contract
from models.customers.entities import Customer
from models.premises.entities import ServicePoint


def customer_debt(session: Session, customer_id: int) -> Debt | None:
    """Section 7: the unpaid bills of all the customer's accounts and service points, summed and aged."""
    customer = session.get(Customer, customer_id)
    return debt_of(session, customer, today()) if customer else None


@dataclass(frozen=True)
class BillPayments:
    outstanding: Decimal
    payments: list            # PaymentAllocation rows, released (reversed) ones included


def payments_against_bills(session: Session, bill_ids: list[int]) -> dict[int, BillPayments]:
    """Section 3: bill id -> the payments allocated to it, and its outstanding amount."""
    balances = bill_balances(session, bill_ids)
    return {bill_id: BillPayments(balances.get(bill_id, Decimal(0)), allocations_of_bill(session, bill_id))
            for bill_id in bill_ids}


def direct_debit_mandate(session: Session, account_id: int) -> str | None:
    """Section 8: the account's direct-debit mandate (reference, since when), or that it has none."""
    mandate = session.scalar(sa.select(Mandate).where(Mandate.account_id == account_id)
                             .order_by(Mandate.signed_on.desc()).limit(1))
    if mandate is None:
        return "none"
    state = "active" if mandate.status is MandateStatus.ACTIVE else mandate.status.value
    return f"{mandate.reference}, signed {mandate.signed_on.isoformat()} ({state})"


def protection(session: Session, service_point_id: int) -> str | None:
    """The header's alert: why the service point is protected from disconnection, when it is."""
    protected = session.scalar(sa.select(ServicePoint.protected).where(ServicePoint.id == service_point_id))
    return protected.value.replace("_", " ") if protected else None


def running_disconnection(session: Session, service_point_id: int) -> str | None:
    """The header's alert: the latest dunning step when it is a warning or a disconnection not yet undone."""
    action = session.scalar(sa.select(DebtAction).where(DebtAction.service_point_id == service_point_id)
                            .order_by(DebtAction.id.desc()).limit(1))
    if action is None or action.kind not in (DebtActionKind.WARNING, DebtActionKind.DISCONNECTION):
        return None
    return f"{action.kind.value} on {action.created_on.isoformat()} (Rp {action.amount:,.2f} overdue)"


def penalty_settings(session: Session, contract_id: int) -> str | None:
    """Section 9: how late-payment penalties are raised for the contract."""
    contract = session.get(Contract, contract_id)
    version = contract.version_on(today()) if contract else None
    if version is None or not version.late_penalty_percent:
        return "no late-payment penalty"
    return (f"{version.late_penalty_percent.normalize():f}% of the open balance, {version.penalty_grace_days} days "
            "after the due date, once per bill, on the next bill")
