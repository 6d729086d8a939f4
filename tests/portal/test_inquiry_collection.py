"""The inquiry's collection parts: the debt section and the balance, payments against each invoice, the
protected and dunning alerts. 180 kWh = Rp 267,847; 100 kWh = Rp 148,804."""
from datetime import timedelta
from decimal import Decimal

from models.clock import today
from models.collection.entities import PaymentChannel, PaymentMethod
from models.collection.operations import post_payment
from models.collection.queries import Payer
from models.premises.entities import Protection


def test_the_view_shows_the_debt_aged_and_the_payments_against_each_bill(db, client, login, clock, issue, contract):
    may = issue(5)
    issue(6, "100")
    post_payment(db.session, Payer.of(contract.account.customer), channel=PaymentChannel.PARTNER,
                 method=PaymentMethod.TRANSFER, reference="BRI-1", amount=Decimal("100000"), paid_on=today())
    clock.to(may.due_on + timedelta(days=40))
    login("clerk")
    spn = contract.service_point.spn
    debt = client.get(f"/inquiry/{spn}/sections/debt").text
    # 267,847 - 100,000 = 167,847 + 148,804 = 316,651, all 40 days overdue
    assert "Owed <b>Rp 316,651.00</b>" in debt and "167,847.00" in debt
    invoices = client.get(f"/inquiry/{spn}/sections/invoices").text
    assert "Rp 100,000.00" in invoices and "167,847.00" in invoices and "148,804.00" in invoices
    assert "overdue debt Rp 316,651.00" in client.get(f"/inquiry/{spn}").text


def test_a_protected_service_point_says_so_in_the_header(db, client, login, contract):
    contract.service_point.protected = Protection.LIFE_SUPPORT
    login("clerk")
    assert "protected: life support" in client.get(f"/inquiry/{contract.service_point.spn}").text
