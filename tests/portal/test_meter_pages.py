from datetime import date

import sqlalchemy as sa

from models.audit.recorder import Actor, acting_as
from models.meters.entities import Meter, MeterStatus, StoreKind
from models.meters.operations import move_meters, register_meter_batch
from tests.conftest import csrf_token


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def test_keeper_registers_a_delivery_from_the_form(db, client, login, make):
    store, model = make.store(), make.meter_model()
    login("clerk")
    response = post(client, "/meters/batches/new", {"first_number": "40001", "last_number": "40010",
                                                    "model": model.id, "store": store.id, "delivery_document": "DO-9"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(Meter.number.between("40001", "40010"))) == 10
    assert f"<td>{store.code}</td><td>in store</td><td>10</td>" in client.get("/meters/").text


def test_overlapping_delivery_is_a_form_error(db, client, login, make):
    store, model = make.store(), make.meter_model()
    make.meter(number="40005")
    login("clerk")
    page = post(client, "/meters/batches/new", {"first_number": "40001", "last_number": "40010", "model": model.id,
                                                "store": store.id, "delivery_document": "DO-9"})
    assert page.status_code == 422 and "1 meter number(s) already exist: 40005" in page.text


def test_refused_movement_names_the_meters_and_the_rule(db, client, login, make):
    district = make.store(StoreKind.DISTRICT)
    make.meter(number="40020", status=MeterStatus.INSTALLED)
    login("clerk")
    page = post(client, "/meters/movements/new", {"kind": "send", "store": district.id, "document_no": "SJ-7",
                                                  "meters": "40020"})
    assert page.status_code == 422 and "40020: is installed and cannot be sent" in page.text


def test_movement_report_on_screen_and_as_csv(db, client, login, make):
    central, district, model = make.store(), make.store(StoreKind.DISTRICT), make.meter_model()
    with acting_as(Actor(None, "keeper")):
        register_meter_batch(db.session, 50001, 50003, model.id, central.id, "DO-1", received_on=date(2026, 11, 2))
        move_meters(db.session, "send", ["50001", "50002"], district.id, "SJ-1", moved_on=date(2026, 11, 3))
    db.session.commit()
    login("clerk")
    query = f"date_from=2026-11-03&date_to=2026-11-03&to_store={district.id}"
    assert client.get(f"/meters/movements/report?{query}").text.count("<td>SJ-1</td>") == 2
    csv = client.get(f"/meters/movements/report?{query}&format=csv").text.splitlines()
    assert csv[0].startswith("date,movement,document,meter") and len(csv) == 3
    assert csv[1] == f"2026-11-03,send,SJ-1,50001,Itron,{model.model_code},{central.code},{district.code},keeper,"
    pdf = client.get(f"/meters/movements/report?{query}&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF") and len(pdf.data) > 1500


def test_meter_page_shows_its_movement_history(db, client, login, make):
    central, model = make.store(), make.meter_model()
    register_meter_batch(db.session, 60001, 60001, model.id, central.id, "DO-5")
    db.session.commit()
    login("clerk")
    page = client.get("/meters/60001").text
    assert "<td>receive</td><td>DO-5</td>" in page and "1.8.0" in page
