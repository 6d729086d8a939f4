"""Telephone readings: an implausible value is asked back before it is saved; a saved one answers the open order."""
from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from models.clock import today
from models.installations.operations import install_meter
from models.readings.cycles import open_cycle
from models.readings.entities import OrderStatus, Reading, ReadingType
from models.readings.operations import record_reading
from tests.conftest import csrf_token

START = today() - timedelta(days=100)


@pytest.fixture
def site(db, make):
    """A meter on a route, read twice at 10 kWh a day: today's expected range is about 1,680–2,800."""
    contract = make.contract(service_point=make.service_point(route=make.route(scheduled_day=1)))
    meter = make.meter()
    install_meter(db.session, contract.service_point, meter, START, {"1.8.0": D("1000")})
    for month in (1, 2):
        record_reading(db.session, meter.registers[0], START + timedelta(days=30 * month), D(1000 + 300 * month),
                       ReadingType.ACTUAL)
    db.session.commit()
    return contract.service_point, meter.registers[0]


def phone(client, sp, register, value, **extra):
    url = f"/service-points/{sp.spn}"
    return client.post(f"{url}/phone-reading", data={"register": register.id, "value": value, "caller": "Ibu Sari",
                                                     "csrf_token": csrf_token(client, url), **extra})


def customer_readings(db):
    return db.session.scalars(sa.select(Reading).where(Reading.reading_type == ReadingType.CUSTOMER)).all()


def test_implausible_value_is_asked_back_and_saved_only_when_confirmed(db, client, login, site):
    login("clerk")
    asked = phone(client, *site, "99999")
    assert asked.status_code == 422 and customer_readings(db) == []
    assert "Value: 99999 is outside the expected" in asked.text and "not saved; check it with the caller" in asked.text
    assert 'name="confirm" id="phone-confirm" value="99999"' in asked.text and 'required value="Ibu Sari"' in asked.text
    assert phone(client, *site, "99990", confirm="99999").status_code == 422     # another value: asked again
    assert phone(client, *site, "99999", confirm="99999").status_code == 302
    assert [r.value for r in customer_readings(db)] == [D("99999")]


def test_value_below_the_previous_reading_is_asked_back(db, client, login, site):
    login("clerk")
    asked = phone(client, *site, "1500")
    assert asked.status_code == 422 and "below the previous reading 1600" in asked.text
    assert customer_readings(db) == []


def test_plausible_value_is_saved_at_once(db, client, login, site):
    login("clerk")
    page = client.get(phone(client, *site, "2000").headers["Location"]).text
    assert "Reading 2000 of 1.8.0 recorded." in page
    assert [(r.value, r.consumption) for r in customer_readings(db)] == [(D("2000"), D("400"))]


def test_phone_reading_answers_the_open_order_of_an_open_cycle(db, client, login, site):
    sp, register = site
    cycle = open_cycle(db.session, sp.route, today())
    db.session.commit()
    login("clerk")
    assert phone(client, sp, register, "2000").status_code == 302
    order = cycle.orders[0]
    assert (order.status, order.reading.value, order.reading.reading_type) == (
        OrderStatus.READ, D("2000"), ReadingType.CUSTOMER)


def test_route_entry_replaces_a_confirmed_misheard_reading_instead_of_following_it(db, client, login, site):
    from models.readings.cycles import enter_order_reading, reading_day
    sp, register = site
    cycle = open_cycle(db.session, sp.route, today())
    db.session.commit()
    login("clerk")
    phone(client, sp, register, "99999", confirm="99999")
    day = reading_day(cycle)
    used = 10 * (day - cycle.orders[0].previous_on).days          # just the register's average
    actual = enter_order_reading(db.session, cycle.orders[0], str(1600 + used), "", day)
    assert (actual.consumption, actual.anomalies, customer_readings(db)) == (D(used), [], [])
