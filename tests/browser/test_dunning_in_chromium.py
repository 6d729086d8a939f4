"""Dunning with the real service orders: an overdue bill, the daily beat and the timers (run on the clock of each
day) send the reminder, the warning and the disconnection order; the crew completes it on its page and the
service point is disconnected; the customer pays at the counter, the reconnection order and its fee appear; the
crew reconnects it."""
from pathlib import Path

import pytest

from tests.browser.test_cashier_in_chromium import REOPEN, run

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
SHOTS = Path("/tmp/helpers/shots-field")

# The beat on the day after the first due date (only this customer owes anything that old), the timers 15 days
# later (the warning) and on the instance's own day (the disconnection order, dated today for the crew).
DAYS = REOPEN + """
import os
from datetime import timedelta
from models import clock
from workflows.collection import daily_dunning
from workflows.tasks import wake_due_instances

with app.app_context():
    clock.configure(None, (first_due + timedelta(days=1)).isoformat())
    daily_dunning()
    clock.configure(None, (first_due + timedelta(days=16)).isoformat())
    wake_due_instances()
    clock.configure(None, os.environ.get("CMS_CLOCK_START", ""))
    wake_due_instances()
"""


def crew(page, order_link: str, result: str) -> None:
    """The crew takes the order on its page and completes it."""
    page.click(order_link)
    page.wait_for_selector("#order-status")
    assert page.locator("#collection-case").count() == 1
    for status in ("in_progress", "completed"):
        page.select_option("select[name=status]", status)
        page.fill("[name=result]", result)
        page.click("form .btn-primary")
        page.wait_for_selector(".alert-success")
    assert page.inner_text("#order-status") == "completed"
    assert "recorded the result" in page.inner_text(".alert-success")


def test_dunning_to_disconnection_and_reconnection(login_as, live_server, live_env):
    customer_no, spn, _ = run(live_env, DAYS, "1")
    page = login_as("clerk@example.com", "watt-clerk")
    page.goto(f"{live_server}/collection/dunning/{spn}")
    assert [r.split("\t")[1] for r in page.locator("#actions tbody tr").all_inner_texts()] == \
        ["reminder", "warning", "disconnection"]
    page.screenshot(path=str(SHOTS / "dunning-ordered.png"), full_page=True)
    crew(page, "#actions tbody tr:nth-child(3) a", "cut at the pole")
    page.screenshot(path=str(SHOTS / "dunning-order-completed.png"), full_page=True)
    page.goto(f"{live_server}/collection/dunning/{spn}")
    assert page.inner_text("#sp-status") == "disconnected"
    page.goto(f"{live_server}/collection/cashier?q={customer_no}")
    page.click("#post-payment")
    page.wait_for_selector("#payment-amount")
    page.goto(f"{live_server}/collection/dunning/{spn}")
    rows = page.locator("#actions tbody tr").all_inner_texts()
    assert rows[-1].split("\t")[1] == "reconnection" and "reconnection fee" in rows[-1]
    page.screenshot(path=str(SHOTS / "dunning-reconnection-ordered.png"), full_page=True)
    crew(page, "#actions tbody tr:nth-child(4) a", "power back on")
    page.goto(f"{live_server}/collection/dunning/{spn}")
    assert page.inner_text("#sp-status") == "active" and page.locator("#last-case").count() == 1
    page.screenshot(path=str(SHOTS / "dunning-reconnected.png"), full_page=True)
