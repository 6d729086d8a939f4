"""Demo field work: service orders of every type spread over every status."""
from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import Actor, acting_as
from models.demo.loader import demo_day
from models.premises.entities import ServicePoint
from models.service_orders.entities import ServiceOrderStatus as S
from models.service_orders.entities import ServiceOrderType
from models.service_orders.operations import change_service_order_status, create_service_order

# Paths through the transition table; each order follows one, stopping where its dice say.
PATHS = [[S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED], [S.ASSIGNED, S.IN_PROGRESS, S.FAILED], [S.CANCELLED],
         [S.IN_PROGRESS, S.COMPLETED]]
RESULTS = {ServiceOrderType.INSPECTION: "seal intact, no tampering",
           ServiceOrderType.DISCONNECTION: "disconnected at pole",
           ServiceOrderType.RECONNECTION: "supply restored", ServiceOrderType.METER_CHANGE: "meter changed",
           ServiceOrderType.SURVEY: "connection feasible", ServiceOrderType.INSTALLATION: "meter installed",
           ServiceOrderType.REMOVAL: "meter removed"}


def load_demo_service_orders(session: Session, count: int, seed: int, as_of: date | None = None) -> int:
    """Orders planned within 20 days of `as_of` (the demo's day, as for load_demo_data)."""
    with acting_as(Actor(None, "demo-data")):
        return _load(session, count, seed, demo_day(as_of))


def _load(session: Session, count: int, seed: int, as_of: date) -> int:
    rng = random.Random(seed)
    ids = session.scalars(sa.select(ServicePoint.id).order_by(ServicePoint.id).limit(5000)).all()
    for _ in range(count if ids else 0):
        kind = rng.choice(list(ServiceOrderType))
        planned = as_of + timedelta(days=rng.randrange(-20, 20))
        order = create_service_order(session, kind, service_point_id=rng.choice(ids), planned_on=planned,
                                     crew=f"Crew {rng.randrange(1, 6)}")
        path = rng.choice(PATHS)
        for status in path[:rng.randrange(0, len(path) + 1)]:
            done = status in (S.COMPLETED, S.FAILED)
            change_service_order_status(session, order, status,
                                        result=(RESULTS[kind] if status is S.COMPLETED else "no access")
                                        if done else None)
    return count
