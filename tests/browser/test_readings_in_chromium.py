from decimal import Decimal

import pytest

from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def expected_middle(row) -> str:
    low, high = Decimal(row.get_attribute("data-low")), Decimal(row.get_attribute("data-high"))
    return str(int((low + high) / 2))


def test_keyboard_entry_along_a_route(login_as, live_server):
    page = login_as("clerk@example.com", "watt-clerk")
    page.goto(f"{live_server}/readings/?status=open")
    page.locator("#cycles tbody a").first.click()
    page.click("text=Enter readings")
    rows = page.locator("#entry-table tbody tr")
    first, second, third = rows.nth(0), rows.nth(1), rows.nth(2)
    page.wait_for_function("document.activeElement.getAttribute('aria-label') === 'reading 1'")  # focus starts there
    page.keyboard.type(expected_middle(first))
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.getAttribute('aria-label') === 'reading 2'")
    assert first.locator(".result").inner_text().startswith("saved · consumption")
    page.keyboard.type(str(int(Decimal(second.get_attribute("data-high")) + 5000)))         # far too high
    assert "outside the expected" in second.locator(".result").inner_text()
    assert "table-warning" in second.get_attribute("class")
    page.keyboard.press("Control+a")
    page.keyboard.type("12x")
    page.keyboard.press("Enter")                                  # refused: the row keeps the focus
    second.locator(".text-danger").wait_for()
    assert "is not a number" in second.locator(".result").inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")                                     # to the note of the third meter
    page.keyboard.press("n")                                       # "no access"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.getAttribute('aria-label') === 'reading 4'")
    assert third.locator(".result").inner_text() == "note saved"
    shoot(page, "reading-entry")
    page.reload()
    assert "table-success" in page.locator("#entry-table tbody tr").nth(0).get_attribute("class")
    assert page.locator("#entry-table tbody tr").nth(2).locator(".reading-note").input_value() == "no_access"
