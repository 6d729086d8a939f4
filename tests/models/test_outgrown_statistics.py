"""A bulk import refreshes the planner's statistics of the tables it has outgrown in its own transaction
(models.base.analyze_if_outgrown): chunk by chunk, a few times, each time at least tripling what they count.
SQLite keeps no such statistics: nothing to refresh."""
from __future__ import annotations

import sqlalchemy as sa

from models.base import analyze_if_outgrown


def _counted(db) -> float | None:
    if db.engine.dialect.name != "postgresql":
        return None
    return db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'outgrown'"))


def test_statistics_follow_the_rows_a_chunked_import_adds(db):
    db.session.execute(sa.text("CREATE TEMP TABLE outgrown (id integer)"))
    seen = []
    for written in range(1000, 10001, 1000):         # ten chunks of a thousand rows
        db.session.execute(sa.text("INSERT INTO outgrown SELECT :n FROM (SELECT 1) one, "
                                   "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
                                   "SELECT i FROM n) many"), {"n": written})
        analyze_if_outgrown(db.session, [sa.table("outgrown")], written)
        seen.append(_counted(db))
    if db.engine.dialect.name == "postgresql":       # analysed at 2,000 rows and at 6,000, as they passed 2x + 1,000
        assert seen == [-1] + [2000] * 4 + [6000] * 5
    else:
        assert seen == [None] * 10
