"""A clerk bills last month from the page, watches the run finish, releases a held bill from the worklist
and downloads its invoice: the PDF names its number and total."""
import io
import sqlite3
from decimal import Decimal

import pytest
from pypdf import PdfReader

from models.clock import now_utc, today
from models.types import add_months
from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def hold_one_bill(database, period) -> int:
    """A misc charge far above a household's limit (Rp 5,000,000) on a contract billed before: this month's
    bill of that contract is held for review. Returns the contract."""
    with sqlite3.connect(database) as db:
        contract = db.execute("SELECT contract_id FROM bills WHERE status = 'issued' AND tariff_class = 'R-1' "
                              "AND period = ? ORDER BY id LIMIT 1", (f"{add_months(period, -1)}",)).fetchone()[0]
        kind = db.execute("INSERT INTO misc_charge_types (code, name, taxable) VALUES ('BRWS', 'Meter test', 0) "
                          "RETURNING id").fetchone()[0]
        db.execute("INSERT INTO misc_charges (contract_id, charge_type_id, amount, reason, by, created_at) "
                   "VALUES (?, ?, 9000000, 'meter test at the customer''s request', 'test', ?)",
                   (contract, kind, now_utc().replace(tzinfo=None).isoformat(" ")))
    return contract


def test_a_run_held_bill_released_and_its_invoice_downloaded(login_as, live_server, live_database, live_worker):
    period = add_months(today().replace(day=1), -1)
    contract = hold_one_bill(live_database, period)
    page = login_as("clerk@example.com", "watt-clerk")
    page.goto(f"{live_server}/billing/")
    page.fill("#period", f"{period:%Y-%m}")
    page.click("#start-run button")
    page.wait_for_selector("#run-bar")
    page.wait_for_function("document.querySelector('#run-status').innerText === 'done'", timeout=120_000)
    assert page.inner_text("#run-bar").strip() in ("100 %", "100.0 %")
    shoot(page, "billing-run-done")
    with sqlite3.connect(live_database) as db:
        bill_id, task_id = db.execute(
            "SELECT b.id, t.id FROM bills b JOIN human_tasks t ON t.object_type = 'bill' AND t.object_id = b.id "
            "WHERE b.contract_id = ? AND b.period = ? AND b.status = 'held'", (contract, f"{period}")).fetchone()
    page.goto(f"{live_server}/billing/bills/id/{bill_id}")
    assert "above" in page.inner_text("body") and "Meter test" in page.inner_text("body")
    page.goto(f"{live_server}/worklist/?task={task_id}")
    page.wait_for_selector("#task-form")
    page.select_option("select[name=decision]", "release")
    page.fill("[name=note]", "customer asked for the meter test; amount confirmed")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".alert-success")
    with sqlite3.connect(live_database) as db:
        number, total = db.execute("SELECT number, total FROM bills WHERE id = ?", (bill_id,)).fetchone()
    assert number and number.startswith(f"INV-{today().year}-")
    for _ in range(120):      # the worker renders the document once the release has committed
        page.goto(f"{live_server}/billing/bills/{number}")
        if page.locator("a[href$='/document']").count():
            break
        page.wait_for_timeout(500)
    with page.expect_download() as download:
        page.click("a[href$='/document']")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages)
    assert number in text and f"Rp {Decimal(str(total)):,.0f}" in text
    shoot(page, "billing-released-bill")
