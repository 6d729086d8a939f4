"""Misc charges from the inquiry view: on the active contract through billing's operation, listed in section 1
waiting and, once billed, with their bill."""
from decimal import Decimal

import pytest

from models.billing.entities import MiscChargeType
from models.errors import DomainError
from models.inquiry.charges import add_charge_at
from models.inquiry.overview import misc_charges_at


def test_a_charge_waits_for_the_next_bill_and_says_who_added_it(db, make):
    contract = make.contract()
    kind = make._add(MiscChargeType(code="METER_TEST", name="Meter test fee", default_amount=Decimal("75000")))
    charge = add_charge_at(db.session, contract.service_point.spn, str(kind.id), "", "customer asked for a test")
    assert (charge.amount, charge.contract_id, charge.by, charge.bill_id) == (
        Decimal("75000"), contract.id, "system", None)
    assert misc_charges_at(db.session, contract.service_point_id) == [(charge, None)]


def test_a_point_without_an_active_contract_or_a_bad_type_is_refused(db, make):
    with pytest.raises(DomainError, match="no active contract"):
        add_charge_at(db.session, make.service_point().spn, "1", "100", "x")
    contract = make.contract()
    for type_id in ("abc", "-1", "99999"):
        with pytest.raises(DomainError) as refused:
            add_charge_at(db.session, contract.service_point.spn, type_id, "100", "x")
        assert refused.value.field == "charge_type", type_id
