"""Long lists a page at a time, as a page's query string asks (?page=, ?per_page=)."""
from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from models.base import db
from models.params import optional_int

PER_PAGE = 50
MAX_PER_PAGE = 200


def paginate(query: sa.Select, args: Mapping[str, str], key=None):
    """The page of `query` that args' `page` asks for (the first when absent or not a number; past the end
    an empty page that still knows the total), `per_page` rows long (50 unless asked, 200 at most).

    db.paginate keeps only the first column of each row: a query of several columns names its `key`
    column, the page is counted and cut on that, and its rows are then read whole, in the query's order.
    """
    page = db.paginate(query if key is None else query.with_only_columns(key),
                       page=optional_int(args.get("page")) or 1,
                       per_page=optional_int(args.get("per_page")) or PER_PAGE,
                       max_per_page=MAX_PER_PAGE, error_out=False)
    if key is not None:
        page.items = db.session.execute(query.where(key.in_(page.items))).all() if page.items else []
    return page
