"""Held bills worked as tasks of the shipped `bill_exception` process, and what the task shows about them.

A plausibility check holds a bill instead of letting it be issued (models.billing.operations.record_bill);
`start_bill_exceptions` gives each held bill one process instance, linked to the bill, whose clerk
reviews it and releases, recalculates or cancels it (the service tasks issue_bill, recalculate_bill and
cancel_bill). Starting again starts nothing for a bill whose exception is still being worked, so a run, a
resumed run and a sweep may all call it.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.billing.entities import Bill, BillStatus
from models.billing.queries import (
    EXCEPTION_PROCESS,
    UsagePoint,
    exception_start_data,
    open_exceptions,
    usage_histories,
)
from models.customers.entities import Account
from models.premises.entities import ServicePoint
from models.process.entities import ProcessInstance
from workflows.runtime import start_instance

PROCESS_KEY = EXCEPTION_PROCESS


def _busy(session: Session, bill_ids: list[int]) -> set[int]:
    return set(open_exceptions(session, bill_ids))


def running_exception(session: Session, bill_id: int) -> int | None:
    """The id of the bill's exception process still being worked, if any."""
    return open_exceptions(session, [bill_id]).get(bill_id)


def start_bill_exceptions(session: Session, bill_ids: list[int] | None = None) -> list[ProcessInstance]:
    """One bill_exception instance per held bill of `bill_ids` (None: every held bill) that has none yet.

    Bills that are no longer held (released or cancelled meanwhile) are passed over."""
    query = sa.select(Bill).where(Bill.status == BillStatus.HELD).order_by(Bill.id)
    if bill_ids is not None:
        if not bill_ids:
            return []
        query = query.where(Bill.id.in_(bill_ids))
    # The rows stay locked to the end of the transaction: two sweeps at once cannot both start one (PostgreSQL).
    # What each task shows (workflows.objects) is loaded for all of them at once, not four lazy loads a bill.
    bills = list(session.scalars(query.with_for_update().options(
        selectinload(Bill.service_point).selectinload(ServicePoint.property),
        selectinload(Bill.account).selectinload(Account.customer))))
    busy = _busy(session, [b.id for b in bills])
    return [start_instance(session, PROCESS_KEY, "bill", bill.id, exception_start_data(bill))
            for bill in bills if bill.id not in busy]


# ---------------------------------------------------------------- what the task page shows
def consumption_history(session: Session, bill: Bill) -> tuple[UsagePoint, ...]:
    return usage_histories(session, [bill])[bill.id]


def exception_panel(session: Session, bill_id: int | None) -> dict | None:
    """What the worklist shows beside a bill_exception task: why the bill was held, the bill's figures and
    the consumption history the chart draws (with the average of the earlier bills to compare against)."""
    bill = session.get(Bill, bill_id) if bill_id else None
    if bill is None:
        return None
    history = consumption_history(session, bill)
    earlier = [p.kwh for p in history if not p.current]
    values = [p.kwh for p in history]
    return {"bill": bill, "reasons": list(bill.hold_reasons or []), "history": history,
            "average_kwh": (sum(earlier) / len(earlier)).quantize(Decimal("0.01")) if earlier else None,
            "peak": max([Decimal(0), *values]), "floor": min([Decimal(0), *values])}
