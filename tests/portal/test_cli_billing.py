"""`cms billing run | resume | status`: billing runs from the shell."""
from datetime import date

import pytest
import sqlalchemy as sa

from models.billing.entities import Bill, BillingRun, BillStatus
from models.tariffs.catalogue import load_pln_catalogue
from portal.cli import cli


@pytest.fixture
def cms(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args))


@pytest.fixture
def route(db, make):
    """One R-1/TR 1300 contract read 1,000 -> 1,180 in November 2024 (Rp 267,847)."""
    tariffs = load_pln_catalogue(db.session)
    route = make.route()
    contract = make.contract(make.service_point(route=route), tariffs["R-1/TR 1300"], 1300,
                             registered_on=date(2024, 10, 1))
    make.reading(make.installed_meter(contract, date(2024, 10, 1), "1000"), date(2024, 11, 5), "1180")
    return route


def test_run_with_wait_bills_here_and_prints_the_summary(db, cms, route):
    result = cms("billing", "run", "--period", "2024-11", "--route", route.code, "--wait")
    assert result.exit_code == 0, result.output
    assert "1 contracts in 1 chunks" in result.output and ": done, 1 of 1 (100.0%)" in result.output
    assert "R-1            1 bills (0 held)            180 kWh             Rp 267,847" in result.output
    assert db.session.scalar(sa.select(Bill.status)) is BillStatus.ISSUED


def test_a_run_of_the_bimonthly_cycle_leaves_the_monthly_contract_and_a_made_up_cycle_is_refused(db, cms, route):
    result = cms("billing", "run", "--period", "2024-11", "--cycle", "bimonthly", "--wait")
    assert result.exit_code == 0 and "0 contracts in 0 chunks" in result.output, result.output
    assert db.session.scalar(sa.select(BillingRun.cycles)) == ["bimonthly"]
    assert db.session.scalar(sa.select(Bill)) is None
    refused = cms("billing", "run", "--period", "2024-11", "--cycle", "weekly")
    assert refused.exit_code == 2 and "'weekly' is not one of 'monthly', 'bimonthly'" in refused.output


def test_run_queues_for_the_workers_and_status_follows_it(db, cms, route):
    result = cms("billing", "run", "--period", "2024-11")     # eager in tests: the queued chunks bill at once
    assert result.exit_code == 0 and "queued for the workers" in result.output, result.output
    run_id = db.session.scalar(sa.select(BillingRun.id))
    assert "issued 1, held 0, errors 0" in cms("billing", "status", str(run_id)).output
    resumed = cms("billing", "resume", str(run_id))
    assert resumed.exit_code == 1 and f"billing run {run_id} (2024-11) is done: nothing to resume" in resumed.output


@pytest.mark.parametrize(("args", "message"), [
    (("--period", "2024-13"), "Period: must be a month as YYYY-MM"),
    (("--period", "2024-11", "--route", "NOPE"), "Routes: unknown route NOPE"),
])
def test_bad_input_is_refused_with_the_reason(db, cms, args, message):
    result = cms("billing", "run", *args)
    assert result.exit_code == 1 and message in result.output
    assert db.session.scalar(sa.select(sa.func.count(BillingRun.id))) == 0


def test_status_of_an_unknown_run(cms):
    result = cms("billing", "status", "999")
    assert result.exit_code == 1 and "there is no billing run 999" in result.output


def test_a_held_bill_starts_its_bill_exception_process(db, cms, make, shipped):
    from models.process.entities import ProcessInstance
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(make.service_point(route=make.route()), tariffs["R-1/TR 1300"], 1300,
                             registered_on=date(2024, 10, 1))
    make.reading(make.installed_meter(contract, date(2024, 10, 1), "1000"), date(2024, 11, 5), "1000")
    assert cms("billing", "run", "--period", "2024-11", "--wait").exit_code == 0
    bill = db.session.scalar(sa.select(Bill))
    instance = db.session.scalar(sa.select(ProcessInstance).where(ProcessInstance.object_type == "bill"))
    assert (bill.status, instance.object_id, instance.definition.key) == (BillStatus.HELD, bill.id, "bill_exception")
