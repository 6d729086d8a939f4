"""Readings a customer gives on the telephone, checked for a misheard digit before they count.

Above operations, estimation and cycles: the doubt uses the expected range, and the reading answers
the register's open reading order.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from models.errors import DomainError
from models.limits import parse_decimal
from models.meters.entities import Register
from models.meters.queries import current_meter_installation
from models.readings.cycles import fulfil_orders
from models.readings.entities import Reading, ReadingType
from models.readings.estimation import expected_range
from models.readings.operations import RegisterContext, record_reading, register_contexts


class ImplausibleReading(DomainError):
    """A typed reading the register's history does not expect: recorded only once the clerk confirms it."""

    def __init__(self, message: str, value: Decimal):
        super().__init__(message, "value")
        self.value = value


def doubt_about(context: RegisterContext, read_on: date, value: Decimal) -> str | None:
    """Why a typed reading looks mistyped, as the entry screen flags it: below the latest actual reading, or
    outside the range the register's history expects on that day. None when it looks right or nothing is known."""
    if context.demand or context.actual is None or read_on < context.actual[0]:
        return None     # a demand reading stands alone; a date before the latest reading is refused anyway
    if value < context.actual[1]:
        return (f"{value.normalize():f} is below the previous reading {context.actual[1].normalize():f} "
                f"of {context.actual[0]} (a rollover?)")
    # Judged against the latest actual reading, as the reading itself will be: estimates in between do not count.
    low, high = expected_range(replace(context, previous=context.actual), read_on)
    if low is not None and not low <= value <= high:
        return f"{value.normalize():f} is outside the expected {low:f}–{high:f}"
    return None


def record_phone_reading(session: Session, service_point_id: int, register_id: int, value: str, read_on: date,
                         caller: str, confirmed: bool = False) -> Reading:
    """A reading the customer gives on the telephone: type customer, the caller kept as its source.

    An implausible value is refused with ImplausibleReading until `confirmed` (a digit misheard on the
    telephone would otherwise become the base the next real reading is judged against). The reading
    answers the register's open reading order, so the route's own entry replaces it instead of
    following it.
    """
    if not (caller or "").strip():
        raise DomainError("the caller's name is required", "caller")
    register = session.get(Register, register_id)
    current = current_meter_installation(session, service_point_id)
    if register is None or current is None or register.meter_id != current.meter_id:
        raise DomainError("choose a register of the meter installed here", "register")
    number = parse_decimal(value, "value")
    if number is None:
        raise DomainError("enter the reading", "value")
    if not confirmed:
        doubt = doubt_about(register_contexts(session, [register.id])[register.id], read_on, number)
        if doubt:
            raise ImplausibleReading(f"{doubt}: not saved; check it with the caller, then confirm it", number)
    reading = record_reading(session, register, read_on, number, ReadingType.CUSTOMER,
                             source=f"phone: {caller.strip()}")
    fulfil_orders(session, [register.id])
    return reading
