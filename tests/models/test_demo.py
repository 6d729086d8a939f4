from datetime import date

import pytest
import sqlalchemy as sa

from models.contracts.entities import ContractVersion
from models.customers.entities import Customer
from models.demo.field import load_demo_service_orders
from models.demo.loader import load_demo_data
from models.errors import DomainError
from models.meters.entities import Meter, MeterStatus, Register, UsageType
from models.premises.entities import MeterChamber, ServicePoint, SupplyVoltage
from models.readings.entities import Reading, ReadingCycle, ReadingOrder
from models.service_orders.entities import ServiceOrder

AS_OF = date(2026, 11, 1)


def fingerprint(session):
    return (session.scalars(sa.select(Customer.name).order_by(Customer.id)).all(),
            session.scalars(sa.select(ServicePoint.spn).order_by(ServicePoint.id)).all(),
            session.scalars(sa.select(Meter.number).order_by(Meter.id)).all())


def test_same_seed_gives_the_same_utility(db):
    runs = []
    for _ in range(2):
        savepoint = db.session.begin_nested()
        load_demo_data(db.session, 60, seed=3, as_of=AS_OF)
        runs.append(fingerprint(db.session))
        savepoint.rollback()
    assert runs[0] == runs[1] and len(runs[0][1]) == 60


def test_demo_utility_is_complete(db):
    counts = load_demo_data(db.session, 400, seed=11, as_of=AS_OF)
    assert counts["service_points"] == counts["contracts"] == 400
    assert counts["meters"] == 400 + 400 // 20 + 50
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeterChamber)) > 0
    installed = db.session.scalar(sa.select(sa.func.count()).where(Meter.status == MeterStatus.INSTALLED))
    assert installed == 400
    versions = db.session.scalar(sa.select(sa.func.count()).select_from(ContractVersion))
    assert versions >= 400


def test_medium_voltage_meters_have_tou_registers_with_factors(db):
    load_demo_data(db.session, 400, seed=5, as_of=AS_OF)
    sp = db.session.scalars(sa.select(ServicePoint).where(ServicePoint.supply_voltage == SupplyVoltage.MEDIUM)).first()
    assert sp is not None
    meter_id = db.session.scalar(sa.text(
        "SELECT meter_id FROM installations WHERE service_point_id = :sp AND meter_id IS NOT NULL"), {"sp": sp.id})
    registers = db.session.scalars(sa.select(Register).where(Register.meter_id == meter_id)).all()
    assert {r.usage_type for r in registers} == {UsageType.ACTIVE_WBP, UsageType.ACTIVE_LWBP, UsageType.REACTIVE,
                                                UsageType.DEMAND}
    assert len({r.multiplier for r in registers}) == 1 and registers[0].multiplier in {40, 80, 200, 800}


def test_demo_data_refuses_a_database_with_data(db, make):
    make.customer()
    with pytest.raises(DomainError, match="already holds customers"):
        load_demo_data(db.session, 10, seed=1)


def test_demo_readings_cover_24_months_with_seasons_estimates_and_cycles(db):
    from models.readings.entities import (
        CycleStatus,
        OrderStatus,
        Reading,
        ReadingCycle,
        ReadingOrder,
        ReadingStatus,
        ReadingType,
    )
    load_demo_data(db.session, 300, seed=7, as_of=AS_OF)
    per_register = db.session.execute(sa.select(sa.func.count()).select_from(Reading)
                                      .where(Reading.reading_type != ReadingType.INSTALLATION)
                                      .group_by(Reading.register_id)).scalars().all()
    assert max(per_register) in (24, 25)              # 24 past months, and this month where already walked
    estimates = db.session.scalars(sa.select(Reading).where(Reading.reading_type == ReadingType.ESTIMATED)).all()
    assert estimates and all(e.status is ReadingStatus.SUPERSEDED and e.superseded_by_id for e in estimates)
    actual = db.session.get(Reading, estimates[0].superseded_by_id)
    assert actual.correction == actual.consumption - estimates[0].consumption
    cycles = db.session.scalars(sa.select(ReadingCycle)).all()
    assert {c.status.value for c in cycles} == {"open", "closed"}
    by_cycle = dict(db.session.execute(sa.select(ReadingCycle.status, sa.func.count(ReadingOrder.id))
                                       .join(ReadingOrder).group_by(ReadingCycle.status)).all())
    assert by_cycle[CycleStatus.OPEN] == by_cycle[CycleStatus.CLOSED]                    # every register, twice
    assert db.session.scalar(sa.select(sa.func.count()).where(ReadingOrder.status == OrderStatus.OPEN)) > 0


def test_demo_residential_use_peaks_in_the_hot_months(db):
    from models.readings.entities import Reading, ReadingType
    load_demo_data(db.session, 300, seed=7, as_of=AS_OF)
    month = sa.func.substr(sa.cast(Reading.read_on, sa.String), 6, 2)
    average = dict(db.session.execute(sa.select(month, sa.func.avg(Reading.consumption)).where(
        Reading.reading_type == ReadingType.ACTUAL, Reading.consumption < 2000).group_by(month)).all())
    assert float(average["10"]) > float(average["07"]) * 1.1 and float(average["04"]) > float(average["01"]) * 1.1


def dated_fingerprint(session):
    def agg(*columns):
        return tuple(session.execute(sa.select(*columns)).one())
    return (agg(sa.func.count(Reading.id), sa.func.sum(Reading.consumption), sa.func.max(Reading.read_on)),
            agg(sa.func.count(ReadingOrder.id), sa.func.sum(ReadingOrder.expected_high)),
            agg(sa.func.count(ReadingCycle.id), sa.func.min(ReadingCycle.period), sa.func.max(ReadingCycle.closed_at)),
            agg(sa.func.min(Meter.next_calibration_due), sa.func.max(Meter.last_calibrated_on)),
            agg(sa.func.count(ServiceOrder.id), sa.func.min(ServiceOrder.planned_on)))


def test_the_same_seed_and_day_give_the_same_demo_whatever_the_clock_says(db, clock):
    runs = []
    for day in (date(2027, 1, 15), date(2027, 9, 3)):
        clock.to(day)
        savepoint = db.session.begin_nested()
        load_demo_data(db.session, 8, seed=4, as_of=AS_OF)
        load_demo_service_orders(db.session, 10, seed=4, as_of=AS_OF)
        runs.append(dated_fingerprint(db.session))
        savepoint.rollback()
    assert runs[0] == runs[1] and runs[0][0][0] > 100 and runs[0][4][0] == 10
