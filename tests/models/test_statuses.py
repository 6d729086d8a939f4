"""One status writer: every named status has its transition table, a wrong move lists the allowed ones,
a right move is recorded with the acting user."""
import enum
import importlib
import pkgutil

import pytest

import models
from models.audit.recorder import Actor, acting_as
from models.errors import InvalidTransition
from models.meters.entities import MeterStatus
from models.statuses import TRANSITIONS, move_status, status_history


def status_enums() -> set[type[enum.Enum]]:
    for module in pkgutil.walk_packages(models.__path__, "models."):
        if not module.name.startswith("models.migrations"):
            importlib.import_module(module.name)
    found, todo = set(), list(enum.Enum.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("models.") and cls.__name__.endswith("Status"):
            found.add(cls)
    return found


def test_every_status_enum_has_a_transition_table():
    enums = status_enums()
    assert len(enums) >= 11
    assert sorted(f"{e.__module__}.{e.__name__}" for e in enums - set(TRANSITIONS)) == []


def test_a_wrong_move_is_refused_with_the_allowed_next_statuses(db, make):
    meter = make.meter(number="71001")
    with pytest.raises(InvalidTransition, match="meter 71001 cannot move from in_store to scrapped; "
                                                "allowed next: in_transit, installed, rejected"):
        move_status(db.session, meter, MeterStatus.SCRAPPED, what="meter 71001")
    assert meter.status is MeterStatus.IN_STORE


def test_a_move_is_recorded_with_the_acting_user(db, make):
    meter = make.meter()
    with acting_as(Actor(None, "siti@example.com")):
        move_status(db.session, meter, MeterStatus.IN_TRANSIT, what="meter", note="SJ-1")
    [change] = status_history(db.session, "meter", meter.id)
    assert (change.from_status, change.to_status, change.by, change.note) == ("in_store", "in_transit",
                                                                               "siti@example.com", "SJ-1")


def test_a_move_without_a_record_is_still_checked(db, make):
    meter = make.meter()
    move_status(db.session, meter, MeterStatus.INSTALLED, what="meter", record=False)
    assert meter.status is MeterStatus.INSTALLED and status_history(db.session, "meter", meter.id) == []


def test_a_service_point_is_disconnected_and_reconnected_through_the_writer(db, make):
    from models.premises.entities import ServicePointStatus
    from models.premises.operations import change_service_point_status
    sp = make.service_point()
    change_service_point_status(db.session, sp, ServicePointStatus.DISCONNECTED, "arrears")
    change_service_point_status(db.session, sp, ServicePointStatus.ACTIVE)
    assert [c.to_status for c in status_history(db.session, "service_point", sp.id)] == ["disconnected", "active"]
    with pytest.raises(InvalidTransition, match="allowed next: disconnected, retired"):
        change_service_point_status(db.session, sp, ServicePointStatus.PLANNED)
