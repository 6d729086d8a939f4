"""No input to the generated admin gets a 5xx: every view's list arguments, ids, and every field of its
create and edit forms, with hostile values. The views come from the Flask-Admin instance, the fields
from the forms as rendered, so a new view or field is covered without editing this file."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from models.audit.entities import AuditEvent
from models.demo.loader import load_demo_data
from tests.conftest import csrf_token

HOSTILE = ["1" + "0" * 30, "-1", "NaN", "Infinity", "١٢٣", "x" * 10_000, "9999-12-31", "0001-01-01", "\u202e1",
           "💡", "<script>"]
LIST_ARGS = ["page", "sort", "desc", "search", "page_size", "flt0_0"]
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


class _Failures(list):
    tried = 0


def _audit_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def _views(app):
    return [v for v in app.extensions["admin"][0]._views if getattr(v, "model", None) is not None]


@pytest.fixture
def utility(db):
    load_demo_data(db.session, 8, seed=5)
    db.session.commit()


def _try(client, db, failures, method, url, **body):
    failures.tried = getattr(failures, "tried", 0) + 1
    before = _audit_count(db)
    try:
        status = client.open(url, method=method, **body).status_code
    except Exception as exc:  # noqa: BLE001  the test client re-raises what would be a 500
        db.session.rollback()
        failures.append(f"{method} {url[:90]}: {type(exc).__name__}: {str(exc)[:160]}")
        return
    if status >= 500:
        failures.append(f"{method} {url[:90]}: HTTP {status}")
    elif 400 <= status < 500 and _audit_count(db) != before:
        failures.append(f"{method} {url[:90]}: HTTP {status} but wrote")


SHARDS = 4   # the walk in four parts, so pytest-xdist's workers share it


@pytest.mark.walk
@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_hostile_input_to_the_admin_gets_a_server_error(db, app, client, login, utility, shard):
    login("admin")
    token = csrf_token(client, "/admin/admin_meters/new/")
    failures, posted = _Failures(), 0
    for view in _views(app)[shard::SHARDS]:
        base = f"/admin/{view.endpoint}"
        for value in HOSTILE:
            _try(client, db, failures, "GET", f"{base}/", query_string={a: value for a in LIST_ARGS})
            _try(client, db, failures, "GET", f"{base}/details/", query_string={"id": value})
        row = db.session.scalar(sa.select(view.model).limit(1))
        targets = [("new/", {})] if view.allow_create else []
        if view.allow_edit and row is not None:
            targets.append(("edit/", {"id": view.get_pk_value(row)}))
        for path, query in targets:
            page = client.get(f"{base}/{path}", query_string=query)
            fields = sorted(set(FIELD.findall(page.text)) - {"csrf_token"})
            posted += bool(fields)
            for value in HOSTILE:
                _try(client, db, failures, "POST", f"{base}/{path}", query_string=query,
                     data={**{f: value for f in fields}, "csrf_token": token})
    assert posted >= 20 // SHARDS and failures.tried > 1000 // SHARDS, (posted, failures.tried)  # forms really sent
    assert failures == [], f"{len(failures)} failed:\n" + "\n".join(failures[:40])


@pytest.mark.parametrize("view_name,action", [("admin_customers", "delete"), ("admin_users", "unlock")])
def test_an_action_on_hostile_row_ids_touches_nothing(db, client, login, make, view_name, action):
    make.customer(name="Kept")
    login("admin")
    page = client.post(f"/admin/{view_name}/action/", follow_redirects=True, data={
        "action": action, "rowid": ["abc", "1" + "0" * 30, "-1"],
        "csrf_token": csrf_token(client, f"/admin/{view_name}/")})
    assert page.status_code == 200 and "Kept" in client.get("/admin/admin_customers/").text
