"""Reading cycles: orders in walking sequence with expected ranges, entry, estimation at close, correction."""
from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from models.clock import today
from models.errors import DomainError, InvalidTransition
from models.installations.operations import install_meter
from models.readings.cycles import close_cycle, enter_order_reading, fulfil_orders, open_cycle
from models.readings.entities import (
    AnomalyCode,
    OrderStatus,
    Reading,
    ReadingRule,
    ReadingStatus,
    ReadingType,
)
from models.readings.operations import record_reading

DAY = today().replace(day=1) - timedelta(days=200)      # history inside the twelve-month window


@pytest.fixture
def route(db, make):
    """Two service points out of walking order, each with a meter read for three months at 10 a day."""
    route = make.route(scheduled_day=5)
    for spn, seq, number in (("SP-B", 2, "70002"), ("SP-A", 1, "70001")):
        contract = make.contract(service_point=make.service_point(spn=spn, route=route, reading_sequence=seq))
        meter = make.meter(number=number)
        install_meter(db.session, contract.service_point, meter, DAY, {"1.8.0": D("1000")})
        for month in (1, 2, 3):
            record_reading(db.session, meter.registers[0], DAY + timedelta(days=30 * month),
                           D(1000 + 300 * month), ReadingType.ACTUAL)
    return route


def period():
    return DAY + timedelta(days=120)


def test_orders_follow_the_reading_sequence_with_previous_reading_and_range(db, route):
    cycle = open_cycle(db.session, route, period())
    first, second = cycle.orders
    assert [o.service_point.spn for o in cycle.orders] == ["SP-A", "SP-B"]
    days = (cycle.scheduled_on - first.previous_on).days
    assert first.previous_value == D("1900")
    assert (first.expected_low, first.expected_high) == (D(1900 + round(10 * days * 0.2)), D(1900 + 30 * days))


def test_a_second_cycle_for_the_same_route_and_period_is_refused(db, route):
    open_cycle(db.session, route, period())
    with pytest.raises(DomainError, match="already has a reading cycle"):
        open_cycle(db.session, route, period())


def test_entry_on_an_order_records_the_reading_and_a_retype_replaces_it(db, route):
    cycle = open_cycle(db.session, route, period())
    order = cycle.orders[0]
    enter_order_reading(db.session, order, "2100", "", cycle.scheduled_on)
    reading = enter_order_reading(db.session, order, "2150", "", cycle.scheduled_on)
    assert (order.status, order.reading.value, reading.consumption) == (OrderStatus.READ, D("2150"), D("250"))
    assert db.session.scalar(sa.select(sa.func.count()).where(Reading.register_id == order.register_id,
                                                              Reading.read_on == cycle.scheduled_on)) == 1


@pytest.mark.parametrize("value,note,message", [("12a", "", "not a number"), ("", "", "reading or a note"),
                                                ("2000", "asleep", "not a reader's note")])
def test_bad_entries_are_refused_with_the_field(db, route, value, note, message):
    cycle = open_cycle(db.session, route, period())
    with pytest.raises(DomainError, match=message):
        enter_order_reading(db.session, cycle.orders[0], value, note, cycle.scheduled_on)


def test_close_estimates_unread_registers_from_their_average(db, route):
    cycle = open_cycle(db.session, route, period())
    enter_order_reading(db.session, cycle.orders[0], "", "dangerous_dog", cycle.scheduled_on)
    assert close_cycle(db.session, cycle) == {"estimated": 2, "not_read": 0}
    estimate = cycle.orders[0].reading
    days = (cycle.scheduled_on - cycle.orders[0].previous_on).days
    assert (estimate.reading_type, estimate.value, estimate.consumption) == (
        ReadingType.ESTIMATED, D(1900 + 10 * days), D(10 * days))
    assert [a.code for a in estimate.anomalies] == [AnomalyCode.DANGEROUS_DOG]
    with pytest.raises(InvalidTransition):
        close_cycle(db.session, cycle)


def test_next_actual_reading_supersedes_the_estimate_and_keeps_the_difference(db, route):
    cycle = open_cycle(db.session, route, period())
    close_cycle(db.session, cycle)
    order = cycle.orders[0]
    estimate, later = order.reading, cycle.scheduled_on + timedelta(days=30)
    actual = record_reading(db.session, order.register, later, D("2500"), ReadingType.ACTUAL)
    db.session.refresh(estimate)
    assert (estimate.status, estimate.superseded_by_id) == (ReadingStatus.SUPERSEDED, actual.id)
    assert actual.consumption == D("600")                                 # 2,500 - 1,900: the whole span
    assert actual.correction == D("600") - estimate.consumption


def test_new_service_point_is_estimated_from_its_tariff_class_profile(db, make, route):
    contract = make.contract(service_point=make.service_point(spn="SP-C", route=route, reading_sequence=3))
    meter = make.meter(number="70003")
    install_meter(db.session, contract.service_point, meter, period() - timedelta(days=10), {"1.8.0": D("0")})
    db.session.add(ReadingRule(tariff_class="R-1", profile_daily=D("4")))
    cycle = open_cycle(db.session, route, period())
    close_cycle(db.session, cycle)
    new = cycle.orders[-1]
    assert (new.service_point.spn, new.reading.value) == ("SP-C", D(4 * (cycle.scheduled_on - new.previous_on).days))


def test_a_reading_imported_elsewhere_answers_the_open_order(db, route):
    cycle = open_cycle(db.session, route, period())
    order = cycle.orders[1]
    record_reading(db.session, order.register, cycle.scheduled_on, D("2200"), ReadingType.CUSTOMER)
    assert fulfil_orders(db.session, [order.register_id]) == 1
    assert (order.status, order.reading.value) == (OrderStatus.READ, D("2200"))


def test_the_daily_job_opens_each_route_once_a_month(db, make, route):
    from models.readings.cycles import open_due_cycles
    other = make.route()
    assert {c.route_id for c in open_due_cycles(db.session, period())} == {route.id, other.id}
    assert open_due_cycles(db.session, period()) == []


def test_a_bimonthly_cycle_leaves_monthly_contracts_out(db, route):
    from models.contracts.entities import Cycle
    assert open_cycle(db.session, route, period(), billing_cycle=Cycle.BIMONTHLY).orders == []


def test_closing_before_the_scheduled_day_dates_the_estimates_today_not_in_the_future(db, route, clock):
    clock.to(today().replace(day=1))
    cycle = open_cycle(db.session, route, today(), today() + timedelta(days=9))
    assert close_cycle(db.session, cycle) == {"estimated": 2, "not_read": 0}
    assert {o.reading.read_on for o in cycle.orders} == {today()}
