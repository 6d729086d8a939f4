"""The calibration inquiry's month counts on a hand-built data set whose counts are known."""
from datetime import date
from decimal import Decimal

import pytest

from models.meters.entities import MeterStatus, Register, UsageType
from reports.queries import calibration_due_by_month, calibration_due_in_month


@pytest.fixture
def due(db, make):
    a, b = make.store(), make.store()
    plan = [("F1", a, date(2027, 2, 3)), ("F2", a, date(2027, 2, 28)), ("F3", b, date(2027, 2, 14)),
            ("M1", a, date(2027, 3, 1)), ("M2", b, date(2027, 3, 15)), ("M3", b, date(2027, 3, 31)),
            ("D0", a, date(2026, 12, 31)), ("J8", a, date(2028, 1, 1))]
    for number, store, on in plan:
        make.meter(number=number, store=store, last_calibrated_on=date(2017, 1, 1), next_calibration_due=on)
    make.meter(number="SCRAP", status=MeterStatus.SCRAPPED, store=None, next_calibration_due=date(2027, 2, 10))
    tou = make.meter(number="TOU1", store=b, next_calibration_due=date(2027, 4, 20))
    tou.registers.append(Register(code="3.8.0", usage_type=UsageType.REACTIVE, multiplier=Decimal(40)))
    db.session.flush()
    return a, b


def test_counts_per_month_of_the_year(db, due):
    assert calibration_due_by_month(db.session, 2027) == [0, 3, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0]


def test_store_type_of_use_and_interval_narrow_the_counts(db, due):
    a, b = due
    assert calibration_due_by_month(db.session, 2027, store_id=b.id)[:4] == [0, 1, 2, 1]
    assert calibration_due_by_month(db.session, 2027, usage="reactive")[:4] == [0, 0, 0, 1]
    assert calibration_due_by_month(db.session, 2027, date_from=date(2027, 2, 15))[:4] == [0, 1, 3, 1]


def test_a_month_lists_its_meters_in_due_order(db, due):
    assert [r.number for r in calibration_due_in_month(db.session, 2027, 3)] == ["M1", "M2", "M3"]


def test_page_chart_drilldown_and_exports(db, client, login, due):
    login("clerk")
    page = client.get("/reports/calibration?year=2027&month=2").text
    assert 'id="calibration-chart"' in page and "Feb 2027: 3 meter(s)" in page
    assert page.count('<td><a href="/meters/F') == 3 and "/meters/SCRAP" not in page
    months = client.get("/reports/calibration?year=2027&format=csv").text.splitlines()
    assert months[0] == "month,meters" and months[2] == "Feb,3" and months[3] == "Mar,3"
    listing = client.get("/reports/calibration?year=2027&month=3&format=csv").text.splitlines()
    assert [line.split(",")[0] for line in listing[1:]] == ["M1", "M2", "M3"]
