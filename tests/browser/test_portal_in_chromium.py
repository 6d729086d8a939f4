import pytest

from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def test_admin_sees_the_dashboard_with_real_counts(login_as):
    page = login_as("admin@example.com", "watt-admin")
    assert page.inner_text("#customer-count") == "40"
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
