"""The shipped meter calibration process end to end: the meter's status after each task."""
import pytest
import sqlalchemy as sa

from models.errors import DomainError
from models.meters.entities import Calibration, MeterStatus, StoreKind
from models.process.entities import InstanceStatus
from workflows.meter_processes import start_calibrations


@pytest.fixture
def calibration(db, make, shipped):
    store, lab = make.store(), make.store(StoreKind.LABORATORY)
    meter = make.meter(number="80001", store=store)
    clerk, _ = make.user("clerk")
    [instance] = start_calibrations(db.session, ["80001"], lab.code, store.code)
    return meter, instance, clerk, store, lab


def test_passing_meter_goes_to_the_lab_and_back_with_a_new_due_date(db, calibration, work):
    meter, instance, clerk, store, lab = calibration
    work(instance, "ut_dispatch", clerk, document_no="SJ-CAL-1")
    assert (meter.status, meter.in_transit_to_id) == (MeterStatus.IN_TRANSIT, lab.id)
    work(instance, "ut_receive_lab", clerk)
    assert (meter.status, meter.store_id) == (MeterStatus.IN_LAB, lab.id)
    work(instance, "ut_test", clerk, passed="true", tested_on="2026-11-20", certificate="CERT-0042")
    assert (str(meter.last_calibrated_on), str(meter.next_calibration_due)) == ("2026-11-20", "2036-11-20")
    work(instance, "ut_return", clerk, return_document="SJ-CAL-2")
    work(instance, "ut_receive_store", clerk)
    assert (meter.status, meter.store_id, instance.status) == (MeterStatus.IN_STORE, store.id, InstanceStatus.COMPLETED)
    assert db.session.scalar(sa.select(Calibration.certificate).where(Calibration.meter_id == meter.id)) == "CERT-0042"


def test_failing_meter_is_rejected_then_scrapped(db, calibration, work):
    meter, instance, clerk, *_ = calibration
    work(instance, "ut_dispatch", clerk, document_no="SJ-CAL-3")
    work(instance, "ut_receive_lab", clerk)
    work(instance, "ut_test", clerk, passed="false", tested_on="2026-11-21", remarks="creeps at no load")
    assert meter.status is MeterStatus.REJECTED
    work(instance, "ut_scrap", clerk, scrap_note="beyond repair")
    assert (meter.status, instance.status) == (MeterStatus.SCRAPPED, InstanceStatus.COMPLETED)


def test_pass_without_certificate_parks_the_step_for_a_fix(db, calibration, work):
    meter, instance, clerk, *_ = calibration
    work(instance, "ut_dispatch", clerk, document_no="SJ-CAL-4")
    work(instance, "ut_receive_lab", clerk)
    work(instance, "ut_test", clerk, passed="true", tested_on="2026-11-21")
    assert (instance.status, instance.error_element) == (InstanceStatus.ERROR, "sv_record")
    assert "certificate" in instance.error_message and meter.status is MeterStatus.IN_LAB


def test_installed_or_busy_meters_do_not_start(db, calibration, make):
    meter, _, clerk, store, lab = calibration
    make.meter(number="80002", status=MeterStatus.INSTALLED, store=None)
    with pytest.raises(DomainError) as info:
        start_calibrations(db.session, ["80001", "80002", "80003"], lab.code, store.code)
    assert info.value.message == ("no calibration started; 80001: already has a calibration running; "
                                  "80002: is installed, not in a store; 80003: no such meter")
