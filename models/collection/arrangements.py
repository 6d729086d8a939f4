"""Payment arrangements: a contract's overdue bills paid by a down payment and instalments with due dates.
While one is kept dunning waits; a missed instalment breaks it; paying the bills completes it.

What has been paid towards an arrangement is what its bills no longer owe, so the payments themselves stay
allocated oldest bill first as every other payment is."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.clock import today
from models.collection.dunning import contract_overdue
from models.collection.dunning_entities import ArrangementInstalment, ArrangementStatus, PaymentArrangement
from models.collection.operations import check_amount
from models.collection.queries import bill_balances
from models.contracts.entities import Contract
from models.errors import DomainError
from models.statuses import begin_status, move_status

ZERO = Decimal(0)
A = ArrangementStatus


def active_arrangement(session: Session, contract_id: int) -> PaymentArrangement | None:
    return session.scalar(sa.select(PaymentArrangement).where(PaymentArrangement.contract_id == contract_id,
                                                              PaymentArrangement.status == A.ACTIVE))


def create_arrangement(session: Session, contract: Contract, down_payment: Decimal,
                       instalments: list[tuple[date, Decimal]], note: str | None = None) -> PaymentArrangement:
    """Arrange the contract's overdue bills: the down payment (due today) and the instalments must add up to
    what the bills owe, instalments fall due after today in order."""
    if active_arrangement(session, contract.id) is not None:
        raise DomainError(f"contract {contract.customer_no} already has an active arrangement", "contract")
    bill_ids, owed = contract_overdue(session, contract.id)
    if not bill_ids:
        raise DomainError(f"contract {contract.customer_no} has no overdue bills to arrange", "contract")
    if down_payment < 0:
        raise DomainError("must not be negative", "down_payment")
    if down_payment:
        check_amount(down_payment, "down_payment")
    if not instalments:
        raise DomainError("give at least one instalment", "instalments")
    day, previous = today(), today()
    for due_on, amount in instalments:
        check_amount(amount, "instalments")
        if due_on <= previous:
            raise DomainError(f"instalment due {due_on.isoformat()} must fall after {previous.isoformat()}",
                              "instalments")
        previous = due_on
    scheduled = down_payment + sum((a for _, a in instalments), ZERO)
    if scheduled != owed:
        raise DomainError(f"down payment and instalments add up to {scheduled:,.2f}; the overdue bills owe "
                          f"{owed:,.2f}", "instalments")
    arrangement = PaymentArrangement(customer_id=contract.account.customer_id, contract_id=contract.id,
                                     bill_ids=bill_ids, total=owed, down_payment=down_payment, created_on=day,
                                     note=(note or "").strip()[:500] or None, by=acting_name())
    if down_payment:
        arrangement.instalments.append(ArrangementInstalment(sequence=0, due_on=day, amount=down_payment))
    for number, (due_on, amount) in enumerate(instalments, start=1):
        arrangement.instalments.append(ArrangementInstalment(sequence=number, due_on=due_on, amount=amount))
    begin_status(session, arrangement, A.ACTIVE)
    session.add(arrangement)
    session.flush()
    return arrangement


def paid_towards(session: Session, arrangement: PaymentArrangement) -> Decimal:
    still = sum(bill_balances(session, arrangement.bill_ids).values(), ZERO)
    return arrangement.total - still


def review_arrangement(session: Session, arrangement: PaymentArrangement, as_of: date) -> ArrangementStatus:
    """Mark met instalments; complete the arrangement when its bills are paid, break it when an instalment
    fell due (before `as_of`) unmet. Returns its status."""
    if arrangement.status is not A.ACTIVE:
        return arrangement.status
    paid, due = paid_towards(session, arrangement), ZERO
    for instalment in arrangement.instalments:
        due += instalment.amount
        if instalment.met_on is None and paid >= due:
            instalment.met_on = today()
    if paid >= arrangement.total:
        move_status(session, arrangement, A.COMPLETED, what=str(arrangement), note="all instalments paid")
        arrangement.ended_on = as_of
    else:
        missed = next((i for i in arrangement.instalments if i.met_on is None and i.due_on < as_of), None)
        if missed is not None:
            move_status(session, arrangement, A.BROKEN, what=str(arrangement),
                        note=f"instalment {missed.sequence} of {missed.amount:,.2f} due {missed.due_on.isoformat()} "
                             "was not paid")
            arrangement.ended_on = as_of
    session.flush()
    return arrangement.status


def review_arrangements(session: Session, as_of: date, customer_ids: list[int] | None = None
                        ) -> list[PaymentArrangement]:
    """Review the active arrangements (of these customers); returns those that ended now."""
    query = sa.select(PaymentArrangement).where(PaymentArrangement.status == A.ACTIVE)
    if customer_ids is not None:
        query = query.where(PaymentArrangement.customer_id.in_(customer_ids))
    ended = []
    for arrangement in session.scalars(query.order_by(PaymentArrangement.id)).all():
        if review_arrangement(session, arrangement, as_of) is not A.ACTIVE:
            ended.append(arrangement)
    return ended
