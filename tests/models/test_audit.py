import sqlalchemy as sa

from models.audit.entities import AuditAction, AuditEvent
from models.audit.recorder import Actor, acting_as
from models.customers.entities import Customer


def events(session, entity):
    return session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)).all()


def test_insert_update_delete_are_recorded_with_actor_and_values(db, make):
    with acting_as(Actor(7, "siti@example.com")):
        meter = make.meter(number="40001")
        register = meter.registers[0]
        register.multiplier = 40
        db.session.flush()
        db.session.delete(register)
        db.session.flush()
    insert, update, delete = events(db.session, "registers")
    assert (insert.action, insert.actor_id, insert.actor) == (AuditAction.INSERT, 7, "siti@example.com")
    assert update.changes == {"multiplier": ["1", "40"]} and update.entity_id == str(register.id)
    assert delete.action is AuditAction.DELETE and delete.changes["code"] == ["1.8.0", None]


def test_rolled_back_change_leaves_no_trail(db, make):
    savepoint = db.session.begin_nested()
    db.session.add(Customer(name="Ghost"))
    db.session.flush()
    savepoint.rollback()
    assert not [e for e in events(db.session, "customers") if e.changes.get("name") == [None, "Ghost"]]


def test_secrets_are_not_copied_into_the_trail(db, make):
    user, _ = make.user()
    event = events(db.session, "users")[-1]
    assert event.entity_id == str(user.id) and "password" not in event.changes
    assert "fs_uniquifier" not in event.changes
