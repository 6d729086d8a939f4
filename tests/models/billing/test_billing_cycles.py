"""Billing cycles: a bimonthly contract is read and billed every other month, each bill standing for two.

R-1/TR 1300 (Q4-2024: Rp 1,444.70 a kWh, RM1 40 h x 1.3 kVA, PPJ 3%, half up to whole rupiah); the route's
bimonthly reading cycles are the schedule (models.billing.cycles).
"""
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from models.billing.entities import Bill
from models.billing.pricing import price_bill
from models.billing.runs import bill_chunk, start_billing_run
from models.contracts.entities import Cycle
from models.errors import DomainError
from models.readings.cycles import close_cycle, enter_order_reading, open_cycle, open_due_cycles
from models.readings.entities import ReadingCycle
from models.tariffs.catalogue import load_pln_catalogue
from tests.models.billing.builders import amounts, catalogue_version, month_bill

OCT, NOV, DEC, JAN = date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)


@pytest.mark.no_db
def test_a_bimonthly_bill_pays_two_months_of_fixed_charge_and_block_limits():
    # R-1/TR 450 (block era), 1 Aug - 1 Oct 2024, 150 kWh: fixed 0.45 x 11,000 x 2 = 9,900; the month's blocks
    # 0-30-60 double to 0-60-120: 60 x 169 = 10,140, 60 x 360 = 21,600, 30 x 495 = 14,850;
    # PPJ 3% x 56,490 = 1,694.70 -> 1,695; total 58,185
    version = catalogue_version("R-1/TR 450", blocks=True)
    bill = price_bill(replace(month_bill("R-1/TR 450", 450, date(2024, 8, 1), OCT, (version,), active=150), months=2))
    assert amounts(bill) == [("fixed_per_kva", 9900), ("energy", 10140), ("energy", 21600), ("energy", 14850),
                             ("tax", 1695)]
    assert bill.lines[0].explain() == "0.45 kVA x Rp 11,000.00 x 2 months = Rp 9,900" and bill.total == 58185
    assert "in block 0-60 kWh (2 months)" in bill.lines[1].explain()


@pytest.mark.no_db
def test_a_bimonthly_minimum_bill_is_two_months_of_rm1():
    # 60 kWh x 1,444.70 = 86,682; RM1 40 x 1.3 = 52 kWh x 1,444.70 = 75,124.40 a month, x 2 = 150,248.80 -> 150,249
    # binds (a month's 75,124 would not): top-up 63,567; PPJ 3% x 150,249 = 4,507.47 -> 4,507; total 154,756
    bill = price_bill(replace(month_bill("R-1/TR 1300", 1300, OCT, DEC, active=60), months=2))
    assert amounts(bill) == [("energy", 86682), ("minimum_bill", 63567), ("tax", 4507)] and bill.total == 154756
    assert bill.lines[1].explain() == ("40 h x 1.3 kVA = 52 kWh x Rp 1,444.70 x 2 months = Rp 150,249 minimum, "
                                       "less energy Rp 86,682 = Rp 63,567")


@pytest.fixture
def route(db, make):
    """A route with a monthly and a bimonthly R-1/TR 1300 contract, meters installed at 1,000 on 1 Oct 2024."""
    tariffs = load_pln_catalogue(db.session)
    route = make.route(scheduled_day=5)
    sites = {}
    for cycle in Cycle:
        contract = make.contract(make.service_point(route=route), tariffs["R-1/TR 1300"], 1300, registered_on=OCT)
        contract.versions[0].billing_cycle = contract.versions[0].reading_cycle = cycle
        sites[cycle] = (contract, make.installed_meter(contract, OCT, "1000"))
    return route, sites


def read_route(db, route, period, cycle, values):
    """Open the route's cycle for the period, enter a reading per order (in order), close it."""
    opened = open_cycle(db.session, route, period, billing_cycle=cycle)
    for order, value in zip(opened.orders, values, strict=True):
        enter_order_reading(db.session, order, value, None, opened.scheduled_on)
    close_cycle(db.session, opened)
    return opened


def bill_month(db, period, **kw):
    run = start_billing_run(db.session, period, **kw)
    for chunk in run.chunks:
        bill_chunk(db.session, chunk.id)
    return run


def bills_of(db, contract):
    return db.session.execute(sa.select(Bill.period, Bill.period_start, Bill.period_end, Bill.total)
                              .where(Bill.contract_id == contract.id).order_by(Bill.period)).all()


def test_a_bimonthly_cycle_reads_only_bimonthly_contracts_and_a_monthly_one_the_rest(db, route):
    route, sites = route
    monthly = open_cycle(db.session, route, NOV)
    bimonthly = open_cycle(db.session, route, NOV, billing_cycle=Cycle.BIMONTHLY)
    spn = {c: sites[c][0].service_point_id for c in Cycle}
    assert [o.service_point_id for o in monthly.orders] == [spn[Cycle.MONTHLY]]
    assert [o.service_point_id for o in bimonthly.orders] == [spn[Cycle.BIMONTHLY]]
    with pytest.raises(DomainError, match=r"already has a reading cycle for 2024-11 \(bimonthly contracts\)"):
        open_cycle(db.session, route, NOV, billing_cycle=Cycle.BIMONTHLY)


def test_the_beat_opens_a_routes_bimonthly_cycle_every_other_month(db, route):
    route, _ = route
    opened = [(c.period, c.billing_cycle) for m in (NOV, DEC, JAN) for c in open_due_cycles(db.session, m)]
    assert opened == [(NOV, Cycle.MONTHLY), (NOV, Cycle.BIMONTHLY), (DEC, Cycle.MONTHLY),
                      (JAN, Cycle.MONTHLY), (JAN, Cycle.BIMONTHLY)]


def test_the_bimonthly_contract_is_billed_with_its_routes_bimonthly_cycle_for_two_months(db, route):
    route, sites = route
    (monthly, _), (bimonthly, _) = sites[Cycle.MONTHLY], sites[Cycle.BIMONTHLY]
    read_route(db, route, NOV, Cycle.MONTHLY, ["1100"])
    assert bill_month(db, NOV).total == 1                        # no bimonthly cycle in November: not due
    read_route(db, route, DEC, Cycle.MONTHLY, ["1200"])
    read_route(db, route, DEC, Cycle.BIMONTHLY, ["1060"])
    assert bill_month(db, DEC).total == 2
    read_route(db, route, JAN, Cycle.MONTHLY, ["1300"])
    assert bill_month(db, JAN).total == 1                        # billed in December: not due in January
    # 1 Oct - 5 Dec, 60 kWh on two months' RM1 (test_a_bimonthly_minimum_bill_is_two_months_of_rm1): 154,756
    assert bills_of(db, bimonthly) == [(DEC, OCT, date(2024, 12, 5), 154756)]
    assert [b.period for b in bills_of(db, monthly)] == [NOV, DEC, JAN]


def test_a_run_bills_the_cycles_chosen_and_refuses_an_unknown_one(db, route):
    route, sites = route
    read_route(db, route, DEC, Cycle.MONTHLY, ["1200"])
    read_route(db, route, DEC, Cycle.BIMONTHLY, ["1060"])
    run = start_billing_run(db.session, DEC, cycles=["bimonthly"])
    assert (run.total, run.cycles, run.chunks[0].contract_ids) == (1, ["bimonthly"], [sites[Cycle.BIMONTHLY][0].id])
    assert start_billing_run(db.session, DEC, cycles=["monthly", "bimonthly"]).cycles is None   # both: all
    with pytest.raises(DomainError, match="'weekly' is not a billing cycle"):
        start_billing_run(db.session, DEC, cycles=["weekly"])


def test_an_open_bimonthly_cycle_refuses_its_route_only_for_bimonthly_runs(db, route):
    route, _ = route
    read_route(db, route, DEC, Cycle.MONTHLY, ["1200"])
    open_cycle(db.session, route, DEC, billing_cycle=Cycle.BIMONTHLY)
    assert start_billing_run(db.session, DEC, cycles=["monthly"]).refused_routes is None
    assert route.code in start_billing_run(db.session, DEC, cycles=["bimonthly"]).refused_routes
    assert db.session.scalar(sa.select(sa.func.count(ReadingCycle.id)).where(ReadingCycle.period == DEC)) == 2
