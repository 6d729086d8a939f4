"""/readings: cycles, entry saves, walk list round trip through an upload, reports."""
import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from models.clock import today
from models.installations.operations import install_meter
from models.readings.cycles import reading_day
from models.readings.entities import ImportStatus, OrderStatus, ReadingCycle, ReadingImport, ReadingType
from models.readings.operations import record_reading
from tests.conftest import csrf_token

START = today().replace(day=1) - timedelta(days=120)


@pytest.fixture
def route(db, make):
    route = make.route(scheduled_day=3)
    for n in (1, 2):
        contract = make.contract(service_point=make.service_point(route=route, reading_sequence=n))
        meter = make.meter(number=f"7200{n}")
        install_meter(db.session, contract.service_point, meter, START, {"1.8.0": D("100")})
        record_reading(db.session, meter.registers[0], START + timedelta(days=60), D("700"), ReadingType.ACTUAL)
    db.session.commit()
    return route


def open_cycle(client, route):
    token = csrf_token(client, "/readings/")
    client.post("/readings/cycles", data={"route": route.id, "period": today().strftime("%Y-%m"),
                                          "csrf_token": token})


def test_clerk_opens_a_cycle_and_saves_readings_from_the_entry_screen(db, client, login, route):
    login("clerk")
    open_cycle(client, route)
    cycle = db.session.scalar(sa.select(ReadingCycle))
    token = csrf_token(client, f"/readings/cycles/{cycle.id}/entry")
    url = f"/readings/orders/{cycle.orders[0].id}"
    saved = client.post(url, json={"value": "1000"}, headers={"X-CSRFToken": token})
    assert saved.status_code == 200 and saved.json["consumption"] == "300" and saved.json["status"] == "read"
    bad = client.post(url, json={"value": "1o00"}, headers={"X-CSRFToken": token})
    assert (bad.status_code, bad.json["field"], bad.json["message"]) == (422, "value", "'1o00' is not a number")
    assert cycle.orders[0].reading.value == D("1000")


@pytest.mark.parametrize("day,read_on", [(1, 1), (3, 3), (28, 3)])
def test_a_reading_entered_without_a_date_is_dated_today_until_the_scheduled_day_has_come(
        db, client, login, route, clock, day, read_on):
    clock.to(today().replace(day=day))          # the route is scheduled on the 3rd
    login("clerk")
    open_cycle(client, route)
    cycle = db.session.scalar(sa.select(ReadingCycle))
    token = csrf_token(client, f"/readings/cycles/{cycle.id}/entry")
    saved = client.post(f"/readings/orders/{cycle.orders[0].id}", json={"value": "1000"},
                        headers={"X-CSRFToken": token})
    assert saved.status_code == 200, saved.json
    assert cycle.orders[0].reading.read_on == today().replace(day=read_on)


def test_a_reading_dated_after_today_is_refused_on_the_entry_screen(db, client, login, route, clock):
    clock.to(today().replace(day=1))
    login("clerk")
    open_cycle(client, route)
    cycle = db.session.scalar(sa.select(ReadingCycle))
    token = csrf_token(client, f"/readings/cycles/{cycle.id}/entry")
    refused = client.post(f"/readings/orders/{cycle.orders[0].id}", json={"value": "1000", "read_on":
                          str(cycle.scheduled_on)}, headers={"X-CSRFToken": token})
    assert (refused.status_code, refused.json["field"]) == (422, "date")
    assert "in the future" in refused.json["message"] and cycle.orders[0].reading is None


def test_walk_list_csv_comes_back_filled_in_through_the_upload(db, client, login, route):
    login("clerk")
    open_cycle(client, route)
    cycle = db.session.scalar(sa.select(ReadingCycle))
    lines = client.get(f"/readings/cycles/{cycle.id}/walk-list?format=csv").text.splitlines()
    assert lines[0].startswith("route,sequence,spn") and len(lines) == 3
    filled = "\n".join([lines[0], lines[1].replace(",,,actual,", f",{reading_day(cycle)},900,actual,"),
                        lines[2].replace(",,,actual,", ",,,actual,dangerous_dog")])      # a note, no reading
    response = client.post("/readings/imports", data={"csrf_token": csrf_token(client, "/readings/"),
                                                      "file": (io.BytesIO(filled.encode()), "walk.csv")})
    job = db.session.scalar(sa.select(ReadingImport))
    assert response.headers["Location"].endswith(f"/readings/imports/{job.id}")
    state = client.get(f"/readings/imports/{job.id}?format=json").json
    summary = state["summary"]
    assert (state["status"], summary["readings"], summary["orders_answered"], summary["orders_noted"]) == (
        "done", 1, 1, 1)
    assert [(o.status, o.remark) for o in cycle.orders] == [(OrderStatus.READ, None),
                                                            (OrderStatus.OPEN, "dangerous_dog")]


def test_a_refused_upload_lists_its_problems_and_writes_nothing(db, client, login, route):
    login("clerk")
    bad = b"100,NEM12,200405011135,MDA1,Ret1\n900\n"
    client.post("/readings/imports", data={"csrf_token": csrf_token(client, "/readings/"),
                                           "file": (io.BytesIO(bad), "empty.csv")})
    job = db.session.scalar(sa.select(ReadingImport))
    state = client.get(f"/readings/imports/{job.id}?format=json").json
    assert job.status is ImportStatus.REFUSED and state["summary"]["problems"] == [
        "row 0: the file holds no meter data (no 300 or 250 records)"]
    page = client.get(f"/readings/imports/{job.id}").text
    assert "Import of empty.csv" in page and "reading-import.js" in page


def test_close_estimates_and_reports_show_completeness_and_anomalies(db, client, login, route):
    login("clerk")
    open_cycle(client, route)
    cycle = db.session.scalar(sa.select(ReadingCycle))
    token = csrf_token(client, f"/readings/cycles/{cycle.id}")
    client.post(f"/readings/orders/{cycle.orders[0].id}", json={"value": "650"}, headers={"X-CSRFToken": token})
    page = client.get(client.post(f"/readings/cycles/{cycle.id}/close", data={"csrf_token": token})
                      .headers["Location"]).text
    assert "1 estimated, 0 not read" in page
    completeness = client.get("/reports/reading-completeness?format=csv").text.splitlines()
    assert completeness[1].endswith(",2,1,1,0,0,50.0")
    anomalies = client.get("/reports/reading-anomalies?group=route").text
    assert 'id="anomaly-chart"' in anomalies and "negative consumption" in anomalies
