import sqlite3

import pytest

from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def test_admin_sees_the_dashboard_with_real_counts(login_as, live_database):
    with sqlite3.connect(live_database) as db:       # the demo's 40 and whoever another test registered
        customers = db.execute("SELECT count(*) FROM customers").fetchone()[0]
    page = login_as("admin@example.com", "watt-admin")
    assert customers >= 40 and page.inner_text("#customer-count") == str(customers)
    assert "Active contracts by tariff class" in page.inner_text("main")
    shoot(page, "dashboard")


def test_admin_searches_the_meter_list(login_as, live_server):
    page = login_as("admin@example.com", "watt-admin")
    page.goto(f"{live_server}/admin/admin_meters/")
    first_number = page.inner_text("table.model-list tbody tr:first-child td.col-number").strip()
    shoot(page, "admin-meters")
    page.fill("input[name=search]", first_number)
    page.keyboard.press("Enter")
    page.wait_for_url("**search=*")
    rows = page.locator("table.model-list tbody tr")
    assert rows.count() == 1 and first_number in rows.first.inner_text()


def test_clerk_is_refused_the_user_admin(login_as, live_server):
    page = login_as("clerk@example.com", "watt-clerk")
    response = page.goto(f"{live_server}/admin/admin_users/")
    assert response.status == 403 and "Your role does not allow this page" in page.inner_text("main")
