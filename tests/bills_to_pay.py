"""Bills to pay, for every test (a pytest plugin of tests/conftest.py): issued R-1/TR 1300 invoices of one customer,
priced by the engine."""
from datetime import date
from decimal import Decimal

import pytest

from models.billing.operations import issue_bill, record_bill
from models.billing.simulation import simulate_bill
from models.tariffs.catalogue import load_pln_catalogue


@pytest.fixture
def tariffs(db):
    return load_pln_catalogue(db.session)


@pytest.fixture
def contract(db, make, tariffs):
    return make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300)


@pytest.fixture
def issue(db, contract, tariffs):
    """issue(month, kwh, contract=None) -> an issued invoice of 2025-<month>. 180 kWh: 260,046 + PPJ 3% 7,801 =
    Rp 267,847; 100 kWh: 144,470 + 4,334 = Rp 148,804 (RM1 40 h x 1.3 kVA x 1,444.70 = 75,124 is lower)."""
    def _issue(month: int, kwh: str = "180", on=None):
        target = on or contract
        priced = simulate_bill(db.session, "R-1/TR 1300", 1300, f"2025-{month:02d}", kwh=kwh)
        return issue_bill(db.session, record_bill(db.session, target, priced, period=date(2025, month, 1)))
    return _issue


@pytest.fixture
def customer(contract):
    return contract.account.customer


def money(text: str) -> Decimal:
    return Decimal(text)
