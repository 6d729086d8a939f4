"""A bulk import refreshes the planner's statistics of the tables it has outgrown in its own
transaction (models.base.analyze_if_outgrown); on SQLite there are none to refresh."""
from __future__ import annotations

import sqlalchemy as sa

from models.base import analyze_if_outgrown


def _counted(db) -> float | None:
    return db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'outgrown'"))


def test_statistics_follow_the_rows_the_transaction_added(db):
    db.session.execute(sa.text("CREATE TEMP TABLE outgrown (id integer)"))
    db.session.execute(sa.text("INSERT INTO outgrown WITH RECURSIVE n(i) AS "
                               "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) SELECT i FROM n"))
    postgresql = db.engine.dialect.name == "postgresql"
    before = _counted(db) if postgresql else None
    analyze_if_outgrown(db.session, [sa.table("outgrown")], 900)        # a few: left alone
    assert (_counted(db) if postgresql else None) == before
    analyze_if_outgrown(db.session, [sa.table("outgrown")], 3000)
    assert (_counted(db) if postgresql else None) == (3000 if postgresql else None)
