"""Logging contacts and adding service notes: audited like every write (models.audit.recorder)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.contacts.entities import Contact, ContactOutcome, ContactReason, ServiceNote
from models.errors import DomainError
from models.premises.entities import ServicePoint
from models.requests.entities import Channel, CustomerRequest


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("write what was said", field)
    return text


def _choice(kind, value, field: str):
    try:
        return value if isinstance(value, kind) else kind(value)
    except ValueError:
        raise DomainError(f"choose one of {', '.join(v.value for v in kind)}", field) from None


def log_contact(session: Session, service_point: ServicePoint | None, *, channel, reason, text: str,
                outcome=ContactOutcome.ANSWERED, customer_id: int | None = None,
                request: CustomerRequest | None = None) -> Contact:
    """Record one interaction; a contact that started a request points at it (its outcome says so)."""
    if service_point is None and customer_id is None:
        raise DomainError("name the service point or the customer", "service_point")
    contact = Contact(service_point_id=service_point.id if service_point else None, customer_id=customer_id,
                      channel=_choice(Channel, channel, "channel"), reason=_choice(ContactReason, reason, "reason"),
                      text=_text(text, "text"), outcome=_choice(ContactOutcome, outcome, "outcome"),
                      request_id=request.id if request else None, by=acting_name())
    if request is not None and contact.outcome is ContactOutcome.ANSWERED:
        contact.outcome = (ContactOutcome.COMPLAINT_REGISTERED if contact.reason is ContactReason.COMPLAINT
                           else ContactOutcome.REQUEST_REGISTERED)
    session.add(contact)
    session.flush()
    return contact


def add_service_note(session: Session, service_point: ServicePoint, text: str) -> ServiceNote:
    note = ServiceNote(service_point_id=service_point.id, text=_text(text, "text"), by=acting_name())
    session.add(note)
    session.flush()
    return note
