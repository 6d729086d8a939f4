"""Meter deliveries as number ranges and the status rules of movements between stores."""
from datetime import date

import pytest
import sqlalchemy as sa

from models.errors import DomainError
from models.meters.entities import Meter, MeterMovement, MeterStatus, MovementKind, StoreKind
from models.meters.operations import move_meters, parse_meter_selection, register_meter_batch


@pytest.fixture
def stock(db, make):
    central, district, lab = make.store(), make.store(StoreKind.DISTRICT), make.store(StoreKind.LABORATORY)
    model = make.meter_model()
    register_meter_batch(db.session, 30001, 30010, model.id, central.id, "DO-2026-001", received_on=date(2026, 11, 1))
    return central, district, lab, model


def numbers(db, status):
    return db.session.scalars(sa.select(Meter.number).where(Meter.status == status).order_by(Meter.number)).all()


def test_batch_creates_the_range_with_registers_and_a_receipt(db, stock):
    central, *_ = stock
    meters = db.session.scalars(sa.select(Meter).order_by(Meter.number)).all()
    assert [m.number for m in meters] == [str(n) for n in range(30001, 30011)]
    assert {(m.status, m.store_id, len(m.registers)) for m in meters} == {(MeterStatus.IN_STORE, central.id, 1)}
    assert db.session.scalar(sa.select(sa.func.count()).where(MeterMovement.kind == MovementKind.RECEIVE)) == 10


def test_overlapping_batch_is_refused_listing_the_numbers_and_creates_nothing(db, stock):
    central, _, _, model = stock
    with pytest.raises(DomainError) as info:
        register_meter_batch(db.session, 30008, 30015, model.id, central.id, "DO-2026-002")
    assert "3 meter number(s) already exist: 30008, 30009, 30010; nothing was registered" in info.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meter)) == 10


def test_sent_meters_are_in_transit_until_received_by_their_store(db, stock):
    _, district, _, _ = stock
    move_meters(db.session, MovementKind.SEND, parse_meter_selection("30001-30003"), district.id, "SJ-1")
    assert numbers(db, MeterStatus.IN_TRANSIT) == ["30001", "30002", "30003"]
    move_meters(db.session, MovementKind.RECEIVE, ["30001", "30002", "30003"], district.id, "SJ-1")
    assert {m.store_id for m in db.session.scalars(sa.select(Meter).where(Meter.number <= "30003"))} == {district.id}


def test_a_store_cannot_receive_what_was_not_sent_to_it(db, stock):
    _, district, lab, _ = stock
    move_meters(db.session, MovementKind.SEND, ["30001"], district.id, "SJ-2")
    with pytest.raises(DomainError, match=f"30001: was not sent to {lab.code}; 30002: was not sent to {lab.code}"):
        move_meters(db.session, MovementKind.RECEIVE, ["30001", "30002"], lab.id, "SJ-2")
    assert numbers(db, MeterStatus.IN_TRANSIT) == ["30001"]


def test_received_at_the_laboratory_means_in_lab(db, stock):
    _, _, lab, _ = stock
    move_meters(db.session, MovementKind.SEND, ["30004"], lab.id, "SJ-3")
    move_meters(db.session, MovementKind.RECEIVE, ["30004"], lab.id, "SJ-3")
    assert numbers(db, MeterStatus.IN_LAB) == ["30004"]


def test_installed_meter_cannot_be_sent_and_nothing_moves(db, stock):
    _, district, _, _ = stock
    installed = db.session.scalar(sa.select(Meter).where(Meter.number == "30005"))
    installed.status, installed.store_id = MeterStatus.INSTALLED, None
    with pytest.raises(DomainError, match="30005: is installed and cannot be sent"):
        move_meters(db.session, MovementKind.SEND, ["30004", "30005"], district.id, "SJ-4")
    assert numbers(db, MeterStatus.IN_TRANSIT) == []


def test_rejection_needs_a_reason(db, stock):
    with pytest.raises(DomainError, match="a rejection needs a reason"):
        move_meters(db.session, MovementKind.REJECT, ["30006"], None, "RJ-1")
    move_meters(db.session, MovementKind.REJECT, ["30006"], None, "RJ-1", reason="display dead")
    assert numbers(db, MeterStatus.REJECTED) == ["30006"]


def test_selection_accepts_ranges_lists_and_prefixes():
    assert parse_meter_selection("30001-30003, 30009 ITR000000123") == ["30001", "30002", "30003", "30009",
                                                                        "ITR000000123"]
    assert parse_meter_selection("ITR7-ITR9") == ["ITR7", "ITR8", "ITR9"]
