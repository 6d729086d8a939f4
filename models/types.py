"""Column types shared by every domain: UTC timestamps, money, rates and enums."""
from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

MONEY = sa.Numeric(18, 2)       # amounts in the currency's major unit, exact
RATE = sa.Numeric(18, 6)        # prices per unit, factors, percentages
QUANTITY = sa.Numeric(18, 4)    # kWh, kVArh, kW, multipliers


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every engine (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_cls: type[enum.Enum], name: str | None = None) -> sa.Enum:
    """A portable enum column: VARCHAR with a CHECK constraint, storing the member values.

    `name` names the CHECK constraint; give one when a table has two columns of the same enum.
    """
    return sa.Enum(
        enum_cls,
        name=name or enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )



def rule(condition: str, name: str, field: str, message: str) -> sa.CheckConstraint:
    """A CHECK constraint that also tells models.errors which field it guards and what to say."""
    return sa.CheckConstraint(condition, name=name, info={"field": field, "message": message})


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    import calendar
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
