"""Installing, removing and changing meters with readings of every register."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.errors import DomainError
from models.installations.operations import change_meter, install_meter, parse_readings, remove_meter
from models.meters.entities import MeterStatus, Register, StoreKind, UsageType
from models.readings.entities import Reading, ReadingType


@pytest.fixture
def site(db, make):
    store, lab = make.store(), make.store(StoreKind.LABORATORY)
    sp = make.service_point()
    old = make.meter(number="90001", store=store)
    install_meter(db.session, sp, old, date(2024, 1, 10), {"1.8.0": Decimal("1200")})
    return sp, old, store, lab


def readings_of(db, meter):
    return db.session.execute(sa.select(Reading.reading_type, Reading.read_on, Reading.value)
                              .join(Register).where(Register.meter_id == meter.id).order_by(Reading.id)).all()


def test_installation_makes_the_meter_installed_with_its_reading(db, site):
    sp, old, *_ = site
    assert (old.status, old.store_id) == (MeterStatus.INSTALLED, None)
    assert readings_of(db, old) == [(ReadingType.INSTALLATION, date(2024, 1, 10), Decimal("1200"))]


def test_second_meter_on_a_service_point_is_refused(db, site, make):
    sp, _, store, _ = site
    with pytest.raises(DomainError, match="already has a meter: remove it first"):
        install_meter(db.session, sp, make.meter(number="90002", store=store), date(2024, 2, 1),
                      {"1.8.0": Decimal(0)})


def test_change_keeps_both_meters_readings_and_sends_the_old_one_to_the_lab(db, site, make):
    sp, old, store, lab = site
    new = make.meter(number="90003", store=store)
    change_meter(db.session, sp, new, date(2026, 6, 30), {"1.8.0": Decimal("5310")}, {"1.8.0": Decimal("3")},
                 lab)
    assert readings_of(db, old)[-1] == (ReadingType.REMOVAL, date(2026, 6, 30), Decimal("5310"))
    assert readings_of(db, new) == [(ReadingType.INSTALLATION, date(2026, 6, 30), Decimal("3"))]
    assert (old.status, old.store_id, new.status) == (MeterStatus.IN_LAB, lab.id, MeterStatus.INSTALLED)


def test_readings_must_cover_every_register_and_fit_its_digits(db, site, make):
    sp, old, store, lab = site
    tou = make.meter(number="90004", store=store)
    tou.registers.append(Register(code="3.8.0", usage_type=UsageType.REACTIVE, multiplier=Decimal(40)))
    with pytest.raises(DomainError, match=r"needs a reading of each register \(1.8.0, 3.8.0\)"):
        change_meter(db.session, sp, tou, date(2026, 7, 1), {"1.8.0": Decimal(1)}, {"1.8.0": Decimal(0)}, lab)
    assert _current(db, sp).meter is old          # refused before anything moved
    with pytest.raises(DomainError, match="does not fit a 6-digit register"):
        remove_meter(db.session, _current(db, sp), date(2026, 7, 1), {"1.8.0": Decimal("1000000")}, lab)


def test_removal_before_installation_is_refused(db, site):
    sp, _, _, lab = site
    with pytest.raises(DomainError, match="must not be before the installation on 2024-01-10"):
        remove_meter(db.session, _current(db, sp), date(2023, 12, 31), {"1.8.0": Decimal(1300)}, lab)


def test_readings_text_for_one_or_many_registers(db, site):
    _, old, *_ = site
    assert parse_readings("4521", old) == {"1.8.0": Decimal("4521")}
    with pytest.raises(DomainError, match="is not a reading for each register"):
        parse_readings("lots", old)


def _current(db, sp):
    from models.meters.queries import current_meter_installation
    return current_meter_installation(db.session, sp.id)


def test_control_device_is_installed_at_one_place_at_a_time(db, make):
    from models.installations.operations import install_control_device, remove_control_device
    from models.meters.entities import ControlDevice, ControlDeviceKind
    first, second = make.service_point(), make.service_point()
    breaker = ControlDevice(serial="MCB-1", kind=ControlDeviceKind.CIRCUIT_BREAKER, rating_amperes=Decimal(6))
    db.session.add(breaker)
    installation = install_control_device(db.session, first, breaker, date(2024, 1, 1))
    with pytest.raises(DomainError, match=f"MCB-1 is installed at {first.spn}"):
        install_control_device(db.session, second, breaker, date(2024, 2, 1))
    remove_control_device(db.session, installation, date(2024, 3, 1))
    assert install_control_device(db.session, second, breaker, date(2024, 3, 1)).service_point is second
