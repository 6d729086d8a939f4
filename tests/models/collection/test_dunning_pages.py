"""/collection/dunning: the overdue list with stages and protection, a service point's page, arranging."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models.clock import today
from models.collection.dunning_entities import PaymentArrangement
from models.premises.entities import Protection
from tests.conftest import csrf_token


@pytest.fixture
def overdue(db, issue, clock, contract):
    bill = issue(5)
    clock.to(bill.due_on + timedelta(days=2))
    contract.service_point.protected = Protection.HOSPITAL
    db.session.commit()
    return contract.service_point


def test_the_list_shows_overdue_service_points_and_why_they_are_protected(client, login, overdue):
    login("clerk")
    page = client.get("/collection/dunning/")
    assert page.status_code == 200
    assert overdue.spn in page.text and "267,847.00" in page.text and "hospital" in page.text
    detail = client.get(f"/collection/dunning/{overdue.spn}")
    assert "Protected service point: <b>hospital</b>" in detail.text
    assert "never gets a disconnection order" in detail.text


def test_an_arrangement_is_made_in_equal_instalments(db, client, login, overdue):
    login("clerk")
    url = f"/collection/dunning/{overdue.spn}"
    first = (today() + timedelta(days=30)).isoformat()
    answer = client.post(f"{url}/arrangements", data={"csrf_token": csrf_token(client, url), "down_payment": "67847",
                                                      "instalments": "3", "first_due_on": first})
    assert answer.status_code == 302
    arrangement = db.session.scalar(sa.select(PaymentArrangement))
    assert [str(i.amount) for i in arrangement.instalments] == ["67847.00", "66666.66", "66666.66", "66666.68"]


@pytest.mark.parametrize("data, message", [
    ({"down_payment": "abc", "instalments": "3"}, "down_payment"),
    ({"down_payment": "0", "instalments": "0"}, "instalments"),
    ({"down_payment": "300000", "instalments": "2"}, "must be less than what is overdue"),
    ({"down_payment": "0", "instalments": "2", "first_due_on": "not a date"}, "first_due_on"),
])
def test_bad_input_is_a_form_error_and_writes_nothing(db, client, login, overdue, data, message):
    login("clerk")
    url = f"/collection/dunning/{overdue.spn}"
    data = {"first_due_on": (today() + timedelta(days=30)).isoformat(), **data}
    answer = client.post(f"{url}/arrangements", data={"csrf_token": csrf_token(client, url), **data})
    assert answer.status_code == 422 and (message in answer.text or f'id="f-{message}"' in answer.text)
    assert db.session.scalar(sa.select(sa.func.count(PaymentArrangement.id))) == 0


def test_an_unknown_service_point_is_a_404(client, login):
    login("clerk")
    assert client.get("/collection/dunning/NOPE123").status_code == 404
