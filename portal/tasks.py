"""System tasks. Tasks take ids, are idempotent and run in an app context (see celery_app)."""
from __future__ import annotations

import sqlalchemy as sa
from celery import shared_task

from models.base import db
from models.customers.entities import Customer
from models.premises.entities import ServicePoint


@shared_task(name="system.health_check")
def health_check() -> dict:
    """Proves a worker reaches the broker and the database: answers with live row counts."""
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return {"database": db.engine.dialect.name, "customers": count(Customer),
            "service_points": count(ServicePoint)}
