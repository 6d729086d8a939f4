"""Reading cycles: open one for a route and period (its reading orders), read along it, close it.

Opening gives every register on the route an order in walking sequence, with its previous reading
and the range the new one is expected in. Closing estimates every register still unread.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.clock import now_utc, today
from models.contracts.entities import Contract, ContractStatus, ContractVersion, Cycle
from models.errors import DomainError
from models.limits import parse_decimal
from models.meters.entities import Installation, Register
from models.premises.entities import ReadingRoute, ServicePoint
from models.readings.entities import (
    AnomalyCode,
    CycleStatus,
    OrderStatus,
    Reading,
    ReadingAnomaly,
    ReadingCycle,
    ReadingOrder,
    ReadingStatus,
    ReadingType,
)
from models.readings.estimation import class_profiles, estimate_value, expected_range
from models.readings.operations import judge_next, record_reading, register_contexts
from models.statuses import check_move, move_status
from models.types import add_months

READER_NOTES = (AnomalyCode.NO_ACCESS, AnomalyCode.METER_DAMAGED, AnomalyCode.TAMPERING_SUSPECTED,
                AnomalyCode.DANGEROUS_DOG)
READ_TYPES = (ReadingType.ACTUAL, ReadingType.CUSTOMER, ReadingType.CONTROL)


def open_cycle(session: Session, route: ReadingRoute, period: date,
               scheduled_on: date | None = None, billing_cycle: Cycle = Cycle.MONTHLY) -> ReadingCycle:
    period = period.replace(day=1)
    if session.scalar(sa.select(ReadingCycle.id).where(ReadingCycle.route_id == route.id,
                                                       ReadingCycle.period == period,
                                                       ReadingCycle.billing_cycle == billing_cycle)):
        raise DomainError(f"route {route.code} already has a reading cycle for {period:%Y-%m} "
                          f"({billing_cycle.value} contracts)",
                          "period")
    scheduled_on = scheduled_on or period.replace(day=route.scheduled_day)
    if scheduled_on < period:
        raise DomainError(f"the scheduled day {scheduled_on} is before the period {period:%Y-%m}", "scheduled_on")
    cycle = ReadingCycle(route=route, period=period, scheduled_on=scheduled_on, billing_cycle=billing_cycle)
    session.add(cycle)
    session.flush()
    _generate_orders(session, cycle)
    return cycle


def reading_day(cycle: ReadingCycle) -> date:
    """The day a reading on this cycle is dated when nobody says otherwise: the scheduled day once it has
    come (the office typing in a walked route's sheets), else today (a reader out before the plan's day;
    a reading is never dated in the future)."""
    return min(cycle.scheduled_on, today())


def _read_on(cycle: Cycle):
    """Service points whose active contract is read on `cycle` (by its current terms)."""
    return (sa.select(Contract.service_point_id)
            .join(ContractVersion, sa.and_(ContractVersion.contract_id == Contract.id,
                                           ContractVersion.valid_to.is_(None)))
            .where(Contract.status == ContractStatus.ACTIVE, ContractVersion.reading_cycle == cycle))


def open_due_cycles(session: Session, period: date) -> list[ReadingCycle]:
    """This period's cycles not yet opened (the beat runs it daily): the monthly one of every route, and the
    bimonthly one of every route with bimonthly contracts whose last bimonthly cycle was not last month (so
    they are read every other month, as models.billing.cycles bills them)."""
    period = period.replace(day=1)

    def without(cycle: Cycle, when: date):
        return ReadingRoute.id.not_in(sa.select(ReadingCycle.route_id).where(
            ReadingCycle.period == when, ReadingCycle.billing_cycle == cycle))
    monthly = session.scalars(sa.select(ReadingRoute).where(without(Cycle.MONTHLY, period))
                              .order_by(ReadingRoute.code)).all()
    bimonthly = session.scalars(
        sa.select(ReadingRoute).where(
            without(Cycle.BIMONTHLY, period), without(Cycle.BIMONTHLY, add_months(period, -1)),
            ReadingRoute.id.in_(sa.select(ServicePoint.route_id).where(
                ServicePoint.id.in_(_read_on(Cycle.BIMONTHLY)))))
        .order_by(ReadingRoute.code)).all()
    return ([open_cycle(session, route, period) for route in monthly]
            + [open_cycle(session, route, period, billing_cycle=Cycle.BIMONTHLY) for route in bimonthly])


def _generate_orders(session: Session, cycle: ReadingCycle) -> None:
    # Every register of a meter installed on the route by the scheduled day. A monthly cycle reads every
    # service point but those whose contract is read bimonthly; a bimonthly cycle reads only those.
    bimonthly = ServicePoint.id.in_(_read_on(Cycle.BIMONTHLY))
    on_this_cycle = bimonthly if cycle.billing_cycle is Cycle.BIMONTHLY else ~bimonthly
    rows = session.execute(
        sa.select(ServicePoint.id, Register.id)
        .join(Installation, sa.and_(Installation.service_point_id == ServicePoint.id,
                                    Installation.meter_id.is_not(None), Installation.removed_on.is_(None),
                                    Installation.installed_on <= cycle.scheduled_on))
        .join(Register, Register.meter_id == Installation.meter_id)
        .where(ServicePoint.route_id == cycle.route_id, on_this_cycle)
        .order_by(ServicePoint.itinerary, ServicePoint.reading_sequence, ServicePoint.spn, Register.code)).all()
    contexts = register_contexts(session, [register_id for _, register_id in rows])
    orders = []
    for sequence, (service_point_id, register_id) in enumerate(rows, start=1):
        context = contexts[register_id]
        low, high = expected_range(context, cycle.scheduled_on)
        orders.append({"cycle_id": cycle.id, "sequence": sequence, "service_point_id": service_point_id,
                       "register_id": register_id, "previous_on": context.previous[0] if context.previous else None,
                       "previous_value": context.previous[1] if context.previous else None,
                       "expected_low": low, "expected_high": high, "status": OrderStatus.OPEN,
                       "reading_id": None, "remark": None})
    if orders:
        session.execute(sa.insert(ReadingOrder), orders)
    session.expire(cycle, ["orders"])


def _open(cycle: ReadingCycle) -> None:
    if cycle.status is not CycleStatus.OPEN:
        raise DomainError(f"cycle {cycle} is {cycle.status.value}; readings go in while it is open", "status")


def parse_note(text: str | None) -> AnomalyCode | None:
    if not (text or "").strip():
        return None
    try:
        code = AnomalyCode(text.strip())
    except ValueError:
        code = None
    if code not in READER_NOTES:
        raise DomainError(f"'{text}' is not a reader's note", "note")
    return code


def enter_order_reading(session: Session, order: ReadingOrder, value: str, note: str | None,
                        read_on: date) -> Reading | None:
    """A reading typed on the entry screen for one order; a note alone (no access) leaves it for estimation.

    Typing over a reading entered earlier in the same open cycle replaces it (a typo fixed at once).
    """
    _open(order.cycle)
    code = parse_note(note)
    text = (value or "").strip()
    if not text:
        if code is None:
            raise DomainError("enter the reading or a note", "value")
        order.remark = code.value
        session.flush()
        return None
    number = parse_decimal(text, "value")
    if read_on < order.cycle.period:
        raise DomainError(f"{read_on} is before the cycle's period {order.cycle.period:%Y-%m}", "date")
    if order.reading is not None:
        _withdraw(session, order.reading)
    reading = record_reading(session, order.register, read_on, number, ReadingType.ACTUAL,
                             source=f"route {order.cycle}", notes=(code,) if code else ())
    # The reading says who and when: an order's answer needs no StatusChange of its own.
    move_status(session, order, OrderStatus.READ, what=f"reading order {order.sequence}", record=False)
    order.reading, order.remark = reading, code.value if code else None
    session.flush()
    return reading


def _withdraw(session: Session, reading: Reading) -> None:
    later = session.scalar(sa.select(Reading.id).where(Reading.register_id == reading.register_id,
                                                       Reading.read_on > reading.read_on,
                                                       Reading.status != ReadingStatus.SUPERSEDED))
    if later:
        raise DomainError("a later reading exists; this one can no longer be replaced here", "value")
    session.execute(sa.update(Reading).where(Reading.superseded_by_id == reading.id)
                    .values(status=ReadingStatus.VALID, superseded_by_id=None))
    session.delete(reading)
    session.flush()


def fulfil_orders(session: Session, register_ids: list[int]) -> int:
    """Open orders of open cycles that a reading recorded elsewhere (an import, the telephone) now answers:
    the register's latest actual, customer or control reading after the order's previous reading."""
    done = 0
    for start in range(0, len(register_ids), 900):
        chunk = register_ids[start:start + 900]
        orders = session.execute(
            sa.select(ReadingOrder.id, ReadingOrder.register_id, ReadingOrder.previous_on, ReadingCycle.period)
            .join(ReadingCycle).where(ReadingCycle.status == CycleStatus.OPEN, ReadingOrder.status == OrderStatus.OPEN,
                                      ReadingOrder.register_id.in_(chunk))).all()
        if not orders:
            continue
        since = min(o.previous_on or o.period for o in orders)
        latest: dict[int, list] = {}
        for reading_id, register_id, day in session.execute(
                sa.select(Reading.id, Reading.register_id, Reading.read_on)
                .where(Reading.register_id.in_({o.register_id for o in orders}), Reading.read_on > since,
                       Reading.reading_type.in_(READ_TYPES)).order_by(Reading.read_on, Reading.id)):
            latest.setdefault(register_id, []).append((day, reading_id))
        answered = []
        for order in orders:
            after = [reading_id for day, reading_id in latest.get(order.register_id, [])
                     if day > (order.previous_on or order.period)]
            if after:
                answered.append({"id": order.id, "status": OrderStatus.READ, "reading_id": after[-1]})
        if answered:
            # By primary key, in bulk (open -> read, as models.statuses' table allows): the readings say who.
            session.execute(sa.update(ReadingOrder), answered)
            done += len(answered)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, ReadingOrder):
            session.expire(obj)        # the bulk update went past them
    return done


def note_orders(session: Session, notes: list[tuple[int, AnomalyCode]]) -> int:
    """Reader's notes that came without a reading (a handheld file): kept on the register's open order,
    so the estimate at the cycle's close carries them."""
    noted = 0
    for register_id, code in notes:
        order = session.scalar(sa.select(ReadingOrder).join(ReadingCycle).where(
            ReadingCycle.status == CycleStatus.OPEN, ReadingOrder.status == OrderStatus.OPEN,
            ReadingOrder.register_id == register_id))
        if order is not None:
            order.remark = code.value
            noted += 1
    session.flush()
    return noted


def close_cycle(session: Session, cycle: ReadingCycle) -> dict[str, int]:
    """Close the cycle: every order still open gets an estimated reading on the cycle's reading day."""
    check_move(cycle.status, CycleStatus.CLOSED, f"cycle {cycle}")
    by = acting_name()
    waiting = [order for order in cycle.orders if order.status is OrderStatus.OPEN]
    contexts = register_contexts(session, [order.register_id for order in waiting])
    profiles = class_profiles(session) if waiting else {}
    counts = {"estimated": 0, "not_read": 0}
    day = reading_day(cycle)
    # Thousands of orders close with their cycle: the cycle's StatusChange says who and when, not one per order.
    for order in waiting:
        context, register = contexts[order.register_id], order.register
        daily = context.average_daily
        if daily is None:
            daily = profiles.get((context.tariff_class, register.code))
        on = max(day, context.previous[0]) if context.previous else day
        value = estimate_value(context, on, daily, register.decimals)
        if value is None:
            move_status(session, order, OrderStatus.NOT_READ, what=f"reading order {order.sequence}", record=False)
            order.remark = "no reading, nothing to estimate from"
            counts["not_read"] += 1
            continue
        judged = judge_next(context, on, value, ReadingType.ESTIMATED)
        reading = Reading(**judged.values, by=by, source=f"estimate, cycle {cycle}")
        if order.remark:
            reading.anomalies = [ReadingAnomaly(code=AnomalyCode(order.remark), detail="reader's note, estimated")]
        session.add(reading)
        move_status(session, order, OrderStatus.ESTIMATED, what=f"reading order {order.sequence}", record=False)
        order.reading = reading
        counts["estimated"] += 1
    move_status(session, cycle, CycleStatus.CLOSED, what=f"cycle {cycle}")
    cycle.closed_at, cycle.closed_by = now_utc(), by
    session.flush()
    return counts
