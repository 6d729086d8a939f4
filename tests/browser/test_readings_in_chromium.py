from decimal import Decimal

import pytest

from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
FOCUSED = "document.activeElement.getAttribute('aria-label')"


def expected_middle(row) -> str:
    low, high = Decimal(row.get_attribute("data-low")), Decimal(row.get_attribute("data-high"))
    return str(int((low + high) / 2))


def focus_is(page, label: str) -> None:
    page.wait_for_function(f"() => {FOCUSED} === '{label}'")   # a function: the CSP refuses eval of an expression


def test_keyboard_entry_along_a_route(login_as, live_server):
    page = login_as("clerk@example.com", "watt-clerk")
    page.goto(f"{live_server}/readings/?status=open")
    cycles = page.locator("#cycles tbody tr")
    still_open = [int(cycles.nth(i).locator("td").nth(7).inner_text()) for i in range(cycles.count())]
    cycles.nth(still_open.index(max(still_open))).locator("a").click()      # the route with most still to read
    page.click("text=Enter readings")
    rows = page.locator("#entry-table tbody tr")
    labels = [rows.nth(i).locator(".reading-value").get_attribute("aria-label") for i in range(3)]
    first, second, third = rows.nth(0), rows.nth(1), rows.nth(2)
    focus_is(page, labels[0])                                      # the walk starts at the first meter
    page.keyboard.type(expected_middle(first))
    page.keyboard.press("Enter")
    focus_is(page, labels[1])                                      # saved: on to the next meter
    assert first.locator(".result").inner_text().startswith("saved · consumption")
    page.keyboard.type(str(int(Decimal(second.get_attribute("data-high")) + 5000)))    # far too high
    assert "outside the expected" in second.locator(".result").inner_text()
    assert "table-warning" in second.get_attribute("class")
    page.keyboard.press("Control+a")
    page.keyboard.type("12x")
    page.keyboard.press("Enter")                                   # refused: the row keeps the focus
    second.locator(".text-danger").wait_for()
    assert "is not a number" in second.locator(".result").inner_text()
    focus_is(page, labels[1])
    page.keyboard.press("ArrowUp")
    focus_is(page, labels[0])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    focus_is(page, labels[2])
    page.keyboard.press("Tab")                                     # to the third meter's note
    page.keyboard.press("n")                                       # "no access"
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {FOCUSED} !== null && {FOCUSED}.startsWith('reading') "
                           f"&& {FOCUSED} !== '{labels[2]}'")
    assert third.locator(".result").inner_text() == "note saved"
    shoot(page, "reading-entry")
    page.reload()
    assert "table-success" in page.locator("#entry-table tbody tr").nth(0).get_attribute("class")
    assert page.locator("#entry-table tbody tr").nth(2).locator(".reading-value").input_value() == ""
    assert page.locator("#entry-table tbody tr").nth(2).locator(".reading-note").input_value() == "no_access"
