"""Contracts: opening one, and changing its terms by adding a version (history is never overwritten)."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.contracts.entities import Contract, ContractStatus, ContractVersion
from models.customers.entities import Account
from models.errors import DomainError
from models.premises.entities import ServicePoint
from models.statuses import move_status
from models.tariffs.entities import Tariff

TERM_FIELDS = {"tariff", "contracted_power_va", "contract_type", "reading_cycle", "billing_cycle",
               "late_penalty_percent", "penalty_grace_days"}


def _check_power(tariff: Tariff, power_va: int) -> None:
    if power_va <= 0:
        raise DomainError("must be greater than zero", "contracted_power_va")
    if tariff.min_power_va and power_va < tariff.min_power_va or tariff.max_power_va and power_va > tariff.max_power_va:
        raise DomainError(f"{power_va} VA is outside tariff {tariff.code}'s range "
                          f"{tariff.min_power_va or 0}-{tariff.max_power_va or '∞'} VA", "contracted_power_va")


def open_contract(session: Session, service_point: ServicePoint, account: Account, customer_no: str,
                  tariff: Tariff, contracted_power_va: int, registered_on: date, **terms) -> Contract:
    if session.scalar(sa.select(Contract.id).where(Contract.service_point_id == service_point.id,
                                                   Contract.status == ContractStatus.ACTIVE)):
        raise DomainError(f"service point {service_point.spn} already has an active contract", "service_point")
    _check_power(tariff, contracted_power_va)
    serial = (session.scalar(sa.select(sa.func.max(Contract.serial))
                             .where(Contract.service_point_id == service_point.id)) or 0) + 1
    contract = Contract(service_point=service_point, account=account, customer_no=customer_no, serial=serial,
                        registered_on=registered_on, status=ContractStatus.ACTIVE)
    contract.versions.append(ContractVersion(version_no=1, valid_from=registered_on, tariff=tariff,
                                             contracted_power_va=contracted_power_va, **terms))
    session.add(contract)
    session.flush()
    return contract


def change_contract_terms(session: Session, contract: Contract, effective_from: date, reason: str,
                          **changes) -> ContractVersion:
    """End the current version at `effective_from` (ranges are [from, to)) and add one with the new terms."""
    unknown = set(changes) - TERM_FIELDS
    if unknown:
        raise DomainError(f"cannot change {', '.join(sorted(unknown))} through a new version")
    if contract.status is not ContractStatus.ACTIVE:
        raise DomainError(f"contract {contract} is {contract.status.value}", "contract")
    current = next((v for v in contract.versions if v.valid_to is None), None)
    if current is None or effective_from <= current.valid_from:
        raise DomainError(f"must be after {current.valid_from.isoformat() if current else 'the last version'}",
                          "effective_from")
    terms = {field: getattr(current, field) for field in TERM_FIELDS} | changes
    _check_power(terms["tariff"], terms["contracted_power_va"])
    current.valid_to = effective_from
    version = ContractVersion(version_no=current.version_no + 1, valid_from=effective_from,
                              change_reason=reason, **terms)
    contract.versions.append(version)
    session.flush()
    return version


def terminate_contract(session: Session, contract: Contract, terminated_on: date) -> None:
    if terminated_on < contract.registered_on:
        raise DomainError("must not be before the registration date", "terminated_on")
    move_status(session, contract, ContractStatus.TERMINATED, what=f"contract {contract}")
    contract.terminated_on = terminated_on
    for version in contract.versions:
        if version.valid_to is None:
            # Versions are [from, to): the last one covers the termination day itself.
            version.valid_to = max(terminated_on, version.valid_from) + timedelta(days=1)
    session.flush()
