"""The strict CSP breaks nothing: Chromium reports no violation on the main pages, and what scripts did still works."""
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

CHART_PAGES = ["/reports/calibration", "/reports/reading-anomalies", "/reports/reading-completeness",
               "/service-orders/"]
ADMIN_PAGES = ["/admin/", "/admin/admin_meters/", "/admin/admin_meters/new/", "/admin/admin_customers/",
               "/admin/admin_customers/new/", "/admin/admin_service_points/"]


def watch(page) -> list[str]:
    """Every CSP complaint and script error the page makes from now on."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    return seen


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")


def first_href(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("href")


def test_portal_pages_draw_their_charts_and_diagrams_without_a_violation(login_as, live_server):
    page = login_as("admin@example.com", "watt-admin")
    seen = watch(page)
    for url in ["/", *CHART_PAGES]:
        visit(page, live_server + url)
        if url != "/":
            page.wait_for_selector(".plotly-graph-div .plot-container")      # charts.js drew the figure
    visit(page, f"{live_server}/requests/")
    visit(page, live_server + first_href(page, 'a[href^="/requests/"]:text-matches("REQ-")'))
    instance = first_href(page, 'a[href^="/processes/instances/"]')
    visit(page, live_server + first_href(page, 'a[href^="/service-points/"]'))
    page.wait_for_selector("#consumption-chart .plot-container")
    visit(page, live_server + instance)
    page.wait_for_selector("#diagram .djs-container")                         # process-viewer.js drew it
    visit(page, f"{live_server}/worklist/?queue=all")
    page.locator(".task-link").first.click()
    page.wait_for_selector("#panel-diagram .djs-container")
    assert seen == []


def test_readings_entry_and_the_cycle_close_confirmation_without_a_violation(login_as, live_server):
    page = login_as("clerk@example.com", "watt-clerk")
    seen = watch(page)
    visit(page, f"{live_server}/readings/?status=open")
    visit(page, live_server + first_href(page, '#cycles a[href^="/readings/cycles/"]'))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("text=Close cycle and estimate")
    assert asked and asked[0].startswith("Close the cycle?")       # portal.js asked, and no was taken for no
    assert "Close cycle" in page.content()
    visit(page, live_server + first_href(page, 'a:text("Enter readings")'))
    page.wait_for_selector("#entry-table tbody tr")
    page.focus("#read-on")
    page.keyboard.press("Enter")                                    # the date's form never submits
    page.wait_for_timeout(300)
    assert re.search(r"/entry$", page.url)
    assert seen == []


def test_the_process_editor_opens_and_validates_without_a_violation(login_as, live_server):
    page = login_as("owner@example.com", "watt-owner")
    seen = watch(page)
    visit(page, f"{live_server}/processes/customer_request/edit")
    page.wait_for_selector("#canvas .djs-container")
    page.click("#validate")
    page.wait_for_selector("#result.alert-success")                 # the CSRF token came from the data attribute
    assert seen == []


def test_admin_lists_and_forms_work_without_a_violation(login_as, live_server):
    page = login_as("admin@example.com", "watt-admin")
    seen = watch(page)
    for url in ADMIN_PAGES:
        visit(page, live_server + url)
    visit(page, f"{live_server}/admin/admin_customers/new/")
    page.click("text=Add Identity Document")                        # Flask-Admin's inline onclick, as a listener
    page.wait_for_selector("[id^='identity_documents-0']")
    visit(page, f"{live_server}/admin/admin_meters/")
    page.click("text=Add Filter")
    page.locator("a.filter").first.click()
    page.wait_for_selector(".filter-op")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("form.icon button[title='Delete Record']").first.click()
    assert asked == ["Are you sure you want to delete this record?"]
    assert seen == []
