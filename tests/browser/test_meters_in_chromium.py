import re

import pytest

from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def test_calibration_chart_drills_into_a_month(login_as, live_server):
    page = login_as("clerk@example.com", "watt-clerk")
    page.goto(f"{live_server}/meters/")
    page.click("text=Calibration due")
    page.wait_for_selector("#calibration-chart .plot-container")
    counts = [int(td.inner_text().replace(",", "")) for td in page.locator("#month-counts tr td:nth-child(2)").all()]
    month = max(range(12), key=lambda i: counts[i]) + 1     # the busiest month has bars to click
    box = page.locator("#calibration-chart g.point path").nth(month - 1).bounding_box()
    # Plotly's drag layer lies over the bars: click where the bar is, as a person would.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(rf".*month={month}\b.*"))
    title = page.inner_text("#month-title")
    assert f": {counts[month - 1]:,} meter(s)" in title
    rows = page.locator("#month-list tr td:first-child").count()
    assert rows == min(counts[month - 1], 500)
    shoot(page, "calibration-drilldown")
