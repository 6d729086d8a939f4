"""The crew's result on a dunning order moves its collection case on, from whichever path ended the order (the
operation, the service-order page, any commit), and the case's own task does not ask again; a protected service
point never gets a disconnection order, not by hand either."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.clock import now_utc, today
from models.collection.entities import PaymentChannel, PaymentMethod
from models.collection.operations import post_payment
from models.collection.queries import Payer
from models.errors import DomainError
from models.premises.entities import Protection, ServicePointStatus
from models.process.entities import InstanceStatus, ProcessInstance, TaskState
from models.service_orders.entities import ServiceOrder, ServiceOrderType
from models.service_orders.entities import ServiceOrderStatus as S
from models.service_orders.operations import change_service_order_status, create_service_order
from tests.conftest import csrf_token
from workflows.collection import on_field_results, on_payments, start_dunning
from workflows.runtime import fire_timers


@pytest.fixture
def ordered(db, issue, clock, shipped):
    """A case 21 days on: reminder, warning, and the disconnection order waiting for the crew."""
    bill = issue(5)
    clock.to(bill.due_on + timedelta(days=1))
    [instance_id] = start_dunning(db.session)
    instance = db.session.get(ProcessInstance, instance_id)
    for days in (14, 7):
        clock.to(now_utc() + timedelta(days=days, minutes=1))
        assert fire_timers(db.session, instance.id)
    return instance, _order(db, instance, ServiceOrderType.DISCONNECTION)


def _order(db, instance, kind):
    return db.session.scalar(sa.select(ServiceOrder).where(
        ServiceOrder.service_point_id == instance.object_id, ServiceOrder.order_type == kind))


def _crew(db, order, target=S.COMPLETED, result="cut at the pole"):
    change_service_order_status(db.session, order, S.IN_PROGRESS)
    change_service_order_status(db.session, order, target, result=result)
    return on_field_results(db.session, [order.id])


def _open(instance):
    return [t.bpmn_id for t in instance.tasks if t.state is TaskState.OPEN]


def _pay(db, customer, amount):
    post_payment(db.session, Payer.of(customer), channel=PaymentChannel.PARTNER, method=PaymentMethod.TRANSFER,
                 reference=f"P-{amount}", amount=Decimal(amount), paid_on=today())
    return on_payments(db.session, [customer.id])


def test_the_crew_completing_the_order_disconnects_and_the_task_does_not_ask_again(db, ordered, contract):
    instance, order = ordered
    assert _open(instance) == ["ut_disconnect"]
    assert _crew(db, order) == [instance.id]
    assert contract.service_point.status is ServicePointStatus.DISCONNECTED
    [task] = instance.tasks
    assert task.state is TaskState.COMPLETED
    assert task.form_data == {"disconnected": True, "field_note": "cut at the pole"}
    assert _open(instance) == [] and instance.waiting_messages == ["payment_received"]


def test_a_failed_order_gives_the_clerk_the_follow_up(db, ordered, contract):
    instance, order = ordered
    assert _crew(db, order, S.FAILED, "dog in the yard") == [instance.id]
    assert contract.service_point.status is ServicePointStatus.ACTIVE
    assert _open(instance) == ["ut_not_done"]


def test_the_crew_reconnects_after_the_payment_and_the_case_ends(db, ordered, contract, customer):
    instance, order = ordered
    _crew(db, order)
    assert _pay(db, customer, "267847").told == [instance.id]
    reconnection = _order(db, instance, ServiceOrderType.RECONNECTION)
    assert _crew(db, reconnection, S.FAILED, "no access") == [] and _open(instance) == ["ut_reconnect"]
    change_service_order_status(db.session, reconnection, S.CREATED)
    assert _crew(db, reconnection, result="power back") == [instance.id]
    assert contract.service_point.status is ServicePointStatus.ACTIVE
    assert instance.status is InstanceStatus.COMPLETED and _open(instance) == []


def test_any_commit_that_ends_the_order_moves_the_case_on(db, ordered, contract):
    instance, order = ordered
    change_service_order_status(db.session, order, S.IN_PROGRESS)
    change_service_order_status(db.session, order, S.COMPLETED, result="done")
    db.session.commit()                          # the before_commit hook, without the edge calling anything
    assert contract.service_point.status is ServicePointStatus.DISCONNECTED and _open(instance) == []


def test_the_clerks_task_still_completes_the_order_once(db, make, ordered, contract, work):
    instance, order = ordered
    clerk, _ = make.user("clerk")
    work(instance, "ut_disconnect", clerk, disconnected="true", field_note="")
    assert order.status is S.COMPLETED and on_field_results(db.session, [order.id]) == []
    assert contract.service_point.status is ServicePointStatus.DISCONNECTED


def test_the_service_order_page_moves_the_case_on(db, client, login, ordered, contract):
    instance, order = ordered
    login("clerk")
    url = f"/service-orders/{order.id}"
    assert f"#{instance.id}" in client.get(url).text
    for status in ("in_progress", "completed"):
        response = client.post(f"{url}/status", data={"status": status, "result": "cut",
                                                      "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert f"Collection case #{instance.id} recorded the result." in response.text
    assert contract.service_point.status is ServicePointStatus.DISCONNECTED and _open(instance) == []


def test_a_protected_service_point_never_gets_a_disconnection_order(db, make):
    sp = make.service_point()
    sp.protected = Protection.LIFE_SUPPORT
    with pytest.raises(DomainError, match=r"no disconnection: protected service point \(life support\)"):
        create_service_order(db.session, ServiceOrderType.DISCONNECTION, service_point_id=sp.id)
    assert create_service_order(db.session, ServiceOrderType.INSPECTION, service_point_id=sp.id).number


def test_the_new_order_page_says_why_a_protected_point_gets_none(db, client, login, make):
    sp = make.service_point()
    sp.protected = Protection.HOSPITAL
    login("clerk")
    response = client.post("/service-orders/new", data={"spn": sp.spn, "order_type": "disconnection",
                                                        "csrf_token": csrf_token(client, "/service-orders/new")})
    assert response.status_code == 422
    assert "no disconnection: protected service point (hospital)" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ServiceOrder.id))) == 0
