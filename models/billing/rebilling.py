"""Re-price one contract's period at once (a held bill after a reading correction): the single-bill path a
billing run's chunk takes in bulk, so the rebill is priced, checked and written the same way."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models.billing.entities import Bill, BillStatus
from models.billing.gather import gather_contracts
from models.billing.operations import cancel_bill, issue_bill, record_bill
from models.billing.runs import plan_bill
from models.errors import DomainError


def rebill_period(session: Session, bill: Bill, reason: str, by_process: int | None = None) -> Bill:
    """Cancel `bill` (held, draft or issued) and bill its contract's period again from today's readings:
    the rebill is issued, or held when a check still objects (its reasons say why). When the period cannot
    be priced (readings still missing) nothing changes and the reason is given."""
    if bill.status is BillStatus.CANCELLED:
        raise DomainError(f"bill {bill} is already cancelled", "bill")
    period, contract = bill.period, bill.contract
    cancel_bill(session, bill, reason, by_process=by_process)
    session.flush()
    gathered = gather_contracts(session, [contract.id], period)[contract.id]
    plan = plan_bill(gathered)
    if plan.error:
        raise DomainError(f"the period {period:%Y-%m} cannot be billed again yet: {plan.error}", "bill")
    rebill = record_bill(session, contract, plan.priced, period=period, run_id=bill.run_id,
                         hold_reasons=plan.reasons, rebill_of=bill)
    if rebill.status is BillStatus.DRAFT:
        issue_bill(session, rebill, note=f"rebill of {bill.number or f'bill {bill.id}'}")
    return rebill
