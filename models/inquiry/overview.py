"""What the service point view shows: a header with its pinned alerts, then the reference document's
sections, each read by its own function so that each loads (and can be measured) on its own."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from models.billing.entities import Bill, BillKind, BillStatus, MiscCharge
from models.billing.queries import NEWEST_FIRST
from models.contacts.entities import Contact, ServiceNote
from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.customers.entities import Account
from models.inquiry import collection
from models.meters.entities import Installation, Register
from models.premises.entities import ServicePoint
from models.premises.queries import get_service_point
from models.process.entities import HumanTask, InstanceStatus, ProcessInstance, TaskState
from models.readings.entities import AnomalyStatus, Reading, ReadingAnomaly, ReadingType
from models.requests.entities import CustomerRequest, RequestStatus, RequestType
from models.requests.operations import FINAL as FINAL_REQUEST
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus
from models.statuses import StatusChange

ESTIMATES_IN_A_ROW = 3
SHOWN = 24                 # rows of a long list a section shows (two years of monthly bills)
OPEN_ORDERS = (ServiceOrderStatus.CREATED, ServiceOrderStatus.ASSIGNED, ServiceOrderStatus.IN_PROGRESS)


def contracts_of(session: Session, sp: ServicePoint) -> list[Contract]:
    """Every contract of the service point, newest first, with its versions, tariffs and account."""
    return list(session.scalars(
        sa.select(Contract).where(Contract.service_point_id == sp.id).order_by(Contract.serial.desc())
        .options(selectinload(Contract.versions).selectinload(ContractVersion.tariff),
                 selectinload(Contract.account).selectinload(Account.customer),
                 selectinload(Contract.account).selectinload(Account.bank_account))))


def current_contract(contracts: list[Contract]) -> Contract | None:
    return next((c for c in contracts if c.status is ContractStatus.ACTIVE), contracts[0] if contracts else None)


def current_terms(contract: Contract | None) -> ContractVersion | None:
    if contract is None or not contract.versions:
        return None
    return next((v for v in reversed(contract.versions) if v.valid_to is None), contract.versions[-1])


def _open_requests(session: Session, sp_id: int) -> list[CustomerRequest]:
    return list(session.scalars(sa.select(CustomerRequest).where(
        CustomerRequest.service_point_id == sp_id, CustomerRequest.status.not_in(FINAL_REQUEST))
        .order_by(CustomerRequest.id.desc())))


def _open_anomalies(session: Session, sp_id: int) -> int:
    # Driven from the point's own registers (an IN list), never from every open anomaly in the utility.
    registers = sa.select(Register.id).where(Register.meter_id.in_(select_meter_ids(sp_id)))
    return session.scalar(
        sa.select(sa.func.count()).select_from(ReadingAnomaly).join(Reading, Reading.id == ReadingAnomaly.reading_id)
        .where(Reading.register_id.in_(registers),
               ReadingAnomaly.status.in_((AnomalyStatus.OPEN, AnomalyStatus.FOLLOW_UP)))) or 0


def _estimates_in_a_row(session: Session, sp_id: int) -> int:
    """How many of the current meter's latest readings in a row are estimates."""
    meter_id = session.scalar(sa.select(Installation.meter_id).where(
        Installation.service_point_id == sp_id, Installation.removed_on.is_(None), Installation.meter_id.is_not(None)))
    if meter_id is None:
        return 0
    kinds = session.scalars(sa.select(Reading.reading_type).join(Register, Register.id == Reading.register_id)
                            .where(Register.meter_id == meter_id).order_by(Reading.read_on.desc(), Reading.id.desc())
                            .limit(ESTIMATES_IN_A_ROW * 2))
    count = 0
    for kind in kinds:
        if kind is not ReadingType.ESTIMATED:
            break
        count += 1
    return count


def header(session: Session, spn: str) -> dict:
    """SPN, ID Pelanggan, customer, address, tariff and power, status and the pinned alerts."""
    sp = get_service_point(session, spn)
    contracts = contracts_of(session, sp)
    contract = current_contract(contracts)
    terms = current_terms(contract)
    requests = _open_requests(session, sp.id)
    alerts = []
    complaints = [r for r in requests if r.request_type is RequestType.COMPLAINT]
    if complaints:
        alerts.append({"kind": "complaint", "text": f"{len(complaints)} open complaint(s)",
                       "request_id": complaints[0].id})
    others = [r for r in requests if r.request_type is not RequestType.COMPLAINT]
    if others:
        alerts.append({"kind": "request", "text": f"{len(others)} open request(s)", "request_id": others[0].id})
    estimates = _estimates_in_a_row(session, sp.id)
    if estimates >= 2:
        alerts.append({"kind": "estimates", "text": f"{estimates} estimated readings in a row", "section": "devices"})
    anomalies = _open_anomalies(session, sp.id)
    if anomalies:
        plural = "y" if anomalies == 1 else "ies"
        alerts.append({"kind": "anomalies", "text": f"{anomalies} open reading anomal{plural}", "section": "devices"})
    application = applied_for(session, sp.id) if contract is None else None
    customer = contract.account.customer if contract else (application.customer if application else None)
    return {
        "sp": sp, "contract": contract, "terms": terms, "customer": customer, "alerts": alerts,
        "application": application,
        # Collection's answers (None until models/collection provides them: the header says so).
        "debt": collection.customer_debt(session, customer.id) if customer else None,
        "protection": collection.protection(session, sp.id),
        "disconnection": collection.running_disconnection(session, sp.id),
    }


def applied_for(session: Session, sp_id: int) -> CustomerRequest | None:
    """The new-connection request that created a planned service point (the applicant, tariff and power)."""
    return session.scalar(sa.select(CustomerRequest).where(
        CustomerRequest.service_point_id == sp_id, CustomerRequest.request_type == RequestType.NEW_CONNECTION)
        .options(selectinload(CustomerRequest.customer)).order_by(CustomerRequest.id.desc()).limit(1))


def misc_charges_at(session: Session, sp_id: int, limit: int = SHOWN) -> list[tuple[MiscCharge, str | None]]:
    """The misc charges of the service point's contracts, newest first, each with the bill that carried it
    (None: still waiting for the next bill)."""
    rows = session.execute(
        sa.select(MiscCharge, Bill.number).outerjoin(Bill, Bill.id == MiscCharge.bill_id)
        .where(MiscCharge.contract_id.in_(sa.select(Contract.id).where(Contract.service_point_id == sp_id)))
        .options(selectinload(MiscCharge.charge_type))
        .order_by(MiscCharge.created_at.desc(), MiscCharge.id.desc()).limit(limit)).all()
    return [(charge, number) for charge, number in rows]


def general(session: Session, sp: ServicePoint) -> dict:
    """Section 1: creation date, reading and billing frequency, contracted power, open work counts, the
    misc charges waiting for a bill and those billed."""
    contract = current_contract(contracts_of(session, sp))
    terms = current_terms(contract)
    count = lambda q: session.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0  # noqa: E731
    return {
        "terms": terms,
        "open_orders": count(sa.select(ServiceOrder.id).where(ServiceOrder.service_point_id == sp.id,
                                                              ServiceOrder.status.in_(OPEN_ORDERS))),
        "open_anomalies": _open_anomalies(session, sp.id),
        "contacts": count(sa.select(Contact.id).where(Contact.service_point_id == sp.id)),
        "recent_contacts": contacts_at(session, sp.id, 5),
        "notes": list(session.scalars(sa.select(ServiceNote).where(ServiceNote.service_point_id == sp.id)
                                      .order_by(ServiceNote.created_at.desc(), ServiceNote.id.desc()).limit(10))),
        "misc_charges": misc_charges_at(session, sp.id),
        "application": applied_for(session, sp.id) if contract is None else None,
    }


def contacts_at(session: Session, sp_id: int, limit: int = 50) -> list[Contact]:
    return list(session.scalars(sa.select(Contact).where(Contact.service_point_id == sp_id)
                                .options(selectinload(Contact.request))
                                .order_by(Contact.contacted_at.desc(), Contact.id.desc()).limit(limit)))


def history(session: Session, sp: ServicePoint) -> dict:
    """Section 2: every contract, its holder and its versions (the general data valid during each)."""
    return {"contracts": contracts_of(session, sp)}


def invoices(session: Session, sp: ServicePoint) -> dict:
    """Section 3: each bill's status and amount; payments and outstanding amounts come from collection."""
    bills = list(session.scalars(sa.select(Bill).where(Bill.service_point_id == sp.id)
                                 .order_by(*NEWEST_FIRST).limit(SHOWN + 1)))
    return {"bills": bills[:SHOWN], "more": len(bills) > SHOWN,
            "payments": collection.payments_against_bills(session, [b.id for b in bills])}


def devices(session: Session, sp: ServicePoint) -> dict:
    """Section 4: installed meters with their registers and readings; meter and control device history."""
    installations = list(session.scalars(
        sa.select(Installation).where(Installation.service_point_id == sp.id)
        .order_by(Installation.installed_on.desc(), Installation.id.desc())))
    meter_ids = [i.meter_id for i in installations if i.meter_id]
    readings = list(session.execute(
        sa.select(Reading, Register.code, Register.meter_id).join(Register, Register.id == Reading.register_id)
        .where(Register.meter_id.in_(meter_ids)).order_by(Reading.read_on.desc(), Reading.id.desc())
        .limit(SHOWN))) if meter_ids else []
    return {"current_meters": [i for i in installations if i.meter_id and i.removed_on is None],
            "meter_history": [i for i in installations if i.meter_id],
            "current_controls": [i for i in installations if i.control_device_id and i.removed_on is None],
            "control_history": [i for i in installations if i.control_device_id],
            "readings": readings}


def property_data(session: Session, sp: ServicePoint) -> dict:
    """Section 5: address, route and itinerary, reading sequence, the devices in the property now."""
    neighbours = list(session.scalars(sa.select(ServicePoint).where(ServicePoint.property_id == sp.property_id)
                                      .order_by(ServicePoint.spn).limit(50)))
    devices_now = list(session.scalars(
        sa.select(Installation).join(ServicePoint, ServicePoint.id == Installation.service_point_id)
        .where(ServicePoint.property_id == sp.property_id, Installation.removed_on.is_(None)).limit(100)))
    return {"property": sp.property, "route": sp.route, "service_points": neighbours, "devices": devices_now}


def customer_data(session: Session, sp: ServicePoint) -> dict:
    """Section 6 (and 8): the customer, their accounts and the services of each account."""
    contract = current_contract(contracts_of(session, sp))
    application = applied_for(session, sp.id) if contract is None else None
    if contract is None and (application is None or application.customer is None):
        return {"customer": None, "accounts": []}
    customer = contract.account.customer if contract else application.customer
    accounts = list(session.scalars(sa.select(Account).where(Account.customer_id == customer.id)
                                    .options(selectinload(Account.bank_account)).order_by(Account.account_no)))
    services = session.execute(
        sa.select(Contract.account_id, ServicePoint.spn, Contract.customer_no, Contract.status)
        .join(ServicePoint, ServicePoint.id == Contract.service_point_id)
        .where(Contract.account_id.in_([a.id for a in accounts])).order_by(ServicePoint.spn)).all()
    by_account: dict[int, list] = {}
    for row in services:
        by_account.setdefault(row.account_id, []).append(row)
    # A new connection's applicant: their newest account is the one the connection will be billed to.
    account = contract.account if contract else max(accounts, key=lambda a: a.id, default=None)
    return {"customer": customer, "accounts": [(a, by_account.get(a.id, [])) for a in accounts],
            "account": account, "application": application,
            "mandate": collection.direct_debit_mandate(session, account.id) if account else None}


def contract_data(session: Session, sp: ServicePoint) -> dict:
    """Section 9: the contract's terms, and the association diagram's nodes (customer -> accounts ->
    service points -> properties)."""
    contract = current_contract(contracts_of(session, sp))
    data = customer_data(session, sp)
    return {"contract": contract, "terms": current_terms(contract), "tree": data["accounts"],
            "customer": data["customer"],
            "penalties": collection.penalty_settings(session, contract.id) if contract else None}


def billed_usage(session: Session, sp: ServicePoint) -> dict:
    """Sections 10 and 11: issued invoices' quantities, dates and amounts, oldest first for the chart."""
    bills = list(session.scalars(sa.select(Bill).where(
        Bill.service_point_id == sp.id, Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.ISSUED)
        .order_by(Bill.period.desc()).limit(SHOWN)))
    return {"bills": bills, "peak": max((b.kwh for b in bills), default=0)}


def connection(session: Session, sp: ServicePoint) -> dict:
    """Section 12: supply -> meter chamber -> meter point -> meter, and the other points in the chamber."""
    point = sp.meter_point
    chamber = point.chamber if point else None
    neighbours = []
    if chamber is not None:
        neighbours = list(session.scalars(sa.select(ServicePoint).where(
            ServicePoint.meter_point_id.in_([p.id for p in chamber.meter_points]), ServicePoint.id != sp.id)
            .order_by(ServicePoint.spn)))
    meter = session.scalar(sa.select(Installation).where(
        Installation.service_point_id == sp.id, Installation.removed_on.is_(None), Installation.meter_id.is_not(None)))
    return {"sp": sp, "point": point, "chamber": chamber, "neighbours": neighbours,
            "meter": meter.meter if meter else None}


def requests_data(session: Session, sp: ServicePoint) -> dict:
    """Section 13: every request with its statuses, resolution and, for running ones, the live step."""
    items = list(session.scalars(sa.select(CustomerRequest).where(CustomerRequest.service_point_id == sp.id)
                                 .order_by(CustomerRequest.id.desc()).limit(50)))
    ids = [r.id for r in items]
    changes: dict[int, list] = {}
    if ids:
        for change in session.scalars(sa.select(StatusChange).where(
                StatusChange.object_type == "customer_request", StatusChange.object_id.in_(ids))
                .order_by(StatusChange.at, StatusChange.id)):
            changes.setdefault(change.object_id, []).append(change)
    steps: dict[int, list] = {}
    if ids:
        rows = session.execute(
            sa.select(ProcessInstance.object_id, ProcessInstance.current_activity, ProcessInstance.waiting_since,
                      HumanTask.name, HumanTask.role, HumanTask.created_at)
            .outerjoin(HumanTask, sa.and_(HumanTask.instance_id == ProcessInstance.id,
                                          HumanTask.state == TaskState.OPEN))
            .where(ProcessInstance.object_type == "customer_request", ProcessInstance.object_id.in_(ids),
                   ProcessInstance.status == InstanceStatus.RUNNING)).all()
        for row in rows:
            steps.setdefault(row.object_id, []).append(row)
    return {"requests": [(r, changes.get(r.id, []), steps.get(r.id, [])) for r in items],
            "open": sum(r.status not in FINAL_REQUEST for r in items), "statuses": RequestStatus}


def timeline(session: Session, sp: ServicePoint, kinds: set[str] | None = None, limit: int = 100) -> list[dict]:
    """Everything that happened at the service point, newest first: bills, readings, contacts, field work,
    requests, notes. (Payments join once collection provides them.)"""
    events: list[dict] = []
    want = lambda k: not kinds or k in kinds  # noqa: E731
    if want("bill"):
        for b in session.scalars(sa.select(Bill).where(Bill.service_point_id == sp.id, Bill.issued_on.is_not(None))
                                 .order_by(Bill.issued_on.desc()).limit(limit)):
            events.append({"kind": "bill", "on": b.issued_on, "text": f"{b.number} {b.period:%Y-%m} "
                           f"{b.kwh.normalize():f} kWh, Rp {b.total:,.2f} ({b.status.value})", "bill": b.number})
    if want("reading"):
        meter_ids = select_meter_ids(sp.id)
        for r in session.scalars(sa.select(Reading).join(Register, Register.id == Reading.register_id)
                                 .where(Register.meter_id.in_(meter_ids))
                                 .order_by(Reading.read_on.desc()).limit(limit)):
            events.append({"kind": "reading", "on": r.read_on,
                           "text": f"{r.reading_type.value} reading {r.value.normalize():f}"})
    if want("contact"):
        for c in contacts_at(session, sp.id, limit):
            events.append({"kind": "contact", "on": c.contacted_at.date(),
                           "text": f"{_words(c.channel)} · {_words(c.reason)} · {_words(c.outcome)}: {c.text[:120]}"})
    if want("field_work"):
        for o in session.scalars(sa.select(ServiceOrder).where(ServiceOrder.service_point_id == sp.id)
                                 .order_by(ServiceOrder.created_on.desc()).limit(limit)):
            events.append({"kind": "field_work", "on": o.actual_on or o.created_on,
                           "text": f"{o.number} {o.order_type.value.replace('_', ' ')} ({o.status.value})",
                           "order_id": o.id})
    if want("request"):
        for q in session.scalars(sa.select(CustomerRequest).where(CustomerRequest.service_point_id == sp.id)
                                 .order_by(CustomerRequest.registered_on.desc()).limit(limit)):
            events.append({"kind": "request", "on": q.registered_on, "request_id": q.id,
                           "text": f"{q.number} {_words(q.request_type)} ({_words(q.status)})"})
    if want("note"):
        for n in session.scalars(sa.select(ServiceNote).where(ServiceNote.service_point_id == sp.id)
                                 .order_by(ServiceNote.created_at.desc()).limit(limit)):
            events.append({"kind": "note", "on": n.created_at.date(), "text": f"{n.by}: {n.text}"})
    events.sort(key=lambda e: e["on"], reverse=True)
    return events[:limit]


def _words(value) -> str:
    return value.value.replace("_", " ")


def select_meter_ids(sp_id: int):
    return sa.select(Installation.meter_id).where(Installation.service_point_id == sp_id,
                                                  Installation.meter_id.is_not(None))


TIMELINE_KINDS = ("bill", "reading", "contact", "field_work", "request", "note")

# The sections in the document's order: key -> (number, title, reader). Debt (7) is collection's.
SECTIONS: dict[str, tuple[int, str, Callable | None]] = {
    "general": (1, "General service data", general),
    "history": (2, "Historical data", history),
    "invoices": (3, "Invoices", invoices),
    "devices": (4, "Meter and control devices", devices),
    "property": (5, "Property data", property_data),
    "customer": (6, "Customer data", customer_data),
    "debt": (7, "Customer debt", None),
    "account": (8, "Account information", customer_data),
    "contract": (9, "Contract", contract_data),
    "billing_history": (10, "Billing history", billed_usage),
    "billed_usage": (11, "Billed usage", billed_usage),
    "connection": (12, "Connection", connection),
    "requests": (13, "Requests", requests_data),
}


def section(session: Session, spn: str, key: str) -> dict:
    """One section's data (KeyError for an unknown section); debt asks collection."""
    reader = SECTIONS[key][2]
    sp = get_service_point(session, spn)
    if key == "debt":
        contract = current_contract(contracts_of(session, sp))
        application = applied_for(session, sp.id) if contract is None else None
        customer_id = contract.account.customer_id if contract else (application.customer_id if application else None)
        return {"debt": collection.customer_debt(session, customer_id) if customer_id else None}
    return {"sp": sp, **reader(session, sp)}
