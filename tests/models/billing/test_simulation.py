"""Simulating a bill on the catalogue loaded into the database; amounts worked as in test_pricing."""
import pytest

from models.billing.simulation import priced_bill_json, simulate_bill
from models.errors import DomainError
from models.tariffs.catalogue import load_pln_catalogue


@pytest.fixture
def session(db):
    load_pln_catalogue(db.session)
    return db.session


def test_household_month_as_json(session):
    # 180 x 1,444.70 = 260,046; PPJ 3% = 7,801.38 -> 7,801; total 267,847
    bill = simulate_bill(session, "R-1/TR 1300", 1300, "2024-10", kwh="180")
    assert priced_bill_json(bill) == {"lines": [
        {"kind": "energy", "label": "Energy", "quantity": "180", "unit": "kWh", "rate": "1444.70", "amount": "260046"},
        {"kind": "tax", "label": "PPJ (street-lighting tax)", "quantity": "3", "unit": "%", "rate": "260046",
         "amount": "7801"}], "subtotal": "260046", "taxes": "7801", "total": "267847"}


def test_minimum_bill_at_30_kwh(session):
    # 43,341 + RM1 top-up 31,783 = 75,124; PPJ 2,254; total 77,378
    bill = priced_bill_json(simulate_bill(session, "R-1/TR 1300", 1300, "2024-10", kwh=30))
    assert [(line["kind"], line["amount"]) for line in bill["lines"]] == [
        ("energy", "43341"), ("minimum_bill", "31783"), ("tax", "2254")]
    assert bill["total"] == "77378"


def test_time_of_use_industry(session):
    # LWBP 50,000 x 1,114.74 = 55,737,000; WBP 10,000 x 1,560.636 = 15,606,360; reactive excess
    # (40,000 - 0.62 x 60,000) x 1,114.74 = 3,121,272; PPJ 2,233,939; stamp duty 10,000; total 76,708,571
    bill = priced_bill_json(simulate_bill(session, "I-3/TM", 345000, "2024-11", lwbp=50000, wbp=10000, kvarh=40000))
    assert [line["kind"] for line in bill["lines"]] == ["energy", "energy", "reactive_excess", "tax", "stamp_duty"]
    assert (bill["lines"][1]["rate"], bill["subtotal"], bill["total"]) == ("1560.636", "74464632", "76708571")


def test_a_month_of_the_older_block_version(session):
    # R-1/TR 450, September 2024, 90 kWh: 4,950 + 5,070 + 10,800 + 14,850 = 35,670; PPJ 1,070; total 36,740
    assert simulate_bill(session, "R-1/TR 450", 450, "2024-09", kwh=90).total == 36740


@pytest.mark.parametrize("args, field, words", [
    (("X-9/ZZ", 1300, "2024-10"), "tariff", "unknown tariff"),
    (("R-1/TR 1300", 1300, "2024-13"), "period", "YYYY-MM"),
    (("R-1/TR 1300", 1300, "Oct 2024"), "period", "YYYY-MM"),
    (("R-1/TR 1300", 1300, "2015-01"), "period", "no version"),
    (("R-1/TR 1300", 2200, "2024-10"), "power_va", "1,300"),
    (("I-3/TM", 100000, "2024-10"), "power_va", "200,001"),
])
def test_bad_tariff_period_or_power_is_refused(session, args, field, words):
    with pytest.raises(DomainError) as info:
        simulate_bill(session, *args, kwh=100)
    assert info.value.field == field and words in info.value.message


@pytest.mark.parametrize("code, power, quantities, field", [
    ("R-1/TR 1300", 1300, {"kwh": "-5"}, "kwh"),
    ("R-1/TR 1300", 1300, {"kwh": "lots"}, "kwh"),
    ("R-1/TR 1300", 1300, {"kwh": 100, "kvarh": "-1"}, "kvarh"),
    ("R-1/TR 1300", 1300, {}, "kwh"),
    ("R-1/TR 1300", 1300, {"lwbp": 80, "wbp": 20}, "lwbp"),
    ("I-3/TM", 345000, {"kwh": 100}, "kwh"),
    ("I-3/TM", 345000, {"lwbp": 100}, "wbp"),
])
def test_bad_quantities_are_refused_naming_the_quantity(session, code, power, quantities, field):
    with pytest.raises(DomainError) as info:
        simulate_bill(session, code, power, "2024-10", **quantities)
    assert info.value.field == field
