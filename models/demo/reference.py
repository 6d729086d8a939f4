"""Reference data the demo needs: stores, meter models, reading routes, demo users."""
from __future__ import annotations

from decimal import Decimal as D

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.meters.entities import MeterModel, Store, StoreKind
from models.premises.entities import ReadingRoute
from models.readings.entities import AnomalyFollowUp, FollowUpAction
from models.users.entities import RoleName, User
from models.users.operations import create_user, ensure_roles

DEMO_USERS = [
    ("admin@example.com", RoleName.ADMIN, "watt-admin", "Ayu Administrator"),
    ("owner@example.com", RoleName.PROCESS_OWNER, "watt-owner", "Budi Process Owner"),
    ("clerk@example.com", RoleName.CLERK, "watt-clerk", "Citra Clerk"),
    ("cashier@example.com", RoleName.CASHIER, "watt-cashier", "Dewi Cashier"),
    ("accountant@example.com", RoleName.ACCOUNTANT, "watt-accountant", "Eko Accountant"),
]

STORES = [
    ("GDG-PST", "Central store Jakarta", StoreKind.CENTRAL),
    ("GDG-BDG", "District store Bandung", StoreKind.DISTRICT),
    ("GDG-SBY", "District store Surabaya", StoreKind.DISTRICT),
    ("GDG-MDN", "District store Medan", StoreKind.DISTRICT),
    ("LAB-KAL", "Calibration laboratory", StoreKind.LABORATORY),
    ("CRW-01", "Field crew 1", StoreKind.FIELD_CREW),
]

# (manufacturer, code, description, phases, digits, time of use, calibration months, number prefix)
METER_MODELS = [
    ("Itron", "ACE1000-1P", "Single-phase electronic kWh meter", 1, 6, False, 120, "ITR"),
    ("Hexing", "HXE110", "Single-phase electronic kWh meter", 1, 6, False, 120, "HXG"),
    ("Sanxing", "SX1-A31", "Single-phase prepaid meter", 1, 6, False, 120, "SXG"),
    ("Wasion", "DTSD341", "Three-phase kWh meter", 3, 6, False, 96, "WSN"),
    ("EDMI", "Mk6N", "Three-phase TOU meter with kVArh and demand (CT/PT)", 3, 8, True, 60, "EDM"),
    ("Landis+Gyr", "E650", "Three-phase TOU meter, high voltage", 3, 8, True, 60, "LGZ"),
]

# current-transformer factors of medium voltage meters (high voltage ones are all 800)
MULTIPLIERS_TM = (D("40"), D("80"), D("200"), D("800"))

CITIES = [("Jakarta Selatan", "JKS"), ("Bandung", "BDG"), ("Surabaya", "SBY"), ("Medan", "MDN"),
          ("Semarang", "SMG"), ("Denpasar", "DPS")]


def demo_users(session: Session) -> list[User]:
    ensure_roles(session)
    users = []
    for email, role, password, name in DEMO_USERS:
        user = session.scalar(sa.select(User).where(User.email == email))
        users.append(user or create_user(session, email, role.value, password, full_name=name))
    return users


def stores(session: Session) -> list[Store]:
    rows = [Store(code=c, name=n, kind=k, address=None) for c, n, k in STORES]
    session.add_all(rows)
    return rows


def meter_models(session: Session) -> list[tuple[MeterModel, str]]:
    out = []
    for maker, code, desc, phases, digits, tou, months, prefix in METER_MODELS:
        model = MeterModel(manufacturer=maker, model_code=code, description=desc, phases=phases, digits=digits,
                           time_of_use=tou, calibration_interval_months=months)
        session.add(model)
        out.append((model, prefix))
    return out


def routes(session: Session, count: int) -> list[ReadingRoute]:
    rows = []
    for i in range(count):
        city, code = CITIES[i % len(CITIES)]
        rows.append(ReadingRoute(code=f"{code}-{i // len(CITIES) + 1:03d}", name=f"{city} route {i // len(CITIES) + 1}",
                                 area=city, scheduled_day=1 + (i * 3) % 28))
    session.add_all(rows)
    return rows


def follow_up_rules(session: Session) -> None:
    """Tampering gets an inspection; a damaged meter or one that went backwards gets replaced."""
    session.add_all([AnomalyFollowUp(code="tampering_suspected", action=FollowUpAction.INSPECTION_ORDER),
                     AnomalyFollowUp(code="meter_damaged", action=FollowUpAction.METER_REPLACEMENT),
                     AnomalyFollowUp(code="negative_consumption", action=FollowUpAction.INSPECTION_ORDER)])
