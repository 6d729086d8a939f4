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
