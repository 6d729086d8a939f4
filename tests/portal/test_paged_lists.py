"""Long lists a person works through come a page at a time, with the total and a search; every SPN, meter,
request and order number on a page is a link to its own page."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from models.clock import today
from models.installations.operations import install_meter
from models.meters.entities import Installation, MovementKind
from models.meters.operations import move_meters
from models.readings.cycles import open_cycle
from models.readings.entities import AnomalyCode, Reading, ReadingAnomaly, ReadingCycle, ReadingType
from models.requests.entities import CustomerRequest, RequestType
from models.service_orders.entities import ServiceOrder, ServiceOrderType


def _requests(db, make):
    """120 requests, the last 20 for Budi Santoso; the list shows the newest first."""
    siti, budi, sp = make.customer("Siti Rahayu"), make.customer("Budi Santoso"), make.service_point()
    rows = [CustomerRequest(number=f"RQ-{n:05d}", request_type=RequestType.COMPLAINT, registered_on=today(),
                            registered_by="clerk", customer=budi if n > 100 else siti, service_point=sp)
            for n in range(1, 121)]
    db.session.add_all(rows)
    db.session.commit()
    shown = [f'href="/requests/{r.id}"' for r in reversed(rows)]
    return "/requests/", shown, "q=budi+SANTOSO", shown[:20]


def _service_orders(db, make):
    """120 orders created today, 20 of them at one service point; newest first."""
    one, other = make.service_point(), make.service_point()
    rows = [ServiceOrder(number=f"SO-{n:05d}", order_type=ServiceOrderType.INSPECTION, created_on=today(),
                         service_point=other if n > 100 else one) for n in range(1, 121)]
    db.session.add_all(rows)
    db.session.commit()
    shown = [f'href="/service-orders/{o.id}"' for o in reversed(rows)]
    return "/service-orders/", shown, f"q={other.spn}", shown[:20]


def _cycles(db, make):
    """40 routes (20 east, 20 west) read in three months: latest period first, then by route code."""
    routes = [make.route(code=f"{side}-{n:02d}") for side in ("EAST", "WEST") for n in range(1, 21)]
    periods = [date(2024, month, 1) for month in (3, 2, 1)]
    rows = [ReadingCycle(route=r, period=p, scheduled_on=p) for p in periods for r in routes]
    db.session.add_all(rows)
    db.session.commit()
    shown = [f'href="/readings/cycles/{c.id}"' for c in rows]
    west_1x = [row for row, c in zip(shown, rows, strict=True) if c.route.code.startswith("WEST-1")]
    return "/readings/", shown, "q=west-1", west_1x


def _anomalies(db, make):
    """120 anomalous readings on 120 days, the 20 oldest on a second meter; the newest come first."""
    meters = []
    for _ in range(2):
        meter = make.meter()
        db.session.add(Installation(service_point=make.service_point(), meter=meter,
                                    installed_on=today() - timedelta(days=200)))
        meters.append(meter)
    days = [today() - timedelta(days=n) for n in range(1, 121)]
    for n, day in enumerate(days):
        reading = Reading(register=meters[n >= 100].registers[0], read_on=day, value=D(500), consumption=D(0),
                          reading_type=ReadingType.ACTUAL, by="reader")
        db.session.add(ReadingAnomaly(reading=reading, code=AnomalyCode.ZERO_CONSUMPTION))
    db.session.commit()
    shown = [f"<tr><td>{d}</td>" for d in days]
    return "/reports/reading-anomalies", shown, f"q={meters[1].number}", shown[100:]


LISTS = pytest.mark.parametrize("seed", [_requests, _service_orders, _cycles, _anomalies],
                                ids=["requests", "service orders", "reading cycles", "reading anomalies"])


def _get(client, url, query=""):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    return response.text


@LISTS
def test_a_long_list_comes_a_page_at_a_time_with_its_total(db, client, login, make, seed):
    url, rows, _, _ = seed(db, make)
    login("clerk")
    first, second = _get(client, url), _get(client, url, "page=2")
    assert "Showing 1–50 of 120" in first and rows[0] in first and rows[49] in first and rows[50] not in first
    assert "Showing 51–100 of 120" in second and rows[50] in second and rows[99] in second
    assert rows[49] not in second and rows[100] not in second
    assert 'href="?page=3"' in second and 'rel="prev" href="?page=1"' in second


@LISTS
def test_the_search_narrows_the_total(db, client, login, make, seed):
    url, rows, search, found = seed(db, make)
    login("clerk")
    page = _get(client, url, search)
    assert f"Showing 1–{len(found)} of {len(found)}" in page and all(row in page for row in found)
    assert not any(row in page for row in rows if row not in found)


@LISTS
def test_a_page_past_the_end_is_empty_and_a_page_that_is_no_number_is_the_first(db, client, login, make, seed):
    url, rows, _, _ = seed(db, make)
    login("clerk")
    past = _get(client, url, "page=9")
    assert "Page 9 is past the end of 120" in past and not any(row in past for row in rows)
    assert "Showing 1–50 of 120" in _get(client, url, "page=abc") and rows[0] in _get(client, url, "page=-1")


def test_page_links_keep_the_filters_and_per_page_is_capped(db, client, login, make):
    url, rows, _, _ = _requests(db, make)
    login("clerk")
    page = _get(client, url, "status=registered&q=RQ-&per_page=20")
    assert "Showing 1–20 of 120" in page and 'href="?status=registered&amp;q=RQ-&amp;per_page=20&amp;page=2"' in page
    assert "Showing 1–120 of 120" in _get(client, url, "per_page=100000")
    assert "Showing 1–10 of 10" in _get(client, url, "q=rq-0007")     # part of a number, any case


def test_the_service_order_chart_counts_the_whole_selection_not_the_page(db, client, login, make):
    _service_orders(db, make)
    login("clerk")
    assert '"y":[120]' in _get(client, "/service-orders/", "page=2").replace(" ", "")


@pytest.mark.parametrize("seed", [_service_orders, _anomalies], ids=["service orders", "reading anomalies"])
def test_the_csv_export_has_every_row_whatever_the_page(db, client, login, make, seed):
    url, _, _, _ = seed(db, make)
    login("clerk")
    assert len(_get(client, url, "page=2&per_page=10&format=csv").splitlines()) == 1 + 120


def test_request_and_order_lists_link_their_numbers_and_service_points(db, client, login, make):
    _requests(db, make)
    url, _, _, _ = _service_orders(db, make)
    login("clerk")
    request = db.session.scalar(sa.select(CustomerRequest).where(CustomerRequest.number == "RQ-00001"))
    order = db.session.scalar(sa.select(ServiceOrder).where(ServiceOrder.number == "SO-00120"))
    requests, orders = _get(client, "/requests/", "q=RQ-00001"), _get(client, url, f"q={order.number}")
    assert f'<a href="/requests/{request.id}">RQ-00001</a>' in requests
    assert f'<a href="/service-points/{request.service_point.spn}">{request.service_point.spn}</a>' in requests
    assert f'<a href="/service-orders/{order.id}">{order.number}</a>' in orders
    assert f'<a href="/service-points/{order.service_point.spn}">' in orders


def test_reading_pages_link_meters_and_service_points_without_taking_the_entry_keys(db, client, login, make):
    route, start = make.route(), today().replace(day=1) - timedelta(days=90)
    contract, meter = make.contract(service_point=make.service_point(route=route)), make.meter()
    install_meter(db.session, contract.service_point, meter, start, {"1.8.0": D("100")})
    cycle = open_cycle(db.session, route, today())
    db.session.commit()
    login("clerk")
    spn, number = contract.service_point.spn, meter.number
    entry = _get(client, f"/readings/cycles/{cycle.id}/entry")
    assert f'<a href="/service-points/{spn}" tabindex="-1">{spn}</a>' in entry
    assert f'<a href="/meters/{number}" tabindex="-1">{number}</a>' in entry
    for url in (f"/readings/cycles/{cycle.id}", f"/readings/cycles/{cycle.id}/walk-list"):
        assert f'<a href="/meters/{number}">{number}</a>' in _get(client, url)


def test_anomalies_and_movements_link_the_meter(db, client, login, make):
    _, _, search, _ = _anomalies(db, make)
    store, meter = make.store(), make.meter()
    move_meters(db.session, MovementKind.SEND, [meter.number], store.id, "SJ-9")
    db.session.commit()
    login("clerk")
    number = search.removeprefix("q=")
    assert f'<a href="/meters/{number}">{number}</a>' in _get(client, "/reports/reading-anomalies", search)
    assert f'<a href="/meters/{meter.number}">{meter.number}</a>' in _get(client, "/meters/movements/report")


def test_worklist_links_the_task_request_and_service_point(client, login, request_process):
    request, _ = request_process()
    login("clerk")
    page = _get(client, "/worklist/", "queue=unclaimed")
    assert f'<a href="/requests/{request.id}">{request.number}' in page
    assert f'<a href="/service-points/{request.service_point.spn}">{request.service_point.spn}</a>' in page
