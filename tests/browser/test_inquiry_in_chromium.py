"""A clerk finds the same customer by each of the document's six paths, opens the service point view, sees
every section render, logs a contact and registers a complaint; registers a new applicant and finds them by
name, adds a misc charge, and sees the billing history chart."""
import sqlite3

import pytest

from models.inquiry.overview import SECTIONS
from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def a_direct_debit_customer(database) -> dict:
    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT sp.spn, c.serial, cu.name, p.address, ba.number, m.number, mm.manufacturer, d.number, d.doc_type "
            "FROM bank_accounts ba JOIN accounts a ON a.id = ba.account_id JOIN contracts c ON c.account_id = a.id "
            "JOIN service_points sp ON sp.id = c.service_point_id JOIN properties p ON p.id = sp.property_id "
            "JOIN customers cu ON cu.id = a.customer_id JOIN identity_documents d ON d.customer_id = cu.id "
            "JOIN installations i ON i.service_point_id = sp.id AND i.removed_on IS NULL AND i.meter_id IS NOT NULL "
            "JOIN meters m ON m.id = i.meter_id JOIN meter_models mm ON mm.id = m.model_id "
            "WHERE c.status = 'active' ORDER BY sp.id LIMIT 1").fetchone()
    keys = "spn serial name address bank meter brand document doc_type".split()
    return dict(zip(keys, row, strict=True))


def test_six_paths_the_view_a_contact_and_a_complaint(login_as, live_server, live_database):
    c = a_direct_debit_customer(live_database)
    page = login_as("clerk@example.com", "watt-clerk")
    page.goto(f"{live_server}/inquiry/")
    page.click("#advanced summary")
    shoot(page, "inquiry-search")
    paths = [("spn", {"q": c["spn"], "serial": str(c["serial"])}), ("meter", {"q": c["meter"], "brand": c["brand"]}),
             ("name", {"q": c["name"]}), ("identity", {"q": c["document"]}),
             ("address", {"q": c["address"]}), ("bank_account", {"q": c["bank"]})]
    for path, fields in paths:
        page.goto(f"{live_server}/inquiry/")
        page.click("#advanced summary")
        form = f"#path-{path}"
        if path == "identity":
            page.select_option(f"{form} select[name=doc_type]", c["doc_type"])
        for name, value in fields.items():
            page.fill(f"{form} input[name={name}]", value)
        page.click(f"{form} button")
        page.wait_for_load_state()
        if "/inquiry/?" in page.url:       # several matched (a common name, a shared address): pick ours
            shoot(page, f"inquiry-list-{path}")
            page.click(f"#matches a:text-is('{c['spn']}')")
        assert page.url.endswith(f"/inquiry/{c['spn']}"), (path, page.url)
    for key in [*SECTIONS, "timeline"]:
        page.wait_for_selector(f"#section-{key}[data-loaded=yes]")
    assert "statement of account" in page.inner_text("#section-debt")
    assert c["bank"] not in page.inner_text("body")          # masked for a clerk
    shoot(page, "inquiry-view")
    page.select_option("#contact-form select[name=reason]", "bill_question")
    page.fill("#contact-form textarea[name=text]", "asked why last month was higher")
    page.click("#contact-form button")
    page.wait_for_selector(".alert-success")
    page.select_option("#contact-form select[name=reason]", "complaint")
    page.fill("#contact-form textarea[name=text]", "the meter runs fast")
    page.click("#contact-form button")
    page.wait_for_selector(".alert-success")
    assert "complaint REQ-" in page.inner_text(".alert-success")
    page.wait_for_selector("#section-general[data-loaded=yes]")
    page.wait_for_selector("#section-requests[data-loaded=yes]")
    assert "asked why last month was higher" in page.inner_text("#section-general")
    assert "complaint" in page.inner_text("#section-requests")
    assert "open complaint" in page.inner_text("#alerts")
    shoot(page, "inquiry-after-complaint")


def test_a_new_applicant_a_misc_charge_and_the_billing_chart(login_as, live_server, live_database, page):
    c = a_direct_debit_customer(live_database)
    login_as("clerk@example.com", "watt-clerk")
    page.goto(f"{live_server}/inquiry/?q=Wulan+Anggraini+Putri")
    page.click("#new-applicant")
    assert page.input_value("#f-name") == "Wulan Anggraini Putri"
    for name, value in {"doc_number": "3273016607950003", "phone": "0812 9999 0003", "address": "Jl. Sukajadi 12",
                        "city": "Bandung", "power_va": "-1300"}.items():
        page.fill(f"#f-{name}", value)
    page.select_option("#f-tariff", "R-1/TR 1300")
    page.click("#applicant-form button")
    assert "must be between 450 VA" in page.inner_text("#error-power_va")
    shoot(page, "inquiry-new-applicant-error")
    page.fill("#f-power_va", "1300")
    page.click("#applicant-form button")
    page.wait_for_selector(".alert-success")
    spn = page.url.rsplit("/", 1)[1]
    assert "planned" in page.inner_text("#inquiry-header") and "applied for R-1/TR 1300" in page.inner_text("#terms")
    page.wait_for_selector("#section-customer[data-loaded=yes]")
    shoot(page, "inquiry-new-applicant-view")
    page.fill("#nav-search input", "wulan anggraini")
    page.press("#nav-search input", "Enter")
    page.wait_for_url(f"{live_server}/inquiry/{spn}")

    page.goto(f"{live_server}/inquiry/{c['spn']}")
    page.wait_for_selector("#billing-history-chart svg.main-svg")
    # the amount typed: another test may have added a charge type without a default amount, listed first
    page.fill("#charge-form input[name=amount]", "75000")
    page.fill("#charge-form input[name=reason]", "meter test asked by the customer")
    page.click("#charge-form button")
    page.wait_for_selector(".alert-success")
    page.wait_for_selector("#section-general[data-loaded=yes]")
    assert "meter test asked by the customer" in page.inner_text("#misc-charges")
    assert "waiting for the next bill" in page.inner_text("#misc-charges")
    page.wait_for_selector("#billing-history-chart svg.main-svg")
    shoot(page, "inquiry-charge-and-chart")
    page.set_viewport_size({"width": 760, "height": 900})
    page.wait_for_timeout(400)          # Plotly redraws the chart for the narrower page
    shoot(page, "inquiry-narrow")
    nav = page.eval_on_selector("nav.navbar", "n => [n.scrollWidth, n.clientWidth]")
    assert nav[0] <= nav[1], nav        # the nav bar wraps rather than overflowing
