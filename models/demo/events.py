"""What the demo's billed history needs beyond the monthly readings, made through the operations a clerk's
work goes through: a meter change and a contracted-power change inside the last billed month, misc charges
waiting for the next bill. A handful of each, on the first service points that fit (in load order), each
recognisable by its reason or document (DEMO_* below) so that tests and the inquiry find them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal as D

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import Actor, acting_as
from models.billing.charges import add_misc_charge, system_charge_type
from models.billing.entities import MiscChargeType
from models.contracts.entities import Contract, ContractStatus, ContractType, ContractVersion
from models.contracts.operations import change_contract_terms
from models.installations.operations import change_meter
from models.meters.entities import Meter, MeterStatus, Register, Store, StoreKind
from models.meters.queries import current_meter_installation
from models.premises.entities import ServicePoint
from models.readings.entities import Reading, ReadingAnomaly, ReadingCycle, ReadingOrder
from models.tariffs.entities import Tariff
from models.types import add_months

HANDFUL = 3
METER_CHANGE_TARIFFS = ("R-1/TR 900", "R-1/TR 1300", "R-1/TR 2200")
DEMO_METER_CHANGE = "demo meter change"                     # the removal's movement document, then the SPN
DEMO_POWER_CHANGE = "power increase requested by customer (demo, mid-period)"
POWER_STEPS = {("R-2/TR", 3500): 4400, ("R-2/TR", 4400): 5500}
DEMO_RECONNECTION = "supply restored after disconnection for arrears (demo)"
DEMO_METER_TEST = "meter test at the customer's request after the meter change (demo)"
METER_TEST_FEE = ("METER_TEST_FEE", "Meter test fee", D("75000"))
DEMO = Actor(None, "demo-data")


@dataclass
class MeterChange:
    service_point_id: int
    route: object
    day: date
    tariff_class: str
    power_va: int
    registers: list            # the old meter's DemoRegisters
    last: dict                 # register id -> (day, value) of its last reading before the change
    daily: float               # kWh a day


def _last_reading_day(as_of: date, route) -> date:
    """The route's reading day in the month before `as_of`'s: the end of the last billed month's period."""
    return add_months(as_of.replace(day=1), -1).replace(day=route.scheduled_day)


def meter_change_day(s, tariff: str, route, installed: date, registers: int) -> date | None:
    """The day this service point's meter is changed, if it is one of the handful: ten days before the last
    billed month's reading (routes read after the 11th), so the bill runs old meter to removal, then new meter
    from installation."""
    if len(s.meter_changes) >= HANDFUL or tariff not in METER_CHANGE_TARIFFS or registers != 1:
        return None
    read = _last_reading_day(s.as_of, route)
    day = read - timedelta(days=10)
    # inside the billed month itself: a meter removed before the month belongs to the month before's bill
    return day if day.month == read.month and installed < day - timedelta(days=45) else None


def change_meters(session: Session, s) -> None:
    """Each planned change through change_meter (removal reading, installation reading, movements), then the
    new meter's readings from the change on, into the loader's rows."""
    from models.demo.readings import DemoRegister, history
    lab = session.get(Store, s.store_ids[StoreKind.LABORATORY][0])
    done = []
    with acting_as(DEMO):
        for change in s.meter_changes:
            point = session.get(ServicePoint, change.service_point_id)
            old = current_meter_installation(session, point.id).meter
            new = session.scalar(sa.select(Meter).where(Meter.status == MeterStatus.IN_STORE,
                                                        Meter.model_id == old.model_id).order_by(Meter.id).limit(1))
            if new is None:
                continue
            removal = {}
            for r in change.registers:
                day, value = change.last[r.id]
                removal[r.code] = (value + D(round(change.daily * (change.day - day).days))) % (D(10) ** r.digits)
            change_meter(session, point, new, change.day, removal, {r.code: D(0) for r in new.registers}, lab,
                         document_no=f"{DEMO_METER_CHANGE} {point.spn}")
            done.append((change, [DemoRegister(r.id, r.code, r.usage_type, r.multiplier, r.digits, r.decimals, D(0))
                                  for r in session.scalars(sa.select(Register).where(Register.meter_id == new.id))]))
    _catch_up_ids(session, s)      # after every operation: the rows below take ids the loader's way
    for change, registers in done:
        history(s, change.service_point_id, change.route, registers, change.day, change.tariff_class,
                change.power_va)
    s.meter_changes = []


def _catch_up_ids(session: Session, s) -> None:
    """The operations' rows took ids of their own: the loader's counters go past them."""
    for model in (Reading, ReadingAnomaly, ReadingCycle, ReadingOrder):
        s.ids[model] = max(s.ids[model], session.scalar(sa.select(sa.func.max(model.id))) or 0)


def contract_events(session: Session, as_of: date) -> dict[str, int]:
    """Contracted-power changes inside the last billed month, and misc charges for the next bill."""
    with acting_as(DEMO):
        changed = _power_changes(session, as_of)
        charges = _misc_charges(session)
    return {"power_changes": changed, "misc_charges": charges}


def _postpaid(session: Session, codes: tuple[str, ...], limit: int, exclude=()) -> list[Contract]:
    query = (sa.select(Contract).join(ContractVersion, ContractVersion.contract_id == Contract.id)
             .join(Tariff, Tariff.id == ContractVersion.tariff_id)
             .where(Tariff.code.in_(codes), ContractVersion.valid_to.is_(None), ContractVersion.version_no == 1,
                    ContractVersion.contract_type != ContractType.PREPAID, Contract.status == ContractStatus.ACTIVE,
                    Contract.id.not_in(list(exclude)) if exclude else sa.true())
             .order_by(Contract.id).limit(limit))
    return list(session.scalars(query))


def _power_changes(session: Session, as_of: date) -> int:
    done = 0
    for contract in _postpaid(session, ("R-2/TR",), HANDFUL * 4):
        current = contract.versions[-1]
        step = POWER_STEPS.get((current.tariff.code, current.contracted_power_va))
        day = _last_reading_day(as_of, contract.service_point.route) - timedelta(days=14)
        if step is None or day <= current.valid_from + timedelta(days=60):
            continue
        change_contract_terms(session, contract, day, DEMO_POWER_CHANGE, contracted_power_va=step)
        done += 1
        if done == HANDFUL:
            break
    return done


def _misc_charges(session: Session) -> int:
    meter_test = session.scalar(sa.select(MiscChargeType).where(MiscChargeType.code == METER_TEST_FEE[0]))
    if meter_test is None:
        code, name, amount = METER_TEST_FEE
        meter_test = MiscChargeType(code=code, name=name, default_amount=amount, taxable=False)
        session.add(meter_test)
        session.flush()
    changed = session.scalars(sa.select(Contract).join(ServicePoint, ServicePoint.id == Contract.service_point_id)
                              .where(ServicePoint.spn.in_(_changed_spns(session))).order_by(Contract.id)).all()
    for contract in changed:
        add_misc_charge(session, contract, meter_test, reason=DEMO_METER_TEST)
    reconnection = system_charge_type(session, "RECONNECTION_FEE")
    others = _postpaid(session, ("R-1/TR 900", "R-1/TR 1300", "B-2/TR"), HANDFUL - 1, exclude=[c.id for c in changed])
    for contract in others:
        add_misc_charge(session, contract, reconnection, reason=DEMO_RECONNECTION)
    return len(changed) + len(others)


def _changed_spns(session: Session) -> list[str]:
    from models.meters.entities import MeterMovement
    documents = session.scalars(sa.select(MeterMovement.document_no)
                                .where(MeterMovement.document_no.like(f"{DEMO_METER_CHANGE} %"))).all()
    return [d.removeprefix(f"{DEMO_METER_CHANGE} ") for d in documents]
