"""The generated admin is no back door around the operations (admin_views.owned): no create or edit form
offers a field an operation owns, and rows an operation owns are neither created, edited nor deleted, even
by an admin posting to the views directly. The views come from the app's Flask-Admin instance, so a new
view is held to the table without editing this file."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_admin.contrib.sqla.fields import InlineModelFormList
from flask_login import login_user
from lxml import html

from admin_views.owned import OWNED_FIELDS, OWNED_ROWS, SET_ON_ENTRY, owned_on_create, owned_on_edit
from models.demo.loader import load_demo_data
from models.users.entities import User
from tests.conftest import csrf_token

STATUS_NAMES = {"status", "state"}


class OwnContextClient(FlaskClient):
    """Requests in their own app context, so Flask-Login's user cached in `g` is this client's own."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def client_form(client, url) -> dict:
    form = html.fromstring(client.get(url).text).xpath('//form[contains(@class, "admin-form")]')[0]
    return dict(form.form_values())


def admin_views(app):
    return [v for admin in app.extensions["admin"] for v in admin._views if getattr(v, "model", None) is not None]


def offered(form, model):
    """(model, field name) for every field of a form and of the inline forms it holds."""
    for field in form:
        if isinstance(field, InlineModelFormList):
            yield from offered(field.form(meta={"csrf": False}), field.model)
        else:
            yield model, field.name


@pytest.fixture
def utility(db, request_process):
    load_demo_data(db.session, 20, seed=7)
    request_process()
    db.session.commit()


def test_the_table_names_real_fields_and_every_status(app):
    for table in (OWNED_FIELDS, SET_ON_ENTRY):
        for model, fields in table.items():
            assert set(fields) <= set(sa.inspect(model).attrs.keys()), model
    unowned = [f"{v.model.__name__}.{c.key}" for v in admin_views(app) for c in sa.inspect(v.model).column_attrs
               if c.key in STATUS_NAMES and c.key not in OWNED_FIELDS.get(v.model, {})]
    assert unowned == []


def test_no_admin_form_offers_a_field_an_operation_owns(app, db, make):
    admin, _ = make.user(role="admin")
    problems, forms = [], 0
    with app.test_request_context("/admin/"):
        login_user(admin)
        for view in admin_views(app):
            for allowed, build, owned in ((view.can_create, view.create_form, owned_on_create),
                                          (view.can_edit, view.edit_form, owned_on_edit)):
                if not allowed:
                    continue
                forms += 1
                problems += [f"{view.endpoint}: {model.__name__}.{name} ({owned(model)[name]})"
                             for model, name in offered(build(), view.model) if name in owned(model)]
    assert forms >= 35 and problems == []


def snapshot(db, model) -> list[tuple]:
    db.session.expire_all()
    keys = [c.key for c in sa.inspect(model).column_attrs]
    return [tuple(getattr(r, k) for k in keys) for r in db.session.scalars(sa.select(model).order_by(*sa.inspect(
        model).primary_key))]


def test_rows_an_operation_owns_are_read_only_to_the_admin(app, db, client, login, utility):
    admin = login("admin")
    token = csrf_token(client, "/admin/admin_meters/")
    views = [v for v in admin_views(app) if v.model in OWNED_ROWS]
    with app.test_request_context("/admin/"):
        login_user(admin)
        assert [v.endpoint for v in views if v.can_create or v.can_edit or v.can_delete] == []
    problems = []
    for view in views:
        row = db.session.scalar(sa.select(view.model).limit(1))
        key = view.get_pk_value(row) if row is not None else 1
        fields = {c.key: "1" for c in sa.inspect(view.model).column_attrs if c.key != "id"}
        before = snapshot(db, view.model)
        for path, data in (("new/", fields), (f"edit/?id={key}", fields), ("delete/", {"id": key}),
                           ("action/", {"action": "delete", "rowid": key})):
            status = client.post(f"{view.url}/{path}", data={**data, "csrf_token": token}).status_code
            if status not in (302, 403, 404):
                problems.append(f"{view.endpoint} {path}: HTTP {status}")
        if snapshot(db, view.model) != before:
            problems.append(f"{view.endpoint}: rows changed")
    assert len(views) == len(OWNED_ROWS) and problems == []


def test_an_owned_field_posted_to_an_edit_form_is_ignored(db, client, login, make):
    point, meter = make.service_point(), make.meter(number="50021")
    login("admin")
    for url, data in ((f"/admin/admin_service_points/edit/?id={point.id}", {"status": "terminated"}),
                      (f"/admin/admin_meters/edit/?id={meter.id}", {"status": "scrapped", "store": ""})):
        form = {**client_form(client, url), **data, "csrf_token": csrf_token(client, url)}
        assert client.post(url, data=form).status_code == 302
    db.session.expire_all()
    assert (point.status.value, meter.status.value, meter.store is not None) == ("active", "in_store", True)


def test_users_are_deactivated_not_deleted(db, client, login, make):
    login("admin")
    clerk, _ = make.user()
    token = csrf_token(client, "/admin/admin_users/")
    for path, data in (("delete/", {"id": clerk.id}), ("action/", {"action": "delete", "rowid": clerk.id})):
        client.post(f"/admin/admin_users/{path}", data={**data, "csrf_token": token})
    assert db.session.get(User, clerk.id) is not None


def test_a_password_set_in_the_admin_follows_the_rules_and_ends_the_users_sessions(app, db, client, login, make):
    login("admin")
    clerk, password = make.user()
    other = OwnContextClient(app, app.response_class, use_cookies=True)   # another browser
    other.post("/login", data={"email": clerk.email, "password": password, "csrf_token": csrf_token(other, "/login")})
    url = f"/admin/admin_users/edit/?id={clerk.id}"
    form = {**client_form(client, url), "csrf_token": csrf_token(client, url)}
    assert "is too easy to guess" in client.post(url, data=form | {"new_password": "password1"}).text
    assert other.get("/").status_code == 200
    assert client.post(url, data=form | {"new_password": "plum kettle orbit"}).status_code == 302
    assert other.get("/").status_code == 302
