"""Gathering a contract's bill inputs from the database: readings, meter changes, corrections, misc charges.

R-1/TR 1300 (Q4-2024: Rp 1,444.70 a kWh, RM1 40 h, PPJ 3%), one meter installed on 1 Oct 2024 at 1,000.
"""
from datetime import date
from decimal import Decimal as D

import pytest

from models.billing.gather import GatherError, gather_bill_inputs, gather_contracts
from models.billing.pricing import price_bill
from models.installations.operations import change_meter
from models.meters.entities import UsageType
from models.tariffs.catalogue import load_pln_catalogue

NOV, DEC, JAN = date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)


@pytest.fixture
def site(db, make):
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300, registered_on=date(2024, 10, 1))
    meter = make.installed_meter(contract, date(2024, 10, 1), "1000")
    return contract, meter


def amounts(bill):
    return [(line.kind.value, line.amount) for line in bill.lines]


def test_first_bill_counts_from_the_installation_reading(db, make, site):
    contract, meter = site
    make.reading(meter, date(2024, 11, 5), "1180")
    inputs = gather_bill_inputs(db.session, contract, NOV)
    # 1,000 (installation, 1 Oct) to 1,180 (actual, 5 Nov) = 180 kWh; 180 x 1,444.70 = 260,046; PPJ 7,801
    assert (inputs.period_start, inputs.period_end) == (date(2024, 10, 1), date(2024, 11, 5))
    [source] = inputs.quantities
    assert (source.usage, source.quantity, source.readings.previous_type) == (UsageType.ACTIVE, 180, "installation")
    assert price_bill(inputs).total == 267847


def test_a_month_without_its_reading_is_an_error_not_a_bill(db, make, site):
    contract, meter = site
    with pytest.raises(GatherError, match="no reading to bill for 2024-11"):
        gather_bill_inputs(db.session, contract, NOV)


def test_meter_change_bills_both_meters_with_their_own_multipliers(db, make, site):
    contract, old = site
    make.reading(old, date(2024, 11, 5), "1180")
    new = make.meter(multiplier="2")
    change_meter(db.session, contract.service_point, new, date(2024, 12, 10), {"1.8.0": D(1240)}, {"1.8.0": D(0)},
                 make.store())
    make.reading(new, date(2024, 12, 28), "60")
    gathered = gather_contracts(db.session, [contract.id], DEC)[contract.id]
    # Old meter from its last reading before December, 1,180, to its removal reading 1,240 on 10 Dec = 60 kWh x1;
    # new meter from its installation reading 0 to 60 on 28 Dec, x2 = 120 kWh. 180 kWh: 260,046 + PPJ 7,801
    pairs = [(s.readings.meter_number, s.readings.previous_value, s.readings.current_type, s.quantity)
             for s in gathered.inputs.quantities]
    assert pairs == [(old.number, 1180, "removal", 60), (new.number, 0, "actual", 120)]
    assert (gathered.inputs.period_start, gathered.inputs.period_end) == (date(2024, 11, 5), date(2024, 12, 28))
    assert price_bill(gathered.inputs).total == 267847


def test_misc_charges_waiting_become_inputs(db, make, site):
    contract, meter = site
    make.reading(meter, date(2024, 11, 5), "1180")
    charge = make.misc_charge(contract, "50000")
    gathered = gather_contracts(db.session, [contract.id], NOV)[contract.id]
    assert [(m.charge_id, m.amount) for m in gathered.inputs.misc_charges] == [(charge.id, 50000)]
    assert gathered.facts.misc_charge_ids == (charge.id,)


def test_estimates_in_a_row_and_history_are_counted(db, make, site):
    contract, meter = site
    for month, value in ((11, "1180"), (12, "1330")):
        make.reading(meter, date(2024, month, 5), value)
    for month, value in ((1, "1480"), (2, "1630"), (3, "1780")):
        make.reading(meter, date(2025, month, 5), value, "estimated")
    facts = gather_contracts(db.session, [contract.id], date(2025, 3, 1))[contract.id].facts
    # history: the actual readings of 5 Nov (180 kWh) and 5 Dec (150 kWh) after the installation on 1 Oct:
    # 330 kWh over 65 days; the estimates do not count
    assert facts.estimates_in_a_row == 3
    assert facts.average_daily == D(330) / 65


def test_a_month_billed_late_bills_the_estimate_it_had_at_its_end(db, make, site):
    contract, meter = site
    make.reading(meter, date(2024, 11, 5), "1180", "estimated")
    make.reading(meter, date(2024, 12, 5), "1330")      # supersedes November's estimate, after November
    [source] = gather_bill_inputs(db.session, contract, NOV).quantities
    assert (source.quantity, source.readings.current_type, source.readings.estimated) == (180, "estimated", True)
