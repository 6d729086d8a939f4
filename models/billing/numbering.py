"""Gapless invoice numbers per series and year: INV-2026-0000001, CN-2026-0000001.

The counter row is incremented by one UPDATE ... RETURNING in the issuing transaction: PostgreSQL holds
its row lock until that transaction ends (a second issuer waits, then reads the new value), SQLite
serialises writers anyway; a rolled-back issue rolls its number back with it, so no number is skipped.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.billing.entities import InvoiceCounter

WIDTH = 7


def next_invoice_number(session: Session, series: str, year: int) -> str:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(InvoiceCounter).values(series=series, year=year, last_number=0)
                    .on_conflict_do_nothing(index_elements=["series", "year"]))
    number = session.execute(
        sa.update(InvoiceCounter)
        .where(InvoiceCounter.series == series, InvoiceCounter.year == year)
        .values(last_number=InvoiceCounter.last_number + 1)
        .returning(InvoiceCounter.last_number)
        .execution_options(synchronize_session=False)).scalar_one()
    return f"{series}-{year}-{number:0{WIDTH}d}"
