import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from models.installations.operations import install_meter
from models.meters.entities import StoreKind
from models.service_orders.entities import ServiceOrder, ServiceOrderStatus
from models.statuses import status_history
from tests.conftest import csrf_token


def post(client, url, data, page="/service-orders/new"):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)})


def test_clerk_creates_assigns_and_completes_a_service_order(db, client, login, make):
    sp = make.service_point()
    clerk = login("clerk")
    response = post(client, "/service-orders/new",
                    {"order_type": "inspection", "spn": sp.spn, "planned_on": "2026-12-03"})
    assert response.status_code == 302
    order = db.session.scalar(sa.select(ServiceOrder))
    post(client, f"/service-orders/{order.id}/status", {"status": "assigned", "crew": "Crew Bandung 2"})
    post(client, f"/service-orders/{order.id}/status", {"status": "in_progress"})
    post(client, f"/service-orders/{order.id}/status", {"status": "completed", "result": "seal replaced"})
    assert (order.status, order.crew, order.result) == (ServiceOrderStatus.COMPLETED, "Crew Bandung 2", "seal replaced")
    page = client.get(f"/service-orders/{order.id}").text
    assert "in_progress → <b>completed</b>" in page
    assert {change.by for change in status_history(db.session, "service_order", order.id)} == {clerk.email}


def test_wrong_order_move_is_refused_with_the_allowed_ones(db, client, login, make):
    sp = make.service_point()
    login("clerk")
    post(client, "/service-orders/new", {"order_type": "inspection", "spn": sp.spn})
    order = db.session.scalar(sa.select(ServiceOrder))
    response = post(client, f"/service-orders/{order.id}/status", {"status": "completed"})
    page = client.get(response.headers["Location"]).text
    assert "cannot move from created to completed; allowed next: assigned, cancelled, in_progress" in page


def test_report_with_chart_and_csv(db, client, login, make):
    sp = make.service_point()
    login("clerk")
    for kind in ("inspection", "inspection", "survey"):
        post(client, "/service-orders/new", {"order_type": kind, "spn": sp.spn})
    page = client.get("/service-orders/").text
    assert 'id="service-order-chart"' in page and page.count("<td>inspection</td>") == 2
    csv = client.get("/service-orders/?type=inspection&format=csv").text.splitlines()
    assert csv[0].startswith("number,type,status,spn,area") and len(csv) == 3


def test_service_point_page_shows_devices_and_history(db, client, login, make):
    store = make.store()
    sp = make.service_point()
    meter = make.meter(number="97001", store=store)
    install_meter(db.session, sp, meter, date(2025, 3, 1), {"1.8.0": Decimal("42")})
    db.session.commit()
    login("clerk")
    page = client.get(f"/service-points/{sp.spn}").text
    assert "meter 97001</a></td><td>2025-03-01" in page and re.search(r">42</td>\s*<td>installation</td>", page)


def test_clerk_starts_a_meter_replacement_from_the_service_point(db, client, login, make, shipped):
    store, _ = make.store(), make.store(StoreKind.LABORATORY)
    sp = make.service_point()
    install_meter(db.session, sp, make.meter(number="97002", store=store), date(2025, 3, 1),
                  {"1.8.0": Decimal("1")})
    db.session.commit()
    login("clerk")
    url = f"/service-points/{sp.spn}"
    response = client.post(f"{url}/replace-meter",
                           data={"reason": "broken glass", "csrf_token": csrf_token(client, url)})
    assert "Meter replacement started" in client.get(response.headers["Location"]).text
    order_type = db.session.scalar(sa.select(ServiceOrder.order_type).where(ServiceOrder.service_point_id == sp.id))
    assert order_type.value == "meter_change"


def test_install_then_remove_a_meter_from_the_service_point_page(db, client, login, make):
    store, lab = make.store(), make.store(StoreKind.LABORATORY)
    sp = make.service_point()
    meter = make.meter(number="97100", store=store)
    login("clerk")
    url = f"/service-points/{sp.spn}"
    post(client, f"{url}/install-meter", {"meter": "97100", "on": "2025-01-02", "readings": "7"}, page=url)
    assert meter.status.value == "installed"
    bad = post(client, f"{url}/remove-meter", {"on": "2025-06-01", "readings": "x", "store": lab.id}, page=url)
    assert "is not a reading for each register" in client.get(bad.headers["Location"]).text
    post(client, f"{url}/remove-meter", {"on": "2025-06-01", "readings": "2040", "store": lab.id}, page=url)
    assert (meter.status.value, meter.store_id) == ("in_lab", lab.id)
    assert "<td>2025-01-02</td><td>2025-06-01</td>" in client.get(url).text


def test_customer_reading_by_telephone_is_recorded_with_the_caller(db, client, login, make):
    from models.readings.entities import Reading, ReadingType
    contract = make.contract()
    meter = make.meter(number="97200", store=make.store())
    install_meter(db.session, contract.service_point, meter, date(2026, 1, 5), {"1.8.0": Decimal("10")})
    db.session.commit()
    login("clerk")
    url = f"/service-points/{contract.service_point.spn}"
    data = {"register": meter.registers[0].id, "value": "160", "on": "2026-02-05", "caller": "Ibu Sari"}
    page = client.get(post(client, f"{url}/phone-reading", data, page=url).headers["Location"]).text
    assert "Reading 160 of 1.8.0 recorded." in page and "customer (phone: Ibu Sari)" in page
    reading = db.session.scalar(sa.select(Reading).where(Reading.reading_type == ReadingType.CUSTOMER))
    assert (reading.consumption, reading.source) == (Decimal("150"), "phone: Ibu Sari")
    refused = post(client, f"{url}/phone-reading", data | {"value": "lots"}, page=url)
    assert "Value: &#39;lots&#39; is not a number" in client.get(refused.headers["Location"]).text
