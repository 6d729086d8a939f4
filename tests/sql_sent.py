"""The SQL a block of a test sends, for tests that count statements (a lock, a look-up that must not happen)."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def statements(db):
    """The SQL sent inside the block."""
    sent = []

    def keep(_conn, _cursor, statement, *_args):
        sent.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
