"""The allow-list: the only side effects a BPMN process may cause, each a call into models.*.operations.

A service task names one of these by its camunda:topic; deploying a file that names anything else is
refused. Each service receives the runtime context (session, instance) and evaluated parameters and
returns a dict that is merged into the task data; who acts is the edge's actor (models.audit.recorder).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.billing.entities import Bill, BillStatus
from models.billing.operations import cancel_bill, issue_bill
from models.billing.queries import EXCEPTION_PROCESS, exception_start_data
from models.billing.rebilling import rebill_period
from models.clock import today
from models.errors import DomainError
from models.installations.operations import change_meter, parse_readings
from models.meters.entities import Meter, MovementKind, Store
from models.meters.operations import move_meters, record_calibration, scrap_meter
from models.meters.queries import current_meter_installation
from models.premises.entities import ServicePoint
from models.requests.connections import activate_connection, install_connection_meter
from models.requests.entities import CustomerRequest, RequestStatus
from models.requests.operations import change_request_status
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus, ServiceOrderType
from models.service_orders.operations import change_service_order_status, create_service_order


@dataclass
class RuntimeContext:
    session: Session
    instance: object          # models.process.entities.ProcessInstance
    # workflows.runtime.start_instance, handed in by the runtime (which imports this module): a service that
    # must start another process (a rebill held again gets its own review) calls it.
    start_process: Callable | None = None


@dataclass(frozen=True)
class Service:
    name: str
    function: Callable
    required: frozenset = field(default_factory=frozenset)

    @property
    def description(self) -> str:
        """The first paragraph of the operation's docstring: one source for the code and the editor's help."""
        return " ".join((inspect.getdoc(self.function) or "").split("\n\n", 1)[0].split())

    def call(self, context: RuntimeContext, data: dict, **params):
        return self.function(context, data, **params)


def _business_object(context: RuntimeContext):
    instance = context.instance
    if instance.object_type == "service_point":
        return context.session.get(ServicePoint, instance.object_id)
    if instance.object_type == "customer_request":
        return context.session.get(CustomerRequest, instance.object_id)
    if instance.object_type == "meter":
        return context.session.get(Meter, instance.object_id)
    raise DomainError(f"this process is not linked to an object whose status it can set ({instance.object_type})")


def set_status(context: RuntimeContext, data: dict, status: str, note: str | None = None) -> dict:
    """Move the process's customer request to the named status (with an optional note), recorded with who and when."""
    obj = _business_object(context)
    if not isinstance(obj, CustomerRequest):
        raise DomainError("set_status moves customer requests; meters move through move_meter")
    try:
        target = RequestStatus(status)
    except ValueError as exc:
        raise DomainError(f"unknown request status '{status}'") from exc
    change_request_status(context.session, obj, target, note, context.instance.id)
    return {"status": status}


def create_order(context: RuntimeContext, data: dict, order_type: str, planned_in_days: str = "7") -> dict:
    """Create a service order (survey, installation, ...) at the process's service point, linked to its request
    if any, planned in `planned_in_days` days (7 unless given)."""
    subject = _business_object(context)
    if isinstance(subject, ServicePoint):
        service_point_id, request_id = subject.id, None
    elif isinstance(subject, CustomerRequest):
        service_point_id, request_id = subject.service_point_id, subject.id
    else:
        raise DomainError("service orders are created for requests and service points")
    order = create_service_order(
        context.session, ServiceOrderType(order_type), service_point_id=service_point_id,
        request_id=request_id, planned_on=today() + timedelta(days=int(planned_in_days)))
    return {"service_order_id": order.id, "service_order_number": order.number}


def complete_order(context: RuntimeContext, data: dict, result: str) -> dict:
    """Complete the process's service order with its result."""
    order = context.session.get(ServiceOrder, data.get("service_order_id"))
    if order is None:
        raise DomainError("this process has no service order to complete")
    if order.status is ServiceOrderStatus.CREATED:
        change_service_order_status(context.session, order, ServiceOrderStatus.IN_PROGRESS)
    change_service_order_status(context.session, order, ServiceOrderStatus.COMPLETED, result=result)
    return {"service_order_status": order.status.value}


def replace_meter(context: RuntimeContext, data: dict, changed_on, old_readings: str, new_meter_number: str,
                  new_readings: str, lab_store: str) -> dict:
    """Replace the service point's meter: final readings of the old one, initial readings of the new one, the old
    meter sent to the laboratory store."""
    service_point = _business_object(context)
    if not isinstance(service_point, ServicePoint):
        raise DomainError("a meter change needs a process linked to a service point")
    new_meter = context.session.scalar(sa.select(Meter).where(Meter.number == str(new_meter_number).strip()))
    if new_meter is None:
        raise DomainError(f"no meter with number {new_meter_number}")
    lab = context.session.scalar(sa.select(Store).where(Store.code == lab_store))
    if lab is None:
        raise DomainError(f"unknown store '{lab_store}'")
    current = current_meter_installation(context.session, service_point.id)
    if current is None:
        raise DomainError(f"service point {service_point.spn} has no meter to change")
    on = _day(changed_on, "changed_on")
    change_meter(context.session, service_point, new_meter, on, parse_readings(old_readings, current.meter),
                 parse_readings(new_readings, new_meter), lab,
                 document_no=str(data.get("service_order_number") or "meter change"))
    return {"old_meter": current.meter.number, "new_meter": new_meter.number}


def _request(context: RuntimeContext) -> CustomerRequest:
    request = _business_object(context)
    if not isinstance(request, CustomerRequest):
        raise DomainError("this service needs a process linked to a customer request")
    return request


def _day(value, field: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"'{str(value)[:40]}' is not a date", field) from None


def install_request_meter(context: RuntimeContext, data: dict, meter_number: str, installed_on,
                          readings: str | None = None) -> dict:
    """Install the meter the crew put in at the request's service point (first readings, or zero for a new
    meter); nothing when it is already the one there."""
    installed = install_connection_meter(context.session, _request(context), str(meter_number or ""),
                                         _day(installed_on, "installed_on"), readings)
    return {"meter_installed": installed is not None}


def activate_request(context: RuntimeContext, data: dict, starts_on) -> dict:
    """Open the contract a new connection asked for (or give the active one the new power or tariff) from the
    day given; the planned service point becomes active."""
    contract = activate_connection(context.session, _request(context), _day(starts_on, "contract_start"))
    return {"customer_no": contract.customer_no} if contract is not None else {}


def set_fee(context: RuntimeContext, data: dict, amount) -> dict:
    """Record the connection fee the customer must pay."""
    request = _request(context)
    try:
        fee = Decimal(str(amount))
    except InvalidOperation as exc:
        raise DomainError(f"fee '{amount}' is not a number") from exc
    if fee < 0:
        raise DomainError("a fee cannot be negative")
    request.fee_amount = fee
    context.session.flush()
    return {}


def _meter(context: RuntimeContext) -> Meter:
    meter = _business_object(context)
    if not isinstance(meter, Meter):
        raise DomainError("this operation needs a process linked to a meter")
    return meter


def move_meter(context: RuntimeContext, data: dict, kind: str, document_no: str, store: str | None = None,
               reason: str | None = None) -> dict:
    """Send, receive or reject the process's meter (a store code for send and receive)."""
    meter = _meter(context)
    store_id = None
    if store:
        store_id = context.session.scalar(sa.select(Store.id).where(Store.code == store))
        if store_id is None:
            raise DomainError(f"unknown store '{store}'")
    move_meters(context.session, MovementKind(kind), [meter.number], store_id, str(document_no), reason=reason)
    return {"meter_status": meter.status.value}


def calibrate(context: RuntimeContext, data: dict, passed, tested_on, certificate=None, remarks=None) -> dict:
    """Record a laboratory test: a pass with its certificate and next due date, or a fail that rejects the meter."""
    meter = _meter(context)
    tested = _day(tested_on, "tested_on")
    calibration = record_calibration(context.session, meter, bool(passed), tested,
                                     certificate=certificate, remarks=remarks)
    return {"meter_status": meter.status.value,
            "next_due": calibration.next_due.isoformat() if calibration.next_due else None}


def scrap(context: RuntimeContext, data: dict, note: str | None = None) -> dict:
    """Scrap the process's rejected meter."""
    meter = _meter(context)
    scrap_meter(context.session, meter, note)
    return {"meter_status": meter.status.value}


def _bill(context: RuntimeContext) -> Bill:
    bill = context.session.get(Bill, context.instance.object_id) if context.instance.object_type == "bill" else None
    if bill is None:
        raise DomainError("this operation needs a process linked to a bill")
    return bill


def release_bill(context: RuntimeContext, data: dict, note: str | None = None) -> dict:
    """Issue the process's held (or draft) bill: it gets its invoice number, issue date and due date."""
    bill = _bill(context)
    issue_bill(context.session, bill, note=f"released: {note}"[:500] if note else "released")
    return {"bill_number": bill.number, "bill_status": bill.status.value}


def discard_bill(context: RuntimeContext, data: dict, reason: str) -> dict:
    """Cancel the process's bill with the reason; an issued one gets a credit note."""
    bill = _bill(context)
    credit = cancel_bill(context.session, bill, reason, by_process=context.instance.id)
    return {"bill_status": bill.status.value, "credit_note": credit.number if credit else None}


def recalculate(context: RuntimeContext, data: dict, note: str | None = None) -> dict:
    """Bill the process's held bill again from the corrected readings: it is cancelled and its period re-priced
    at once; the rebill is issued, or held again with its own review when a check still objects."""
    bill = _bill(context)
    reason = "recalculated after a reading correction" + (f": {note}" if note else "")
    rebill = rebill_period(context.session, bill, reason[:500], by_process=context.instance.id)
    if rebill.status is BillStatus.HELD and context.start_process is not None:
        context.start_process(context.session, EXCEPTION_PROCESS, "bill", rebill.id, exception_start_data(rebill))
    return {"bill_status": bill.status.value, "rebill_id": rebill.id, "rebill_status": rebill.status.value,
            "rebill_number": rebill.number}


SERVICES: dict[str, Service] = {s.name: s for s in [
    Service("set_status", set_status, frozenset({"status"})),
    Service("create_service_order", create_order, frozenset({"order_type"})),
    Service("set_fee", set_fee, frozenset({"amount"})),
    Service("move_meter", move_meter, frozenset({"kind", "document_no"})),
    Service("record_calibration", calibrate, frozenset({"passed", "tested_on"})),
    Service("scrap_meter", scrap, frozenset()),
    Service("complete_service_order", complete_order, frozenset({"result"})),
    Service("install_request_meter", install_request_meter, frozenset({"meter_number", "installed_on"})),
    Service("activate_request", activate_request, frozenset({"starts_on"})),
    Service("change_meter", replace_meter,
            frozenset({"changed_on", "old_readings", "new_meter_number", "new_readings", "lab_store"})),
    Service("issue_bill", release_bill, frozenset()),
    Service("cancel_bill", discard_bill, frozenset({"reason"})),
    Service("recalculate_bill", recalculate, frozenset()),
]}

# Collection's topics live in their own module (workflows.collection_services).
from workflows.collection_services import COLLECTION_SERVICES  # noqa: E402

SERVICES.update({name: Service(name, function, frozenset(required))
                 for name, (function, required) in COLLECTION_SERVICES.items()})
