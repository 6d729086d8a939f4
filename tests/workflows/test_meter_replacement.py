"""The shipped meter replacement process: order, field result, old meter to the lab, new one active."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.clock import today
from models.errors import DomainError
from models.installations.operations import install_meter
from models.meters.entities import MeterStatus, StoreKind
from models.meters.queries import current_meter_installation
from models.process.entities import InstanceStatus
from models.readings.entities import Reading, ReadingType
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus
from workflows.meter_processes import start_due_replacements, start_meter_replacement


@pytest.fixture
def site(db, make, shipped):
    store, lab = make.store(), make.store(StoreKind.LABORATORY)
    sp = make.service_point()
    old = make.meter(number="95001", store=store, last_calibrated_on=date(2016, 12, 1),
                     next_calibration_due=today() + timedelta(days=10))
    install_meter(db.session, sp, old, date(2020, 5, 1), {"1.8.0": Decimal("100")})
    return sp, old, make.meter(number="95002", store=store), lab


def test_replacement_changes_the_meter_and_keeps_both_readings(db, make, site, work):
    sp, old, new, lab = site
    clerk, _ = make.user("clerk")
    instance = start_meter_replacement(db.session, sp, "display faded")
    order = db.session.scalar(sa.select(ServiceOrder).where(ServiceOrder.service_point_id == sp.id))
    assert (order.order_type.value, order.status) == ("meter_change", ServiceOrderStatus.CREATED)
    work(instance, "ut_field", clerk, changed_on="2026-11-25", old_readings="8812", new_meter_number="95002",
         new_readings="0", lab_store=lab.code, field_note="seal intact")
    assert (old.status, old.store_id, new.status) == (MeterStatus.IN_LAB, lab.id, MeterStatus.INSTALLED)
    assert current_meter_installation(db.session, sp.id).meter is new
    kinds = db.session.execute(sa.select(Reading.reading_type, Reading.value).order_by(Reading.id)).all()
    assert kinds[-2:] == [(ReadingType.REMOVAL, Decimal("8812")), (ReadingType.INSTALLATION, Decimal("0"))]
    assert (order.status, order.result, instance.status) == (ServiceOrderStatus.COMPLETED, "seal intact",
                                                             InstanceStatus.COMPLETED)


def test_wrong_new_meter_parks_the_change_with_a_reason(db, make, site, work):
    sp, old, _, lab = site
    clerk, _ = make.user("clerk")
    instance = start_meter_replacement(db.session, sp, "test")
    work(instance, "ut_field", clerk, changed_on="2026-11-25", old_readings="8812", new_meter_number="NOPE",
         new_readings="0", lab_store=lab.code)
    assert (instance.status, instance.error_element) == (InstanceStatus.ERROR, "sv_change")
    assert "no meter with number NOPE" in instance.error_message and old.status is MeterStatus.INSTALLED


def test_calibration_falling_due_starts_one_replacement_per_site(db, site):
    sp, *_ = site
    first = start_due_replacements(db.session, within_days=30)
    assert len(first) == 1 and start_due_replacements(db.session, within_days=30) == []
    with pytest.raises(DomainError, match="already has a meter replacement running"):
        start_meter_replacement(db.session, sp, "again")
