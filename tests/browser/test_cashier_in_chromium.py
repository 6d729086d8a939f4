"""A cashier signs in, finds a customer by ID Pelanggan, sees their open bills oldest first, posts the payment
and downloads the receipt: the PDF names the amount and the receipt number."""
import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import BIN, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
SHOTS = Path("/tmp/helpers/shots-field")

# The demo pays every bill: the payments of one customer's bills are reversed (the domain's own operation) so
# that they owe them again. `pick` chooses among the customers with one unprotected contract and three paid
# invoices: the cashier test takes the first, the dunning test the second. It leaves `app` and `first_due` to a
# script that goes on.
REOPEN = """
import sys
import sqlalchemy as sa
from portal import create_app
from models.audit.recorder import Actor
from models.base import db
from models.billing.entities import Bill, BillKind, BillStatus
from models.collection.entities import Payment, PaymentAllocation, PaymentStatus
from models.collection.operations import reverse_payment
from models.contracts.entities import Contract, ContractStatus
from models.premises.entities import ServicePoint
from models.transactions import transaction

pick = int(sys.argv[1])
app = create_app()
with app.app_context(), transaction(Actor(None, "browser test")):
    s = db.session
    paid = (sa.select(Bill.contract_id).join(PaymentAllocation, PaymentAllocation.bill_id == Bill.id)
            .where(Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.ISSUED,
                   PaymentAllocation.released_at.is_(None))
            .group_by(Bill.contract_id).having(sa.func.count() == 3))
    contract = s.scalars(sa.select(Contract).join(ServicePoint, ServicePoint.id == Contract.service_point_id)
                         .where(Contract.id.in_(paid), Contract.status == ContractStatus.ACTIVE,
                                ServicePoint.protected.is_(None)).order_by(Contract.id)).all()[pick]
    bills = sa.select(Bill.id).where(Bill.contract_id == contract.id)
    for payment in s.scalars(sa.select(Payment).join(PaymentAllocation).where(
            PaymentAllocation.bill_id.in_(bills), Payment.status == PaymentStatus.POSTED).distinct()):
        reverse_payment(s, payment, "returned by the bank (browser test)")
    first_due = s.scalar(sa.select(sa.func.min(Bill.due_on)).where(Bill.contract_id == contract.id))
    print(contract.customer_no, contract.service_point.spn, first_due.isoformat())
"""


def run(live_env, script: str, *args: str) -> list[str]:
    """Run a script on the live instance, on its clock; what it prints, split."""
    done = subprocess.run([BIN / "python", "-c", script, *args], env=live_env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return done.stdout.split()


def test_a_cashier_posts_a_payment_and_prints_the_receipt(page, live_server, live_env):
    customer_no, _, _ = run(live_env, REOPEN, "0")
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "cashier@example.com")
    page.fill("input[name=password]", "watt-cashier")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server}/collection/cashier")          # a cashier lands at the counter
    page.fill("#q", customer_no)
    page.click("#cashier-search button")
    page.wait_for_selector("#open-bills")
    due = page.locator("#open-bills tbody tr td:nth-child(4)").all_inner_texts()
    assert len(due) >= 3 and due == sorted(due)                       # oldest first (a billing test may add one)
    owed = page.inner_text("#owed")
    page.screenshot(path=str(SHOTS / "cashier-open-bills.png"), full_page=True)
    page.click("#post-payment")
    page.wait_for_selector("#payment-amount")
    assert page.inner_text("#payment-amount") == f"Rp {owed}"
    reference = page.inner_text("h1").split()[1]
    page.screenshot(path=str(SHOTS / "cashier-payment.png"), full_page=True)
    receipt = page.request.get(f"{live_server}{page.get_attribute('#receipt', 'href')}")
    assert receipt.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.body())).pages)
    assert f"Receipt {reference}" in text and f"Amount received: Rp {owed}" in text
    assert page.goto(f"{live_server}/accounting/trial-balance").status == 403
