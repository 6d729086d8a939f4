"""The shipped collection process: reminder, warning, disconnection, reconnection; payments stop it, a
protected service point gets a clerk's task, an arrangement pauses it."""
# ruff: noqa: F811  (the bill fixtures are collection's, imported below and named as test arguments)
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.billing.entities import MiscCharge
from models.clock import now_utc, today
from models.collection.dunning_entities import DebtAction
from models.collection.entities import PaymentChannel, PaymentMethod
from models.collection.operations import post_payment
from models.collection.queries import Payer
from models.premises.entities import Protection, ServicePointStatus
from models.process.entities import InstanceStatus, ProcessInstance, TaskState
from models.service_orders.entities import ServiceOrder
from tests.models.collection.conftest import contract, customer, issue, tariffs  # noqa: F401  (fixtures)
from workflows.collection import make_arrangement, on_payments, review_daily_arrangements, start_dunning
from workflows.runtime import fire_timers


@pytest.fixture
def overdue(db, issue, clock, shipped):
    """May's bill (Rp 267,847), one day past its due date, and the case the beat starts for it."""
    bill = issue(5)
    clock.to(bill.due_on + timedelta(days=1))
    [instance_id] = start_dunning(db.session)
    return bill, db.session.get(ProcessInstance, instance_id)


def _later(db, clock, instance, days):
    clock.to(now_utc() + timedelta(days=days, minutes=1))
    assert fire_timers(db.session, instance.id)


def _pay(db, customer, amount, reference):
    post_payment(db.session, Payer.of(customer), channel=PaymentChannel.PARTNER, method=PaymentMethod.TRANSFER,
                 reference=reference, amount=Decimal(amount), paid_on=today())
    return on_payments(db.session, [customer.id])


def _actions(db, contract):
    return [(a.kind.value, a.channel.value if a.channel else None, a.amount) for a in db.session.scalars(
        sa.select(DebtAction).where(DebtAction.contract_id == contract.id).order_by(DebtAction.id))]


def _orders(db, contract):
    return [(o.order_type.value, o.status.value) for o in db.session.scalars(
        sa.select(ServiceOrder).where(ServiceOrder.service_point_id == contract.service_point_id)
        .order_by(ServiceOrder.id))]


def test_dunning_runs_to_disconnection_and_a_payment_reconnects(db, make, overdue, contract, customer, clock, work):
    clerk, _ = make.user("clerk")
    bill, instance = overdue
    assert start_dunning(db.session) == []                      # one case per service point
    assert instance.waiting_messages == ["payment_received"]
    _later(db, clock, instance, 14)
    _later(db, clock, instance, 7)
    assert _actions(db, contract) == [("reminder", "letter", Decimal("267847.00")),
                                      ("warning", "letter", Decimal("267847.00")),
                                      ("disconnection", None, Decimal("267847.00"))]
    assert _orders(db, contract) == [("disconnection", "created")]
    work(instance, "ut_disconnect", clerk, disconnected="true", field_note="cut at the pole")
    assert contract.service_point.status is ServicePointStatus.DISCONNECTED
    assert _pay(db, customer, "100000", "P-1").told == []       # not cleared: still disconnected
    assert _pay(db, customer, "167847", "P-2").told == [instance.id]
    assert _orders(db, contract) == [("disconnection", "completed"), ("reconnection", "created")]
    fee = db.session.scalar(sa.select(MiscCharge).where(MiscCharge.contract_id == contract.id))
    assert (fee.charge_type.code, fee.amount) == ("RECONNECTION_FEE", Decimal("100000.00"))
    work(instance, "ut_reconnect", clerk, field_note="")
    assert contract.service_point.status is ServicePointStatus.ACTIVE
    assert instance.status is InstanceStatus.COMPLETED


def test_a_payment_that_clears_the_debt_stops_dunning(db, overdue, contract, customer, clock):
    bill, instance = overdue
    assert _pay(db, customer, "200000", "P-1").told == []
    assert instance.status is InstanceStatus.RUNNING
    _later(db, clock, instance, 14)                              # the warning names what is left
    assert _actions(db, contract)[-1] == ("warning", "letter", Decimal("67847.00"))
    assert _pay(db, customer, "67847", "P-2").told == [instance.id]
    assert instance.status is InstanceStatus.COMPLETED and _orders(db, contract) == []


def test_a_payment_cancels_the_open_disconnection_order(db, overdue, contract, customer, clock):
    bill, instance = overdue
    _later(db, clock, instance, 14)
    _later(db, clock, instance, 7)
    _pay(db, customer, "267847", "P-1")
    assert _orders(db, contract) == [("disconnection", "cancelled")]
    assert instance.status is InstanceStatus.COMPLETED
    assert [t.state for t in instance.tasks] == [TaskState.CANCELLED]


def test_a_protected_service_point_gets_a_clerks_task_not_an_order(db, make, overdue, contract, customer, clock,
                                                                   work):
    clerk, _ = make.user("clerk")
    bill, instance = overdue
    contract.service_point.protected = Protection.LIFE_SUPPORT
    _later(db, clock, instance, 14)
    _later(db, clock, instance, 7)
    assert _orders(db, contract) == []
    [task] = [t for t in instance.tasks if t.state is TaskState.OPEN]
    assert task.name.startswith("Protected service point: no disconnection")
    action = db.session.scalar(sa.select(DebtAction).where(DebtAction.kind == "protected"))
    assert action.note == "protected service point (life support): no disconnection order"
    work(instance, "ut_protected", clerk, follow_up="social services informed, instalments offered")
    assert _pay(db, customer, "267847", "P-1").told == [instance.id]
    assert instance.status is InstanceStatus.COMPLETED


def test_an_arrangement_pauses_dunning_and_a_missed_instalment_resumes_it(db, overdue, contract, customer, clock):
    bill, instance = overdue
    day = today()
    arrangement = make_arrangement(db.session, contract, Decimal("67847"),
                                   [(day + timedelta(days=30), Decimal("100000")),
                                    (day + timedelta(days=60), Decimal("100000"))])
    assert instance.status is InstanceStatus.SUSPENDED
    _pay(db, customer, "67847", "P-1")                           # the down payment
    clock.to(day + timedelta(days=20))
    assert not fire_timers(db.session, instance.id)              # paused: the warning waits
    clock.to(day + timedelta(days=31))
    assert review_daily_arrangements(db.session) == [arrangement.id]
    assert arrangement.status.value == "broken" and instance.status is InstanceStatus.RUNNING
    assert fire_timers(db.session, instance.id)                  # the overdue warning goes out at once
    assert _actions(db, contract)[-1] == ("warning", "letter", Decimal("200000.00"))


def test_a_kept_arrangement_ends_the_case(db, overdue, contract, customer):
    bill, instance = overdue
    make_arrangement(db.session, contract, Decimal(0), [(today() + timedelta(days=30), Decimal("267847"))])
    outcome = _pay(db, customer, "267847", "P-1")
    assert outcome.told == [instance.id] and instance.status is InstanceStatus.COMPLETED


def test_the_daily_job_settles_a_case_paid_without_its_edge_telling(db, overdue, customer):
    from workflows.collection import daily_dunning
    bill, instance = overdue
    post_payment(db.session, Payer.of(customer), channel=PaymentChannel.PARTNER, method=PaymentMethod.TRANSFER,
                 reference="P-1", amount=Decimal("267847"), paid_on=today())     # on_payments not called
    assert daily_dunning() == {"penalties": 0, "arrangements_ended": 0, "cases_settled": 1, "cases_started": 0}
    db.session.refresh(instance)
    assert instance.status is InstanceStatus.COMPLETED, instance.error_message


def test_a_new_version_with_other_timings_applies_to_new_cases(db, make, overdue, tariffs, issue, clock):
    from workflows.runtime import deploy_definition
    from workflows.shipped import shipped_files
    bill, first = overdue
    xml = shipped_files()["collection"].read_bytes().replace(b">P14D<", b">P3D<")
    definition, _ = deploy_definition(db.session, xml, key="collection")
    other = make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300)
    issue(5, on=other)
    clock.to(now_utc() + timedelta(days=40))
    [second_id] = start_dunning(db.session)
    second = db.session.get(ProcessInstance, second_id)
    assert (second.definition.version, first.definition.version) == (2, 1)
    assert second.next_timer_due - now_utc() < timedelta(days=3, minutes=1)
    assert first.next_timer_due < now_utc()                      # the first case keeps its 14 days
