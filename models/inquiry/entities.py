"""The search index of names and addresses, and the indexes the exact-number paths need.

Names and addresses are matched word by word: each word is stored folded (lower case, accents removed,
see models.inquiry.words.fold) in `search_words`, whose primary key (word, kind, object_id) answers a
word prefix with one range scan on both engines. SQLite FTS5 would do the same on SQLite only, and its
shadow tables are not part of the schema the models declare (tests/test_architecture compares them);
PostgreSQL gets pg_trgm indexes as well for the typo-tolerant fallback (models.inquiry.search)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db
from models.customers.entities import Customer

CUSTOMER, PROPERTY = "customer", "property"


class SearchWord(db.Model):
    __tablename__ = "search_words"
    # (kind, object_id, word): "does this row also hold a word starting with ..." in one probe, and renames.
    __table_args__ = (sa.Index("ix_search_words_object", "kind", "object_id", "word"),)

    word: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)      # CUSTOMER or PROPERTY
    object_id: Mapped[int] = mapped_column(primary_key=True)


# A caller's phone number is one of the search paths: exact or prefix, on an index.
CUSTOMER_PHONE_INDEX = sa.Index("ix_customers_phone", Customer.__table__.c.phone)
