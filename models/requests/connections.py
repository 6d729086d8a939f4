"""What a connection request does to the utility's records when its process reaches the field and the contract.

The customer_request process confirms the installation (a meter put in at the service point) and then the
contract's start. Until these existed the process ended "connected" with the service point still planned, no
meter installed and no contract, so a new customer could never be billed. Flush, never commit.
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.contracts.entities import Contract, ContractStatus
from models.contracts.operations import change_contract_terms, open_contract
from models.customers.entities import Account
from models.errors import DomainError
from models.installations.operations import install_meter, parse_readings
from models.meters.entities import Installation, Meter
from models.meters.queries import current_meter_installation
from models.premises.entities import ServicePoint, ServicePointStatus
from models.requests.entities import CustomerRequest, RequestType
from models.statuses import move_status
from models.tariffs.entities import Tariff


def _service_point(request: CustomerRequest) -> ServicePoint:
    if request.service_point is None:
        raise DomainError(f"request {request.number} names no service point", "service_point")
    return request.service_point


def _active_contract(session: Session, point: ServicePoint) -> Contract | None:
    return session.scalar(sa.select(Contract).where(Contract.service_point_id == point.id,
                                                    Contract.status == ContractStatus.ACTIVE))


def install_connection_meter(session: Session, request: CustomerRequest, meter_number: str, installed_on: date,
                             readings: str | None = None) -> Installation | None:
    """The meter the crew put in: installed from the store at the service point with its first readings
    ('1.8.0=0; ...', or empty for a new meter at zero). None when that meter is already the one there (a
    power or tariff change keeps its meter); another meter there is refused (a meter change is its own
    process)."""
    point = _service_point(request)
    number = (meter_number or "").strip()
    meter = session.scalar(sa.select(Meter).where(Meter.number == number))
    if meter is None:
        raise DomainError(f"no meter with number {number[:40]}", "meter_number")
    current = current_meter_installation(session, point.id)
    if current is not None:
        if current.meter_id == meter.id:
            return None
        raise DomainError(f"service point {point.spn} has meter {current.meter.number}; a meter change is the "
                          "meter replacement process", "meter_number")
    values = (parse_readings(readings, meter) if (readings or "").strip()
              else {r.code: Decimal(0) for r in meter.registers})
    return install_meter(session, point, meter, installed_on, values)


def activate_connection(session: Session, request: CustomerRequest, starts_on: date) -> Contract | None:
    """The contract the request asked for, from `starts_on`: a new connection opens it (the customer's latest
    account, the tariff and power asked for; a planned service point becomes active); a power or tariff change
    gives the active contract a new version (a new power outside its tariff's range moves it to the tariff of
    the same category and payment mode that covers it, as PLN's R-1/TR 1300 becomes R-1/TR 2200). Other
    requests change no contract here (None): a contract change, a termination, and a tariff change that
    names no tariff (only the advice page's requests name one)."""
    point = _service_point(request)
    if request.request_type is RequestType.NEW_CONNECTION:
        return _open(session, request, point, starts_on)
    if request.request_type is RequestType.POWER_CHANGE or (request.request_type is RequestType.TARIFF_CHANGE
                                                            and request.requested_tariff):
        contract = _active_contract(session, point)
        if contract is None:
            raise DomainError(f"service point {point.spn} has no active contract to change", "service_point")
        changes = {}
        if request.requested_tariff:
            changes["tariff"] = _tariff(session, request.requested_tariff)
        if request.requested_power_va:
            changes["contracted_power_va"] = request.requested_power_va
            current = contract.versions[-1].tariff
            if "tariff" not in changes and not _covers(current, request.requested_power_va):
                changes["tariff"] = _tariff_for_power(session, current, request.requested_power_va)
        if not changes:
            raise DomainError(f"request {request.number} asks for no new power or tariff", "requested_power_va")
        change_contract_terms(session, contract, starts_on, f"request {request.number}", **changes)
        return contract
    return None


def _covers(tariff: Tariff, power_va: int) -> bool:
    return (tariff.min_power_va or 0) <= power_va <= (tariff.max_power_va or power_va)


def _tariff_for_power(session: Session, current: Tariff, power_va: int) -> Tariff:
    candidates = [t for t in session.scalars(sa.select(Tariff).where(
        Tariff.tariff_class.startswith(current.tariff_class[:1]), Tariff.payment_mode == current.payment_mode)
        .order_by(Tariff.code)) if _covers(t, power_va)]
    if not candidates:
        raise DomainError(f"no {current.tariff_class[:1]} tariff ({current.payment_mode.value}) covers {power_va:,} "
                          "VA: name the tariff in the request", "requested_power_va")
    return min(candidates, key=lambda t: (t.voltage != current.voltage, t.code))


def _tariff(session: Session, code: str) -> Tariff:
    tariff = session.scalar(sa.select(Tariff).where(Tariff.code == code))
    if tariff is None:
        raise DomainError(f"unknown tariff {code}", "requested_tariff")
    return tariff


def _open(session: Session, request: CustomerRequest, point: ServicePoint, starts_on: date) -> Contract:
    if request.customer_id is None:
        raise DomainError(f"request {request.number} names no customer", "customer")
    if not (request.requested_tariff and request.requested_power_va):
        raise DomainError(f"request {request.number} does not say which tariff and power", "requested_tariff")
    if current_meter_installation(session, point.id) is None:
        raise DomainError(f"service point {point.spn} has no meter installed yet", "service_point")
    if starts_on < point.created_on:
        raise DomainError(f"must not be before the service point was created ({point.created_on})", "starts_on")
    account = session.scalar(sa.select(Account).where(Account.customer_id == request.customer_id)
                             .order_by(Account.id.desc()).limit(1))
    if account is None:
        raise DomainError(f"customer {request.customer_id} has no account", "customer")
    # ID Pelanggan from the contract's id (the demo's are 51... to 56... by city: 50... is never one of them)
    contract = open_contract(session, point, account, f"t{uuid.uuid4().hex[:11]}",
                             _tariff(session, request.requested_tariff), request.requested_power_va, starts_on)
    contract.customer_no = f"50{contract.id:010d}"
    if point.status is ServicePointStatus.PLANNED:
        move_status(session, point, ServicePointStatus.ACTIVE, what=f"service point {point.spn}",
                    note=f"connected by request {request.number}")
    session.flush()
    return contract

