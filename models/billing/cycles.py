"""Billing cycles: which contracts a month's run bills, and how many months each bill stands for.

A monthly contract is billed every month. A bimonthly one is read and billed every other month, each bill
covering the two months since its last one (so it pays two months' fixed charges, minimum bill and block
limits: BillInputs.months). Its route's bimonthly reading cycles are the schedule (open_due_cycles in
models.readings.cycles opens one every other month): it is due in a month when its route has a bimonthly
reading cycle for that month and the month before has no live invoice of it (a service point on no route
follows its own bills: due when last month was not billed). A new bimonthly contract is first billed with
its route's next bimonthly cycle. The contract version begun last before the month's end says which cycle
applies; a change of cycle takes effect from the next bill.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models.billing.entities import Bill, BillKind, BillStatus
from models.contracts.entities import Contract, ContractVersion, Cycle
from models.errors import DomainError
from models.premises.entities import ServicePoint
from models.readings.entities import ReadingCycle
from models.types import add_months

MONTHS = {Cycle.MONTHLY: 1, Cycle.BIMONTHLY: 2}


def cycle_in(versions, end: date) -> Cycle:
    """The billing cycle of the last version (rows ordered by version_no) begun before the month's end."""
    begun = [v for v in versions if v.valid_from < end]
    return Cycle((begun or versions)[-1].billing_cycle) if versions else Cycle.MONTHLY


def first_month(start: date, cycle: Cycle) -> date:
    """The first day of the months a bill for the month of `start` covers: a first bill counts from the
    reading before it."""
    return add_months(start, 1 - MONTHS[cycle])


def current_cycle(end: date):
    """The billing cycle of a contract's latest version begun before `end` (a correlated scalar subquery)."""
    return (sa.select(ContractVersion.billing_cycle)
            .where(ContractVersion.contract_id == Contract.id, ContractVersion.valid_from < end)
            .order_by(ContractVersion.version_no.desc()).limit(1).correlate(Contract).scalar_subquery())


def due_in(start: date, end: date, cycles: list[Cycle] | None = None):
    """The condition on Contract (joined to its ServicePoint): billed in this month's run by its cycle, and of
    one of `cycles` when they are named."""
    cycle = current_cycle(end)
    billed_last_month = sa.exists().where(
        Bill.contract_id == Contract.id, Bill.kind == BillKind.INVOICE, Bill.status != BillStatus.CANCELLED,
        Bill.period == add_months(start, -1))
    read_this_month = sa.exists().where(
        ReadingCycle.route_id == ServicePoint.route_id, ReadingCycle.period == start,
        ReadingCycle.billing_cycle == Cycle.BIMONTHLY)
    due = sa.or_(cycle.is_(None), cycle != Cycle.BIMONTHLY,
                 sa.and_(~billed_last_month, sa.or_(ServicePoint.route_id.is_(None), read_this_month)))
    if cycles:
        chosen = cycle.in_(cycles)
        if Cycle.MONTHLY in cycles:
            chosen = sa.or_(chosen, cycle.is_(None))
        return sa.and_(due, chosen)
    return due


def parse_cycles(cycles: list[str] | None) -> list[Cycle]:
    """The billing cycles named (all of them when none or all are named), or a DomainError naming the bad one."""
    chosen = set()
    for name in cycles or ():
        text = (name or "").strip().lower()
        if not text:
            continue
        try:
            chosen.add(Cycle(text))
        except ValueError:
            raise DomainError(f"'{text[:40]}' is not a billing cycle (monthly or bimonthly)", "cycles") from None
    return [] if len(chosen) == len(Cycle) else sorted(chosen)
