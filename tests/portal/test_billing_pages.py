"""/billing: runs and their progress, the bill list and its CSV, the bill page that explains every line, its
document, its cancellation; the service point page's bills."""
import csv
import hashlib
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.billing.entities import (
    Bill,
    BillDocument,
    BillingChunk,
    BillingRun,
    BillStatus,
    ChunkStatus,
    MiscCharge,
    MiscChargeType,
    RunStatus,
)
from models.billing.inputs import BillInputs, ContractSegment, QuantitySource, ReadingPair, snapshot_version
from models.billing.operations import issue_bill, record_bill
from models.billing.pricing import price_bill
from models.billing.simulation import parse_period
from models.clock import now_utc
from models.meters.entities import UsageType
from models.readings.cycles import open_cycle
from models.tariffs.catalogue import load_pln_catalogue
from models.tariffs.entities import Tariff, TariffVersion
from tests.conftest import csrf_token

HOUSEHOLD = "R-1/TR 1300"
FORMULA = '=HYPERLINK("http://evil.example","x")'


def priced(session, period: str, kwh: str, code: str = HOUSEHOLD):
    """A month on the catalogue's version of `code`, its kWh read from 1000 to 1000 + kwh on meter M-1."""
    start, end = parse_period(period)
    version = session.scalar(sa.select(TariffVersion).join(Tariff).where(
        Tariff.code == code, TariffVersion.effective_from <= start,
        sa.or_(TariffVersion.effective_to.is_(None), TariffVersion.effective_to > start)))
    pair = ReadingPair("1.8.0", Decimal(1000), "actual", start, Decimal(1000) + Decimal(kwh), "actual", end,
                       meter_number="M-1")
    return price_bill(BillInputs(start, end, (ContractSegment(date(2020, 1, 1), None, code, 1300),),
                                 (snapshot_version(version),), (QuantitySource(UsageType.ACTIVE, Decimal(kwh), pair),)))


def bill_maker(session, make):
    """Bills of one household contract (or the one given): issued unless told, held with reasons."""
    tariffs = load_pln_catalogue(session)
    household = make.contract(tariff=tariffs[HOUSEHOLD], power_va=1300)

    def _bill(period="2024-10", kwh="180", issue=True, hold=(), contract=None, run_id=None) -> Bill:
        bill = record_bill(session, contract or household, priced(session, period, kwh),
                           period=parse_period(period)[0], hold_reasons=hold, run_id=run_id)
        return issue_bill(session, bill) if issue and not hold else bill
    _bill.contract = household
    return _bill


@pytest.fixture
def make_bill(db, make):
    return bill_maker(db.session, make)


def test_the_bill_page_explains_every_line_with_its_readings(db, client, login, make_bill):
    bill = make_bill()
    login("clerk")
    page = client.get(f"/billing/bills/{bill.number}").text
    # 180 kWh x Rp 1,444.70 = Rp 260,046; PPJ 3% = Rp 7,801; total Rp 267,847
    assert "180 kWh x Rp 1,444.70 = Rp 260,046" in page and "Rp 267,847" in page
    assert "1.8.0" in page and "1180" in page and make_bill.contract.customer_no in page
    assert "jam nyala 138.5" in page and "<b>issued</b>" in page


def test_a_draft_is_found_by_id_and_a_numbered_bill_by_its_number(db, client, login, make_bill):
    draft, issued = make_bill(issue=False), make_bill(period="2024-11")
    login("clerk")
    assert client.get(f"/billing/bills/id/{draft.id}").status_code == 200
    assert client.get(f"/billing/bills/id/{issued.id}").headers["Location"] == f"/billing/bills/{issued.number}"
    assert client.get("/billing/bills/INV-1900-0000001").status_code == 404


def test_the_document_downloads_once_rendered(db, client, login, make_bill):
    bill = make_bill()
    login("clerk")
    assert "not rendered yet" in client.get(f"/billing/bills/{bill.number}/document").text
    content = b"%PDF-1.4 x"
    db.session.add(BillDocument(bill_id=bill.id, content=content, sha256=hashlib.sha256(content).hexdigest()))
    db.session.flush()
    answer = client.get(f"/billing/bills/{bill.number}/document")
    assert (answer.status_code, answer.mimetype, answer.data) == (200, "application/pdf", content)
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{bill.number}.pdf"'
    assert f"/billing/bills/{bill.number}/document" in client.get(f"/billing/bills/{bill.number}").text


def test_cancelling_links_the_bill_and_its_credit_note_both_ways(db, client, login, make_bill):
    bill = make_bill()
    login("clerk")
    url = f"/billing/bills/{bill.number}"
    client.post(f"/billing/bills/id/{bill.id}/cancel", data={"reason": "meter read wrongly",
                                                              "csrf_token": csrf_token(client, url)})
    credit = db.session.scalar(sa.select(Bill).where(Bill.cancels_id == bill.id))
    assert bill.status is BillStatus.CANCELLED and credit.total == -bill.total
    assert f"Cancelled by credit note <a href=\"/billing/bills/{credit.number}\">" in client.get(url).text
    assert f"Cancels <a href=\"{url}\">{bill.number}</a>" in client.get(f"/billing/bills/{credit.number}").text


def test_a_cancellation_without_reason_is_refused(db, client, login, make_bill):
    bill = make_bill()
    login("clerk")
    url = f"/billing/bills/{bill.number}"
    answer = client.post(f"/billing/bills/id/{bill.id}/cancel", data={"reason": " ",
                                                                       "csrf_token": csrf_token(client, url)},
                         follow_redirects=True)
    assert "give the reason for the cancellation" in answer.text and bill.status is BillStatus.ISSUED


def test_the_bill_list_filters_and_its_csv_neutralises_formulas(db, client, login, make_bill):
    make_bill(period="2024-11")
    held = make_bill(hold=[FORMULA])
    login("clerk")
    page = client.get("/billing/bills?status=held").text
    assert f"/billing/bills/id/{held.id}" in page and "INV-" not in page
    rows = list(csv.DictReader(io.StringIO(client.get("/billing/bills?status=held&format=csv").text)))
    assert [(r["status"], r["hold_reasons"], r["total"]) for r in rows] == [("held", "'" + FORMULA, "267847")]
    assert len(list(csv.DictReader(io.StringIO(client.get("/billing/bills?period=2024-11&format=csv").text)))) == 1


def test_the_service_point_page_lists_its_bills_newest_first(db, client, login, make_bill):
    older, newer = make_bill(period="2024-10"), make_bill(period="2024-11")
    login("clerk")
    page = client.get(f"/service-points/{make_bill.contract.service_point.spn}").text
    assert page.index(newer.number) < page.index(older.number)


def _run(db) -> BillingRun:
    """A run half done: its first chunk billed one contract and held one, the second still pending."""
    run = BillingRun(period=date(2024, 10, 1), status=RunStatus.RUNNING, by="clerk", total=4, done=2, held=1,
                     started_at=now_utc() - timedelta(seconds=10))
    run.chunks = [BillingChunk(sequence=1, contract_ids=[1, 2], status=ChunkStatus.DONE, billed=1, held=1),
                  BillingChunk(sequence=2, contract_ids=[3, 4], status=ChunkStatus.PENDING)]
    db.session.add(run)
    db.session.flush()
    return run


def test_the_billing_page_lists_runs_and_counts_the_held_bills(db, client, login, make_bill):
    run = _run(db)
    make_bill(hold=["consumption far above history"])
    login("clerk")
    page = client.get("/billing/").text
    assert f"/billing/runs/{run.id}" in page and "2024-10" in page and "50.0 %" in page
    assert 'href="/billing/bills?status=held">Held bills (exceptions): <b>1</b>' in page


def test_a_runs_progress_is_polled_and_its_summary_is_by_tariff_class(db, client, login, make_bill):
    run = _run(db)
    make_bill(run_id=run.id)
    login("clerk")
    progress = client.get(f"/billing/runs/{run.id}/progress").json
    assert (progress["done"], progress["total"], progress["percent"], progress["held"]) == (2, 4, 50.0, 1)
    assert progress["status"] == "running" and progress["rate"] > 0 and progress["seconds_left"] >= 0
    page = client.get(f"/billing/runs/{run.id}").text
    assert "billing.js" in page and "267,847" in page and "run-chart" in page


def test_a_run_started_on_the_page_bills_the_month(db, client, login, make):
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(make.service_point(route=make.route()), tariffs[HOUSEHOLD], 1300,
                             registered_on=date(2024, 10, 1))
    make.reading(make.installed_meter(contract, date(2024, 10, 1), "1000"), date(2024, 11, 5), "1180")
    login("clerk")
    answer = client.post("/billing/runs", data={"period": "2024-11", "csrf_token": csrf_token(client, "/billing/")})
    run = db.session.scalar(sa.select(BillingRun))
    assert answer.headers["Location"] == f"/billing/runs/{run.id}" and run.status is RunStatus.DONE
    assert db.session.scalar(sa.select(Bill.total).where(Bill.run_id == run.id)) == Decimal("267847")


def test_a_route_whose_cycle_is_open_is_named_and_not_billed(db, client, login, make):
    route = make.route()
    open_cycle(db.session, route, date(2024, 11, 1))
    login("clerk")
    answer = client.post("/billing/runs", data={"period": "2024-11", "routes": [route.code],
                                                "csrf_token": csrf_token(client, "/billing/")}, follow_redirects=True)
    assert f"Route {route.code} is not billed: the reading cycle for 2024-11 is still open" in answer.text
    assert db.session.scalar(sa.select(BillingRun.total)) == 0


def test_a_run_over_an_unknown_route_is_refused_with_the_reason(db, client, login):
    login("clerk")
    answer = client.post("/billing/runs", data={"period": "2024-11", "routes": ["NOPE"],
                                                "csrf_token": csrf_token(client, "/billing/")}, follow_redirects=True)
    assert "unknown route NOPE" in answer.text and db.session.scalar(sa.select(BillingRun)) is None


def test_a_run_for_one_billing_cycle_says_so_and_a_made_up_cycle_is_refused(db, client, login):
    login("clerk")
    token = csrf_token(client, "/billing/")
    page = client.post("/billing/runs", data={"period": "2024-11", "cycles": ["bimonthly"], "csrf_token": token},
                       follow_redirects=True).text
    assert "bimonthly contracts" in page and db.session.scalar(sa.select(BillingRun.cycles)) == ["bimonthly"]
    answer = client.post("/billing/runs", data={"period": "2024-11", "cycles": ["x" * 10_000], "csrf_token": token},
                         follow_redirects=True)
    assert answer.status_code == 200 and "is not a billing cycle (monthly or bimonthly)" in answer.text
    assert db.session.scalar(sa.select(sa.func.count(BillingRun.id))) == 1


def test_an_unknown_run_is_404(client, login):
    login("clerk")
    assert client.get("/billing/runs/999999").status_code == 404
    assert client.get("/billing/runs/999999/progress", headers={"Accept": "application/json"}).status_code == 404


def test_the_admin_adds_a_misc_charge_through_add_misc_charge(db, client, login, make_bill):
    fee = MiscChargeType(code="METER_TEST", name="Meter test fee", default_amount=Decimal("75000"))
    db.session.add(fee)
    db.session.flush()
    login("admin")
    url = "/admin/admin_misc_charges/add"
    form = {"customer_no": make_bill.contract.customer_no, "charge_type": str(fee.id), "amount": "",
            "reason": "customer asked for a test", "csrf_token": csrf_token(client, url)}
    assert client.post(url, data=form).status_code == 302
    assert "no contract with ID Pelanggan NOPE" in client.post(url, data={**form, "customer_no": "NOPE"}).text
    charges = db.session.scalars(sa.select(MiscCharge)).all()
    assert [(c.amount, c.reason, c.bill_id) for c in charges] == [(Decimal("75000"), "customer asked for a test", None)]
