"""The collection process's service tasks (registered in workflows.service_tasks.SERVICES): dunning notices,
disconnection and reconnection orders, the reconnection fee. A protected service point never gets a
disconnection order, whatever the diagram says: the operation itself refuses and tells the process why."""
from __future__ import annotations

from datetime import timedelta

from models.billing.charges import add_misc_charge, system_charge_type
from models.clock import today
from models.collection.dunning import active_contract, notice_channel, record_debt_action
from models.collection.dunning_entities import DebtAction, DebtActionKind
from models.errors import DomainError
from models.premises.entities import ServicePoint, ServicePointStatus
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus, ServiceOrderType
from models.service_orders.operations import change_service_order_status, create_service_order
from models.statuses import move_status

RECONNECTION_FEE = "RECONNECTION_FEE"
TRUE = {"true", "yes", "1", "on"}


def _service_point(context) -> ServicePoint:
    instance = context.instance
    sp = context.session.get(ServicePoint, instance.object_id) if instance.object_type == "service_point" else None
    if sp is None:
        raise DomainError("this operation needs a process linked to a service point")
    return sp


def _days(value, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError) as exc:
        raise DomainError(f"'{value}' is not a number of days") from exc


def send_notice(context, data: dict, kind: str, channel: str = "auto") -> dict:
    """Send the customer a dunning notice (kind reminder or warning) by letter or SMS (channel letter, sms or auto:
    SMS when the customer has a phone number), recorded with the overdue bills and amount."""
    if kind not in (DebtActionKind.REMINDER, DebtActionKind.WARNING):
        raise DomainError(f"a notice is a reminder or a warning, not '{kind}'")
    sp = _service_point(context)
    contract = active_contract(context.session, sp.id)
    action = record_debt_action(context.session, DebtActionKind(kind), contract, instance_id=context.instance.id,
                                channel=notice_channel(context.session, contract.account.customer_id, channel))
    return {"stage": kind, "overdue": str(action.amount), "channel": action.channel.value}


def order_disconnection(context, data: dict, planned_in_days: str = "3") -> dict:
    """Create the disconnection order for the crew; a protected service point (life support, hospital, state
    institution) gets none: `protected` comes back true with the reason, for a clerk's task instead."""
    sp = _service_point(context)
    contract = active_contract(context.session, sp.id)
    if sp.protected is not None:
        reason = sp.protected.value.replace("_", " ")
        record_debt_action(context.session, DebtActionKind.PROTECTED, contract, instance_id=context.instance.id,
                           note=f"protected service point ({reason}): no disconnection order")
        return {"protected": True, "protected_reason": reason, "stage": "protected"}
    order = create_service_order(context.session, ServiceOrderType.DISCONNECTION, service_point_id=sp.id,
                                 planned_on=today() + timedelta(days=_days(planned_in_days, 3)))
    record_debt_action(context.session, DebtActionKind.DISCONNECTION, contract, instance_id=context.instance.id,
                       service_order_id=order.id)
    return {"protected": False, "protected_reason": None, "stage": "disconnection ordered",
            "service_order_id": order.id, "service_order_number": order.number}


def _order(context, data: dict) -> ServiceOrder:
    order = context.session.get(ServiceOrder, data.get("service_order_id"))
    if order is None:
        raise DomainError("this process has no service order")
    return order


def _finish(context, order: ServiceOrder, target: ServiceOrderStatus, result: str) -> None:
    """Complete (or fail) the order unless the crew already did on its own page."""
    if order.status in (ServiceOrderStatus.COMPLETED, ServiceOrderStatus.FAILED, ServiceOrderStatus.CANCELLED):
        return
    if order.status is not ServiceOrderStatus.IN_PROGRESS:
        change_service_order_status(context.session, order, ServiceOrderStatus.IN_PROGRESS)
    change_service_order_status(context.session, order, target, result=result)


def record_disconnection(context, data: dict, done, note: str | None = None) -> dict:
    """The crew's result: done (the service point is disconnected, its order completed) or not (the order
    failed, with the note)."""
    sp = _service_point(context)
    order = _order(context, data)
    disconnected = done is True or str(done).lower() in TRUE
    if disconnected:
        _finish(context, order, ServiceOrderStatus.COMPLETED, note or "disconnected for debt")
        if sp.status is ServicePointStatus.ACTIVE:
            move_status(context.session, sp, ServicePointStatus.DISCONNECTED, what=f"service point {sp.spn}",
                        note=f"disconnected for debt ({order.number})", instance_id=context.instance.id)
    else:
        _finish(context, order, ServiceOrderStatus.FAILED, note or "not disconnected")
    context.session.flush()
    return {"disconnected": disconnected, "stage": "disconnected" if disconnected else "disconnection failed"}


def cancel_disconnection(context, data: dict, reason: str = "paid") -> dict:
    """Cancel the open disconnection order (the debt was paid before the crew went)."""
    order = _order(context, data)
    if order.status in (ServiceOrderStatus.CREATED, ServiceOrderStatus.ASSIGNED, ServiceOrderStatus.IN_PROGRESS):
        change_service_order_status(context.session, order, ServiceOrderStatus.CANCELLED, result=reason)
    return {"stage": "paid"}


def order_reconnection(context, data: dict, planned_in_days: str = "1") -> dict:
    """After the debt is paid: the reconnection order for the crew and the reconnection fee on the next bill."""
    sp = _service_point(context)
    contract = active_contract(context.session, sp.id)
    order = create_service_order(context.session, ServiceOrderType.RECONNECTION, service_point_id=sp.id,
                                 planned_on=today() + timedelta(days=_days(planned_in_days, 1)))
    charge = add_misc_charge(context.session, contract, system_charge_type(context.session, RECONNECTION_FEE),
                             reason=f"reconnection after payment ({order.number})")
    context.session.add(DebtAction(kind=DebtActionKind.RECONNECTION, service_point_id=sp.id, contract_id=contract.id,
                                   customer_id=contract.account.customer_id, instance_id=context.instance.id,
                                   service_order_id=order.id, bill_ids=[], amount=charge.amount,
                                   note=f"reconnection fee {charge.amount:,.2f}", created_on=today(),
                                   by=charge.by))
    context.session.flush()
    return {"service_order_id": order.id, "service_order_number": order.number, "stage": "reconnection ordered",
            "reconnection_fee": str(charge.amount)}


def record_reconnection(context, data: dict, note: str | None = None) -> dict:
    """The crew reconnected the service point: its order completed, the service point active again."""
    sp = _service_point(context)
    _finish(context, _order(context, data), ServiceOrderStatus.COMPLETED, note or "reconnected")
    if sp.status is ServicePointStatus.DISCONNECTED:
        move_status(context.session, sp, ServicePointStatus.ACTIVE, what=f"service point {sp.spn}",
                    note="reconnected after payment", instance_id=context.instance.id)
    context.session.flush()
    return {"stage": "reconnected"}


# topic -> (operation, required parameters)
COLLECTION_SERVICES = {
    "send_dunning_notice": (send_notice, {"kind"}),
    "order_disconnection": (order_disconnection, set()),
    "record_disconnection": (record_disconnection, {"done"}),
    "cancel_disconnection": (cancel_disconnection, set()),
    "order_reconnection": (order_reconnection, set()),
    "record_reconnection": (record_reconnection, set()),
}
