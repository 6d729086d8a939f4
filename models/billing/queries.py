"""Finding bills and runs the way the billing pages and the API ask: by number, by service point, by period,
status and tariff class. (A run's progress and summary are models.billing.runs.run_progress / run_summary.)"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.billing.entities import Bill, BillDocument, BillingRun, BillKind, BillStatus
from models.contracts.entities import Contract
from models.customers.entities import Account, Customer
from models.errors import NotFound
from models.premises.entities import ServicePoint
from models.process.entities import InstanceStatus, ProcessDefinition, ProcessInstance
from models.types import add_months

NEWEST_FIRST = (Bill.period.desc(), Bill.id.desc())
# What a bill page shows with the bill: loaded with it rather than one query per attribute.
_BILL_PAGE = (selectinload(Bill.lines), selectinload(Bill.service_point), selectinload(Bill.contract),
              selectinload(Bill.account).selectinload(Account.customer))


HISTORY_MONTHS = 12


@dataclass(frozen=True)
class UsagePoint:
    """One month of a contract's billed consumption."""

    period: date
    kwh: Decimal
    estimated: bool
    current: bool = False      # the bill the history is drawn for


def usage_histories(session: Session, bills: list[Bill],
                    months: int = HISTORY_MONTHS) -> dict[int, tuple[UsagePoint, ...]]:
    """Bill id -> its contract's issued invoices over the `months` calendar months ending with the bill's
    period, oldest first, with the bill itself in its period (issued, or held under review): what the
    invoice's chart, the bill page and the exception task draw. One query for all the bills."""
    if not bills:
        return {}
    first = min(add_months(b.period, 1 - months) for b in bills)
    rows = session.execute(
        sa.select(Bill.id, Bill.contract_id, Bill.period, Bill.kwh, Bill.estimated)
        .where(Bill.contract_id.in_({b.contract_id for b in bills}), Bill.kind == BillKind.INVOICE,
               Bill.status == BillStatus.ISSUED, Bill.period >= first, Bill.period <= max(b.period for b in bills))
        .order_by(Bill.period, Bill.id)).all()
    by_contract = defaultdict(list)
    for row in rows:
        by_contract[row.contract_id].append(row)
    histories = {}
    for bill in bills:
        since = add_months(bill.period, 1 - months)
        points = [UsagePoint(r.period, r.kwh, r.estimated) for r in by_contract[bill.contract_id]
                  if since <= r.period < bill.period]
        histories[bill.id] = (*points, UsagePoint(bill.period, bill.kwh, bill.estimated, current=True))
    return histories


EXCEPTION_PROCESS = "bill_exception"


def exception_start_data(bill: Bill) -> dict:
    """What a held bill's bill_exception instance starts with."""
    return {"bill_id": bill.id, "period": f"{bill.period:%Y-%m}", "contract_id": bill.contract_id,
            "hold_reasons": "; ".join(bill.hold_reasons or [])}
# An instance in error or suspended is still the bill's exception: it is retried or resumed, not doubled.
_LIVE = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED, InstanceStatus.ERROR)


def open_exceptions(session: Session, bill_ids: list[int]) -> dict[int, int]:
    """Bill id -> the bill_exception instance still being worked on it, for the bills that have one."""
    if not bill_ids:
        return {}
    return dict(session.execute(sa.select(ProcessInstance.object_id, ProcessInstance.id)
                                .join(ProcessInstance.definition).where(
        ProcessDefinition.key == EXCEPTION_PROCESS, ProcessInstance.object_type == "bill",
        ProcessInstance.object_id.in_(bill_ids), ProcessInstance.status.in_(_LIVE))).all())


def get_bill(session: Session, number: str) -> Bill:
    """The bill or credit note with this invoice number (issued ones have one)."""
    bill = session.scalar(sa.select(Bill).options(*_BILL_PAGE).where(Bill.number == str(number).strip()))
    if bill is None:
        raise NotFound(f"no bill with number {str(number)[:40]}", "number")
    return bill


def get_bill_by_id(session: Session, bill_id: int) -> Bill:
    """Any bill by its id: a draft or held bill has no number yet."""
    bill = session.scalar(sa.select(Bill).options(*_BILL_PAGE).where(Bill.id == bill_id))
    if bill is None:
        raise NotFound(f"no bill {bill_id}", "bill")
    return bill


def document_of(session: Session, bill_id: int) -> BillDocument | None:
    return session.scalar(sa.select(BillDocument).where(BillDocument.bill_id == bill_id))


def has_document(session: Session, bill_id: int) -> bool:
    return session.scalar(sa.select(sa.exists().where(BillDocument.bill_id == bill_id)))


def related_bills(session: Session, bill: Bill) -> dict[str, list[Bill]]:
    """The other halves of a correction: the credit notes that cancel this bill and its rebills (the bill
    itself names what it cancels or rebills through cancels / rebill_of)."""
    rows = session.scalars(sa.select(Bill).where(sa.or_(Bill.cancels_id == bill.id, Bill.rebill_of_id == bill.id))
                           .order_by(Bill.id)).all()
    return {"credit_notes": [b for b in rows if b.cancels_id == bill.id],
            "rebills": [b for b in rows if b.rebill_of_id == bill.id]}


def bill_list(period: date | None = None, status: str | None = None, tariff_class: str | None = None,
              term: str = "", run_id: int | None = None) -> sa.Select:
    """Bills newest first with the service point and customer each row shows; narrowed to a period, a known
    status and a tariff class, a run, and a term that is a bill number, an SPN or an ID Pelanggan.
    Unknown statuses are ignored (a filter in a query string is forgiving)."""
    query = (sa.select(Bill.id, Bill.number, Bill.kind, Bill.status, Bill.period, Bill.tariff_code, Bill.tariff_class,
                       Bill.power_va, Bill.kwh, Bill.total, Bill.issued_on, Bill.due_on, Bill.hold_reasons,
                       ServicePoint.spn, Contract.customer_no, Customer.name.label("customer"))
             .join(ServicePoint, ServicePoint.id == Bill.service_point_id)
             .join(Contract, Contract.id == Bill.contract_id)
             .join(Account, Account.id == Bill.account_id).join(Customer, Customer.id == Account.customer_id)
             .order_by(*NEWEST_FIRST))
    if period is not None:
        query = query.where(Bill.period == period)
    if status in BillStatus.__members__.values():
        query = query.where(Bill.status == status)
    if tariff_class:
        query = query.where(Bill.tariff_class == tariff_class.strip())
    if run_id is not None:
        query = query.where(Bill.run_id == run_id)
    term = (term or "").strip()
    if term:
        query = query.where(sa.or_(Bill.number == term, ServicePoint.spn == term, Contract.customer_no == term))
    return query


def tariff_classes(session: Session) -> list[str]:
    return list(session.scalars(sa.select(Bill.tariff_class).distinct().order_by(Bill.tariff_class)))


def bills_of_service_point(session: Session, service_point_id: int, limit: int | None = None) -> list[Bill]:
    """A service point's bills and credit notes, newest first."""
    query = sa.select(Bill).where(Bill.service_point_id == service_point_id).order_by(*NEWEST_FIRST)
    return list(session.scalars(query.limit(limit) if limit else query))


def bills_of_spn(session: Session, spn: str) -> list[Bill]:
    """The API's bill list: an unknown SPN is NotFound, a service point without bills an empty list."""
    point_id = session.scalar(sa.select(ServicePoint.id).where(ServicePoint.spn == str(spn).strip()))
    if point_id is None:
        raise NotFound(f"no service point with number {str(spn)[:40]}", "spn")
    return list(session.scalars(sa.select(Bill).options(selectinload(Bill.contract))
                                .where(Bill.service_point_id == point_id).order_by(*NEWEST_FIRST)))


def held_bill_count(session: Session) -> int:
    """The exceptions waiting for a clerk."""
    return session.scalar(sa.select(sa.func.count()).select_from(Bill).where(Bill.status == BillStatus.HELD))


def run_list() -> sa.Select:
    return sa.select(BillingRun).order_by(BillingRun.created_at.desc(), BillingRun.id.desc())


def get_run(session: Session, run_id: int) -> BillingRun:
    run = session.get(BillingRun, run_id)
    if run is None:
        raise NotFound(f"no billing run {run_id}", "run")
    return run


def contract_names(session: Session, contract_ids) -> dict[int, tuple[str, str]]:
    """ID Pelanggan and SPN of contracts a run names by id (its errors)."""
    ids = [i for i in contract_ids if i is not None]
    if not ids:
        return {}
    return {row.id: (row.customer_no, row.spn) for row in session.execute(
        sa.select(Contract.id, Contract.customer_no, ServicePoint.spn)
        .join(ServicePoint, ServicePoint.id == Contract.service_point_id).where(Contract.id.in_(ids)))}
