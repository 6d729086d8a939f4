"""A customer's money is allocated by one transaction at a time: their customer row is the lock, taken before
their credit and open bills are read, so that those reads (later statements) see what the previous holder
committed.

FOR NO KEY UPDATE, because a new payment holds a KEY SHARE lock on its customer and named bill until it commits,
which a plain FOR UPDATE would wait for while the other waits for this one: a deadlock. SQLite's writers take
turns anyway (BEGIN IMMEDIATE), so nothing is locked there. Each lock is remembered for the transaction that took
it: a second ask (the payer looked up with its lock, then its payment allocated) costs no statement.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.base import innermost_transaction
from models.customers.entities import Customer

LOCK_CHUNK = 10_000                 # customer ids per locking statement (PostgreSQL's parameter cap)
_HELD = "cms.locked_customers"      # session.info: (the transaction, the customer ids it locked)

_LOCK_CUSTOMERS = (sa.select(Customer.id).where(Customer.id.in_(sa.bindparam("ids", expanding=True)))
                   .order_by(Customer.id).with_for_update(key_share=True))


def lock_customers(session: Session, customer_ids) -> None:
    """Lock these customers' rows (in id order, so that two lockers of many never deadlock) until the
    transaction ends."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    held = _held(session)
    ids = sorted(set(customer_ids) - held)
    for start in range(0, len(ids), LOCK_CHUNK):
        connection.execute(_LOCK_CUSTOMERS, {"ids": ids[start:start + LOCK_CHUNK]})
    held.update(ids)


def lock_with(statement: sa.Select) -> sa.Select:
    """A select of (among others) Customer, locking the customer rows it finds as lock_customers does: the
    caller calls locked_by_select with what it found."""
    return statement.with_for_update(of=Customer, key_share=True)


def locked_by_select(session: Session, customer_id: int) -> None:
    """Remember that a lock_with select found (and so locked) this customer in this transaction."""
    if session.connection().dialect.name == "postgresql":
        _held(session).add(customer_id)


def _held(session: Session) -> set[int]:
    # A savepoint's rollback releases the row locks taken in it. A lock taken before a savepoint is taken again
    # inside it (a statement, no wait: this transaction holds it).
    transaction = innermost_transaction(session)
    found = session.info.get(_HELD)
    if found is None or found[0] is not transaction:    # another transaction's locks are gone with it
        found = session.info[_HELD] = (transaction, set())
    return found[1]
