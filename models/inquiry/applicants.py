"""A new connection for someone who is not yet a customer: the clerk registers the applicant (customer,
identity document, contact details), the supply address and the requested tariff and power; one operation
creates the customer and their account, the property and its prospective service point (status planned:
not yet connected) and the new-connection request carrying the tariff and power. The caller starts the
request's process in the same transaction (workflows.runtime.start_instance: models never import
workflows), so a refusal anywhere leaves nothing written.

An identity number already registered is not a second customer: `DuplicateApplicant` names who holds it,
and the clerk registers the connection for that customer instead (`customer_id`)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.clock import today
from models.customers.entities import Account, Customer, CustomerKind, IdentityDocument, IdentityDocumentType
from models.errors import DomainError
from models.inquiry.words import fold
from models.limits import check_business_date, check_column, parse_int
from models.premises.entities import Property, ServicePoint, ServicePointStatus
from models.requests.entities import Channel, CustomerRequest, RequestType
from models.requests.operations import register_request
from models.statuses import begin_status
from models.tariffs.entities import Tariff, TariffVersion

POWER_VA = (450, 1_000_000_000)     # PLN's smallest connection to the largest a contract can name
DESCRIPTION_MAX = 2000
_PHONE = re.compile(r"^0\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FIELDS = {  # form field -> the column whose limits it must fit
    "name": Customer.__table__.c.name, "phone": Customer.__table__.c.phone, "email": Customer.__table__.c.email,
    "doc_number": IdentityDocument.__table__.c.number, "address": Property.__table__.c.address,
    "city": Property.__table__.c.city, "postal_code": Property.__table__.c.postal_code,
    "description": CustomerRequest.__table__.c.description,
}


class ApplicationRefused(DomainError):
    """The form's errors, field by field (the first one is the message)."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors))
        super().__init__(errors[first], first)
        self.errors = errors


class DuplicateApplicant(DomainError):
    """The identity number belongs to a customer already: offer them instead of creating a second one."""

    def __init__(self, customer: Customer, document: IdentityDocument):
        super().__init__(f"this {document.doc_type.value.replace('_', ' ')} number is already registered to "
                         f"{customer.name}: register the connection for them", "doc_number")
        # Plain values: the caller reads them after the transaction rolled back.
        self.customer_id, self.customer_name, self.number = customer.id, customer.name, document.number


@dataclass
class Application:
    """What the clerk typed, as text; `register_applicant` parses and checks it."""

    name: str = ""
    kind: str = CustomerKind.PERSON.value
    doc_type: str = IdentityDocumentType.NATIONAL_ID.value
    doc_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    city: str = ""
    postal_code: str = ""
    tariff: str = ""
    power_va: str = ""
    channel: str = Channel.COUNTER.value
    received_on: str = ""
    description: str = ""
    customer_id: str = ""       # set when the clerk chose the existing customer a duplicate named


@dataclass
class NewConnection:
    customer: Customer
    account: Account
    service_point: ServicePoint
    request: CustomerRequest
    existing_customer: bool = False


def normalise_phone(text: str) -> str:
    """As the search reads a phone number: no spaces or dashes, +62 / 62 written as the leading 0."""
    digits = re.sub(r"[\s\-().]", "", text or "")
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def _choice(kind, value: str, name: str, errors: dict):
    try:
        return kind(value)
    except ValueError:
        errors[name] = f"choose one of {', '.join(v.value.replace('_', ' ') for v in kind)}"
        return None


def _text(form: Application, name: str, errors: dict, required: bool = True) -> str | None:
    raw = str(getattr(form, name) or "")
    value = raw.strip() if name == "description" else "".join(raw.split()) if name == "doc_number" \
        else " ".join(raw.split())
    if not value:
        if required:
            errors[name] = "is required"
        return None
    try:
        check_column(_FIELDS[name], value, name)
        if name == "description" and len(value) > DESCRIPTION_MAX:
            raise DomainError(f"must be at most {DESCRIPTION_MAX:,} characters (this is {len(value):,})", name)
    except DomainError as exc:
        errors[name] = exc.message
    return value


def tariffs_open_today(session: Session) -> list[Tariff]:
    """The tariffs a new connection may ask for: those with a version in force today."""
    now = today()
    in_force = sa.select(TariffVersion.tariff_id).where(
        TariffVersion.effective_from <= now,
        sa.or_(TariffVersion.effective_to.is_(None), TariffVersion.effective_to > now))
    return list(session.scalars(sa.select(Tariff).where(Tariff.id.in_(in_force)).order_by(Tariff.code)))


def _tariff(session: Session, code: str, power: int | None, errors: dict) -> Tariff | None:
    code = (code or "").strip()
    if not code:
        errors["tariff"] = "choose the tariff"
        return None
    tariff = next((t for t in tariffs_open_today(session) if t.code == code), None) if len(code) <= 40 else None
    if tariff is None:
        errors["tariff"] = "no tariff with this code is open to new connections today"
        return None
    if power is not None and (tariff.min_power_va and power < tariff.min_power_va
                              or tariff.max_power_va and power > tariff.max_power_va):
        top = f"{tariff.max_power_va:,} VA" if tariff.max_power_va else "∞"
        errors["power_va"] = f"{power:,} VA is outside tariff {tariff.code}'s range {tariff.min_power_va or 0:,}-{top}"
    return tariff


def _received_on(text: str, errors: dict) -> date:
    text = (text or "").strip()
    if not text:
        return today()
    try:
        day = date.fromisoformat(text[:10]) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors["received_on"] = "must be a date such as 2026-12-01"
        return today()
    try:
        check_business_date(day, "received_on")
    except DomainError as exc:
        errors["received_on"] = exc.message
        return today()
    if day > today():
        errors["received_on"] = f"must not be after today ({today().isoformat()})"
    return day


def _existing_customer(session: Session, text: str, errors: dict) -> Customer | None:
    if not (text or "").strip():
        return None
    try:
        customer_id = parse_int(text, "customer_id", 1, 2**31 - 1)
    except DomainError as exc:
        errors["customer_id"] = exc.message
        return None
    customer = session.get(Customer, customer_id)
    if customer is None:
        errors["customer_id"] = "no such customer"
    return customer


def find_identity(session: Session, number: str) -> IdentityDocument | None:
    """The document registered with this number, of any type (a KTP typed as a passport is still a duplicate)."""
    return session.scalar(sa.select(IdentityDocument).where(IdentityDocument.number == number)
                          .order_by(IdentityDocument.id).limit(1))


def _spn_prefix(session: Session, city: str) -> str:
    """The city's code as existing SPNs there spell it (BDG...), else its first three letters."""
    spn = session.scalar(sa.select(ServicePoint.spn).join(Property, Property.id == ServicePoint.property_id)
                         .where(Property.city == city).limit(1))
    match = re.match(r"^([A-Za-z]{2,5})\d", spn or "")
    if match:
        return match.group(1).upper()
    letters = re.sub(r"[^a-z]", "", fold(city)).upper()
    return (letters[:3] if len(letters) >= 2 else "SP")


def _numbered(session: Session, obj, attribute: str, make) -> None:
    """A number derived from the row's id (never duplicated), as models.numbering does for documents."""
    setattr(obj, attribute, f"tmp-{uuid.uuid4().hex[:16]}")      # unique placeholder until the id exists
    session.add(obj)
    session.flush()
    setattr(obj, attribute, make(obj.id))


def register_applicant(session: Session, form: Application) -> NewConnection:
    """Create the applicant (or take the existing customer), the property, the planned service point and the
    new-connection request with the tariff and power asked for; flushes, never commits."""
    errors: dict[str, str] = {}
    existing = _existing_customer(session, form.customer_id, errors)
    if existing is None and not errors:
        name = _text(form, "name", errors)
        kind = _choice(CustomerKind, form.kind, "kind", errors)
        doc_type = _choice(IdentityDocumentType, form.doc_type, "doc_type", errors)
        number = _text(form, "doc_number", errors)
        phone = normalise_phone(_text(form, "phone", errors, required=False) or "")
        if phone and not _PHONE.match(phone):
            errors["phone"] = "must be a phone number such as 0812 3456 7890 or +62 812 3456 7890"
        email = _text(form, "email", errors, required=False)
        if email and not _EMAIL.match(email):
            errors["email"] = "must be an e-mail address such as name@example.com"
    address = _text(form, "address", errors)
    city = _text(form, "city", errors)
    postal_code = _text(form, "postal_code", errors, required=False)
    description = _text(form, "description", errors, required=False) or ""
    try:
        power = parse_int(form.power_va, "power_va", *POWER_VA, unit="VA")
        if power is None:
            errors["power_va"] = "give the power asked for, in VA"
    except DomainError as exc:
        errors["power_va"], power = exc.message, None
    tariff = _tariff(session, form.tariff, power, errors)
    channel = _choice(Channel, form.channel, "channel", errors)
    received_on = _received_on(form.received_on, errors)
    if errors:
        raise ApplicationRefused(errors)
    if existing is None:
        document = find_identity(session, number)
        if document is not None:
            raise DuplicateApplicant(document.customer, document)
        customer = Customer(name=name, kind=kind, phone=phone or None, email=email)
        customer.identity_documents.append(IdentityDocument(doc_type=doc_type, number=number))
        session.add(customer)
    customer = existing or customer
    account = None
    if existing is not None:
        account = session.scalar(sa.select(Account).where(Account.customer_id == existing.id)
                                 .order_by(Account.id.desc()).limit(1))
    if account is None:
        account = Account(customer=customer, payer_name=customer.name, billing_address=f"{address}, {city}"[:300])
        _numbered(session, account, "account_no", lambda i: f"{i:010d}")
    premise = Property(address=address, city=city, postal_code=postal_code,
                       kind="house" if customer.kind is CustomerKind.PERSON else "commercial")
    point = ServicePoint(property=premise, supply_voltage=tariff.voltage, created_on=today())
    prefix = _spn_prefix(session, city)
    _numbered(session, point, "spn", lambda i: f"{prefix}{i:08d}")
    begin_status(session, point, ServicePointStatus.PLANNED)
    what = f"New connection at {address}, {city}: {tariff.code} at {power:,} VA."
    request = register_request(session, RequestType.NEW_CONNECTION, customer_id=customer.id,
                               service_point_id=point.id, channel=channel, registered_on=received_on,
                               description=f"{what} {description}".strip(), requested_power_va=power)
    request.requested_tariff = tariff.code
    session.flush()
    return NewConnection(customer, account, point, request, existing_customer=existing is not None)
