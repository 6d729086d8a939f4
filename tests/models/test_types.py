from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from models.customers.entities import Customer


def test_timestamps_come_back_aware_in_utc(db, make):
    jakarta = timezone(timedelta(hours=7))
    customer = make.customer(created_at=datetime(2024, 5, 1, 9, 0, tzinfo=jakarta))
    db.session.expire(customer)
    assert customer.created_at == datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    assert customer.created_at.tzinfo is not None


def test_naive_timestamps_are_refused(db):
    db.session.add(Customer(name="Naive", created_at=datetime(2024, 5, 1, 9, 0)))
    with pytest.raises(StatementError, match="naive datetime refused"):
        db.session.flush()


def test_add_months_keeps_the_day_or_takes_the_months_last():
    from datetime import date

    from models.types import add_months
    assert add_months(date(2026, 11, 20), 120) == date(2036, 11, 20)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 12, 15), 3) == date(2028, 3, 15)
