"""Late-payment penalties: the contract version's percentage of the open balance after the grace days, once
per bill and rule, as a misc charge for the next bill. May's bill (conftest) = Rp 267,847."""
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from models.billing.entities import MiscCharge
from models.collection.dunning_entities import LatePenalty
from models.collection.penalties import post_penalties


def _terms(contract, percent="2", grace=5):
    version = contract.versions[0]
    version.late_penalty_percent, version.penalty_grace_days = Decimal(percent), grace


def test_a_penalty_is_charged_once_after_the_grace_days(db, contract, issue):
    _terms(contract)
    bill = issue(5)
    assert post_penalties(db.session, bill.due_on + timedelta(days=5)) == []      # still within grace
    [penalty] = post_penalties(db.session, bill.due_on + timedelta(days=6))
    assert (penalty.base, penalty.amount, penalty.rule) == (Decimal("267847.00"), Decimal("5356.94"), "late_payment")
    charge = db.session.get(MiscCharge, penalty.misc_charge_id)
    assert (charge.charge_type.code, charge.amount, charge.bill_id) == ("LATE_PENALTY", Decimal("5356.94"), None)
    assert charge.reason.startswith(f"late payment of {bill.number}")
    assert post_penalties(db.session, bill.due_on + timedelta(days=40)) == []     # once per bill and rule
    assert db.session.scalar(sa.select(sa.func.count(LatePenalty.id))) == 1


def test_no_penalty_without_a_rate_or_once_paid(db, contract, issue, customer):
    from models.clock import today
    from models.collection.entities import PaymentChannel, PaymentMethod
    from models.collection.operations import post_payment
    from models.collection.queries import Payer
    bill = issue(5)
    assert post_penalties(db.session, bill.due_on + timedelta(days=30)) == []     # 0 % by default
    _terms(contract, grace=0)
    post_payment(db.session, Payer.of(customer), channel=PaymentChannel.CASHIER, method=PaymentMethod.CASH,
                 reference="R-1", amount=Decimal("267847"), paid_on=today())
    assert post_penalties(db.session, bill.due_on + timedelta(days=30)) == []
