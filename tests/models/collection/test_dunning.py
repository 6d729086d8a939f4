"""What dunning reads: overdue contracts in one query, a contract's overdue bills, the notice channel."""
from datetime import timedelta
from decimal import Decimal

from models.collection.dunning import contract_overdue, notice_channel, overdue_contracts


def test_overdue_contracts_sum_what_is_past_due(db, contract, issue, clock):
    may, june = issue(5), issue(6, "100")
    assert overdue_contracts(db.session, may.due_on) == []                       # due today is not overdue
    [item] = overdue_contracts(db.session, may.due_on + timedelta(days=1))
    assert (item.contract_id, item.service_point_id, item.amount) == (
        contract.id, contract.service_point_id, Decimal("416651.00"))              # both fall due together
    assert contract_overdue(db.session, contract.id, may.due_on + timedelta(days=1)) == (
        [may.id, june.id], Decimal("416651.00"))


def test_sms_when_the_customer_has_a_phone(db, customer):
    assert notice_channel(db.session, customer.id).value == "letter"
    customer.phone = "+62 812 1111 2222"
    assert notice_channel(db.session, customer.id).value == "sms"
    assert notice_channel(db.session, customer.id, "letter").value == "letter"
