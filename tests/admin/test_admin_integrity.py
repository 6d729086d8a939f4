"""Every admin view, taken from the Flask-Admin instance: edit forms round-trip unchanged, every filter
operation answers, every CSV export streams to its last row. A new view is covered without editing this file."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import pytest
import sqlalchemy as sa
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.model.filters import BaseBooleanFilter
from lxml import html
from werkzeug.datastructures import MultiDict

from models.audit.entities import AuditEvent
from models.billing.charges import add_misc_charge
from models.billing.entities import BillDocument, BillingRun, MiscChargeType
from models.billing.operations import issue_bill, record_bill
from models.billing.simulation import simulate_bill
from models.customers.entities import Account, BankAccount, CustomerKind, IdentityDocumentType
from models.demo.loader import load_demo_data
from models.meters.entities import Meter, MeterStatus
from models.readings.entities import IntervalReading, ReadingRule
from models.tariffs.catalogue import load_pln_catalogue

BETWEEN = (sqla_filters.DateBetweenFilter, sqla_filters.DateNotBetweenFilter, sqla_filters.DateTimeBetweenFilter,
           sqla_filters.DateTimeNotBetweenFilter, sqla_filters.TimeBetweenFilter, sqla_filters.TimeNotBetweenFilter)


@pytest.fixture
def utility(db, make, request_process, clock):
    """A small demo utility, committed like real data, plus rows for the tables the demo leaves empty."""
    load_demo_data(db.session, 20, seed=7)
    meter, account = db.session.scalars(sa.select(Meter)).first(), db.session.scalars(sa.select(Account)).first()
    db.session.add_all([
        BankAccount(account=account, bank="BRI", number="1234567890", holder="Siti"),
        ReadingRule(tariff_class="B-2", high_factor=Decimal("2.5"), low_factor=Decimal("0.3"), stopped_periods=4),
        IntervalReading(meter=meter, channel="1.8.0", start_at=clock.instant, minutes=15, value=Decimal("0.25"))])
    request_process()
    _billing_rows(db, make)
    db.session.commit()


def _billing_rows(db, make):
    """An issued bill with its document, a billing run and a misc charge: the demo bills nothing yet."""
    contract = make.contract(tariff=load_pln_catalogue(db.session)["R-1/TR 1300"], power_va=1300)
    bill = issue_bill(db.session, record_bill(db.session, contract, simulate_bill(
        db.session, "R-1/TR 1300", 1300, "2024-10", kwh="180"), period=date(2024, 10, 1)))
    fee = MiscChargeType(code="RECONNECT", name="Reconnection fee", default_amount=Decimal("150000"))
    db.session.add_all([BillDocument(bill_id=bill.id, content=b"%PDF-1.4", sha256="0" * 64), fee,
                        BillingRun(period=date(2024, 10, 1), by="clerk")])
    add_misc_charge(db.session, contract, fee, None, "reconnected after payment")


def admin_views(app):
    return [v for admin in app.extensions["admin"] for v in admin._views if hasattr(v, "model")]


def page_errors(text: str) -> list[str]:
    """What the page says went wrong: flashed messages and field errors."""
    doc = html.fromstring(text)
    found = doc.xpath('//*[contains(@class, "alert-danger") or contains(@class, "invalid-feedback")]')
    return [e.text_content().strip() for e in found]


def snapshot(row) -> tuple:
    return tuple((c.key, getattr(row, c.key)) for c in sa.inspect(type(row)).column_attrs)


def enum_score(row, view) -> int:
    """How many enum values of a row (and its inline rows) differ from their enum's first member."""
    rows = [row] + [child for attr, _ in view_inlines(view) for child in getattr(row, attr)]
    return sum(1 for r in rows for v in vars(r).values() if isinstance(v, Enum) and v is not next(iter(type(v))))


def view_inlines(view):
    for inline in view.inline_models or ():
        model = inline[0] if isinstance(inline, tuple) else inline
        rel = next(r for r in sa.inspect(view.model).relationships if r.mapper.class_ is model)
        yield rel.key, model


def row_to_edit(db, view):
    """The row a form showing each select's first option would most surely change."""
    pk = sa.inspect(view.model).primary_key[0]
    rows = db.session.scalars(sa.select(view.model).order_by(pk).limit(200)).all()
    return max(rows, key=lambda r: enum_score(r, view), default=None)


def form_values(client, url) -> MultiDict:
    """What a browser would send for the page's admin form untouched (a select with nothing selected
    sends its first option)."""
    form = html.fromstring(client.get(url).text).xpath('//form[contains(@class, "admin-form")]')[0]
    return MultiDict(form.form_values())


def test_changing_an_organisations_phone_keeps_its_kind_and_document(db, client, login, make):
    customer = make.customer(name="PT Sinar Jaya", kind=CustomerKind.ORGANISATION)
    make.identity_document(customer, number="012345678901000", doc_type=IdentityDocumentType.TAX_NUMBER)
    login("admin")
    url = f"/admin/admin_customers/edit/?id={customer.id}"
    data = form_values(client, url)
    data["phone"] = "0215550199"
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert (customer.phone, customer.kind, [d.doc_type for d in customer.identity_documents]) == (
        "0215550199", CustomerKind.ORGANISATION, [IdentityDocumentType.TAX_NUMBER])


def test_meters_are_filtered_by_status(db, client, login, make):
    make.meter(number="50011")
    make.meter(number="50012", status=MeterStatus.SCRAPPED, store=None)
    login("admin")
    page = client.get("/admin/admin_meters/?flt1_status_equals=in_store")
    assert page.status_code == 200 and "50011" in page.text and "50012" not in page.text


def full_snapshot(db, view, row_id):
    db.session.expire_all()
    row = db.session.get(view.model, row_id)
    links = {r.key: sorted(c.id for c in getattr(row, r.key))
             for r in sa.inspect(view.model).relationships if r.secondary is not None}
    inline = {attr: sorted(snapshot(c) for c in getattr(row, attr)) for attr, _ in view_inlines(view)}
    return snapshot(row), inline, links


def test_every_edit_form_saves_unchanged_what_it_shows(app, db, client, login, utility):
    login("admin")
    views = [v for v in admin_views(app) if v.allow_edit]
    problems = []
    for view in views:
        row = row_to_edit(db, view)
        if row is None:
            problems.append(f"{view.endpoint}: no row to edit")
            continue
        row_id, url = row.id, f"{view.url}/edit/?id={row.id}"
        before, events = full_snapshot(db, view, row_id), db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
        response = client.post(url, data=form_values(client, url))
        if response.status_code != 302:
            problems.append(f"{view.endpoint} #{row_id}: {response.status_code} {page_errors(response.text)}")
            continue
        after = full_snapshot(db, view, row_id)
        if after != before:
            problems.append(f"{view.endpoint} #{row_id}: {before} became {after}")
        if db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) != events:
            problems.append(f"{view.endpoint} #{row_id}: an unchanged save wrote audit events")
    assert len(views) >= 20 and problems == []


def sample(db, flt):
    """A value of the filter's column taken from the data, else one its options or type allow."""
    value = db.session.scalar(sa.select(flt.column).where(flt.column.is_not(None)).limit(1))
    if value is None:
        python_type = flt.column.type.python_type
        value = (flt.options[0][0] if flt.options else
                 {date: date(2025, 1, 1), datetime: datetime(2025, 1, 1, 12), bool: True}.get(python_type, 1))
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "1" if isinstance(value, bool) else str(value)


def filter_value(db, flt) -> str:
    if isinstance(flt, sqla_filters.FilterEmpty | BaseBooleanFilter):
        return "1"
    value = sample(db, flt)
    return f"{value} to {value}" if isinstance(flt, BETWEEN) else value


@pytest.mark.walk
@pytest.mark.parametrize("shard", range(4))   # in four parts, so pytest-xdist's workers share the walk
def test_every_filter_operation_answers(app, db, client, login, utility, shard):
    login("admin")
    problems, tried = [], 0
    for view in admin_views(app)[shard::4]:
        for key, (_, flt) in (view._filter_args or {}).items():
            query = {f"flt0_{key}": filter_value(db, flt)}
            tried += 1
            try:
                page = client.get(f"{view.url}/", query_string=query)
            except Exception as exc:  # noqa: BLE001 - the test client re-raises what would be an HTTP 500
                problems.append(f"{view.endpoint} {query}: {exc!r}"[:300])
                continue
            if page.status_code != 200 or "Invalid Filter Value" in page.text:
                problems.append(f"{view.endpoint} {query}: {page.status_code} {page_errors(page.text)}")
    assert tried > 200 // 4 and problems == []


def test_every_csv_export_streams_every_row(app, db, client, login, utility):
    login("admin")
    problems = []
    for view in admin_views(app):
        if not view.can_export:
            continue
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(view.model))
        response = client.get(f"{view.url}/export/csv/", buffered=False)
        db.session.remove()  # what Flask's app-context teardown does before the body streams
        try:
            exported = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        except Exception as exc:  # noqa: BLE001 - any failure mid-stream is the defect being looked for
            problems.append(f"{view.endpoint}: stream broke: {exc!r}"[:300])
            continue
        if response.status_code != 200 or len(exported) - 1 != rows:
            problems.append(f"{view.endpoint}: {response.status_code}, {len(exported) - 1} of {rows} rows")
    assert problems == []
