"""What a human task shows about its business object: copied onto the task when it is created."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from models.billing.entities import Bill
from models.meters.entities import Meter
from models.objects import OBJECT_TYPES
from models.premises.entities import ServicePoint
from models.requests.entities import CustomerRequest


def _request(request: CustomerRequest) -> dict:
    sp = request.service_point
    return {"object_label": str(request), "customer_name": request.customer.name if request.customer else None,
            "spn": sp.spn if sp else None, "address": str(sp.property) if sp else None,
            "amount": request.fee_amount}


def _service_point(sp: ServicePoint) -> dict:
    return {"object_label": f"service point {sp.spn}", "spn": sp.spn, "address": str(sp.property)}


def _meter(meter: Meter) -> dict:
    return {"object_label": f"meter {meter.number} ({meter.model})",
            "address": str(meter.store) if meter.store else None}


def _bill(bill: Bill) -> dict:
    sp = bill.service_point
    name = f"bill {bill.number}" if bill.number else f"{bill.status.value} bill #{bill.id}"
    return {"object_label": f"{name} ({bill.period:%Y-%m})", "customer_name": bill.account.customer.name,
            "spn": sp.spn, "address": str(sp.property), "amount": bill.total}


# What a task shows beyond the object's label, per kind of business object (models.objects).
SUMMARIES: dict[str, Callable[[object], dict]] = {
    "customer_request": _request, "service_point": _service_point, "meter": _meter, "bill": _bill}


def describe(session: Session, object_type: str | None, object_id: int | None) -> dict:
    kind = OBJECT_TYPES.get(object_type or "")
    obj = session.get(kind.model, object_id) if kind and object_id else None
    if obj is None:
        return {} if kind and object_id else {"object_label": f"{object_type} #{object_id}" if object_type else None}
    summary = SUMMARIES.get(kind.key)
    return summary(obj) if summary else {"object_label": f"{kind.label} {obj}"}
