"""Recording readings against the register's context: installation, contract, history, duplicates."""
from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from models.clock import today
from models.errors import DomainError
from models.installations.operations import install_meter
from models.readings.entities import AnomalyCode, Reading, ReadingRule, ReadingStatus, ReadingType
from models.readings.operations import record_reading
from models.types import add_months

BASE = add_months(today().replace(day=1), -8)      # inside the twelve-month history window, never ahead


def on(month: int, day: int) -> date:
    """Day `day` of the fixture's month `month` (1 = the installation month)."""
    return add_months(BASE, month - 1).replace(day=day)


@pytest.fixture
def register(db, make):
    contract = make.contract()
    meter = make.meter(number="96001", multiplier="2")
    install_meter(db.session, contract.service_point, meter, on(1, 1), {"1.8.0": D("100")})
    return meter.registers[0]


def read(db, register, day, value, **kw):
    return record_reading(db.session, register, day, D(value), kw.pop("kind", ReadingType.ACTUAL), **kw)


def test_consumption_since_the_installation_reading_times_the_multiplier(db, register):
    reading = read(db, register, on(2, 1), "250")
    assert (reading.consumption, reading.status, reading.anomalies) == (D("300"), ReadingStatus.VALID, [])


def test_duplicate_reading_is_refused(db, register):
    read(db, register, on(2, 1), "250")
    with pytest.raises(DomainError, match=f"already has an actual reading on {on(2, 1)}"):
        read(db, register, on(2, 1), "260")


def test_reading_before_the_installation_is_refused(db, register):
    with pytest.raises(DomainError, match=f"before the meter's installation on {on(1, 1)}"):
        read(db, register, date(2025, 12, 31), "90")


def test_negative_consumption_is_held_as_an_anomaly(db, register):
    reading = read(db, register, on(2, 1), "50")
    assert reading.status is ReadingStatus.ANOMALY and reading.consumption is None
    assert [a.code for a in reading.anomalies] == [AnomalyCode.NEGATIVE_CONSUMPTION]


def test_reader_note_becomes_an_anomaly(db, register):
    reading = read(db, register, on(2, 1), "100", notes=(AnomalyCode.NO_ACCESS,))
    assert {a.code for a in reading.anomalies} == {AnomalyCode.NO_ACCESS, AnomalyCode.ZERO_CONSUMPTION}


def test_history_band_uses_the_tariff_class_rule(db, register):
    for month, value in ((2, "250"), (3, "400"), (4, "550")):          # 300 per month, about 10 per day
        read(db, register, on(month, 1), value)
    db.session.add(ReadingRule(tariff_class="R-1", high_factor=D("1.5"), low_factor=D("0.5"), stopped_periods=3))
    db.session.flush()
    spike = read(db, register, on(5, 1), "800")     # 250 x 2 = 500 > 1.5 x (10 x 30 days)
    assert [a.code for a in spike.anomalies] == [AnomalyCode.HIGH_CONSUMPTION]


def test_customer_reading_by_telephone_is_its_own_type(db, register):
    reading = read(db, register, on(2, 1), "180", kind=ReadingType.CUSTOMER, source="phone: Ibu Sari")
    assert (reading.reading_type, reading.source, reading.consumption) == (ReadingType.CUSTOMER, "phone: Ibu Sari",
                                                                            D("160"))


def test_a_demand_register_reading_stands_alone(db, make):
    from models.meters.entities import Register, UsageType
    contract = make.contract()
    meter = make.meter(number="96002", multiplier="40")
    meter.registers.append(Register(code="1.6.0", usage_type=UsageType.DEMAND, multiplier=D("40")))
    install_meter(db.session, contract.service_point, meter, on(1, 1), {"1.8.0": D("0"), "1.6.0": D("0")})
    demand = next(r for r in meter.registers if r.code == "1.6.0")
    first, lower = read(db, demand, on(2, 1), "5.5"), read(db, demand, on(3, 1), "4.25")
    assert (first.consumption, lower.consumption, lower.status) == (D("220"), D("170"), ReadingStatus.VALID)


def test_a_reading_dated_in_the_future_is_refused(db, register):
    from datetime import timedelta
    with pytest.raises(DomainError, match="is in the future"):
        read(db, register, today() + timedelta(days=1), "300")


def test_meter_change_bills_the_old_meter_to_its_removal_and_the_new_from_its_installation(db, make, register):
    from models.installations.operations import change_meter
    from models.meters.entities import Installation, StoreKind
    read(db, register, on(2, 1), "250")                              # (250 - 100) x 2 = 300
    site = db.session.scalar(sa.select(Installation).where(Installation.meter_id == register.meter_id)).service_point
    new = make.meter(number="96003")
    change_meter(db.session, site, new, on(2, 20), {"1.8.0": D("290")}, {"1.8.0": D("7")},
                 make.store(StoreKind.LABORATORY))
    removal = db.session.scalar(sa.select(Reading).where(Reading.reading_type == ReadingType.REMOVAL))
    assert removal.consumption == D("80")                                     # (290 - 250) x 2 on the old meter
    after = read(db, new.registers[0], on(3, 1), "57")
    assert after.consumption == D("50")                                       # 57 - 7 on the new meter, x 1
