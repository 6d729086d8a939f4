"""What a human task shows about its business object: copied onto the task when it is created."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models.meters.entities import Meter
from models.premises.entities import ServicePoint
from models.requests.entities import CustomerRequest


def describe(session: Session, object_type: str | None, object_id: int | None) -> dict:
    if object_type == "customer_request" and object_id:
        request = session.get(CustomerRequest, object_id)
        if request is None:
            return {}
        sp = request.service_point
        return {
            "object_label": str(request),
            "customer_name": request.customer.name if request.customer else None,
            "spn": sp.spn if sp else None,
            "address": str(sp.property) if sp else None,
            "amount": request.fee_amount,
        }
    if object_type == "service_point" and object_id:
        sp = session.get(ServicePoint, object_id)
        if sp is not None:
            return {"object_label": f"service point {sp.spn}", "spn": sp.spn, "address": str(sp.property)}
    if object_type == "meter" and object_id:
        meter = session.get(Meter, object_id)
        if meter is not None:
            return {"object_label": f"meter {meter.number} ({meter.model})",
                    "address": str(meter.store) if meter.store else None}
    return {"object_label": f"{object_type} #{object_id}" if object_type else None}

