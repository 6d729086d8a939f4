"""Billing runs: scope, chunks billed in bulk, holds, corrections, idempotence, resume and progress.

R-1/TR 1300 (Q4-2024: Rp 1,444.70 a kWh, RM1 40 h x 1.3 kVA, PPJ 3%, half up to whole rupiah).
"""
from datetime import date

import pytest
import sqlalchemy as sa

from models.billing import runs
from models.billing.entities import Bill, BillingChunk, BillLine, BillStatus, ChunkStatus, MiscCharge, RunStatus
from models.billing.gather import gather_contracts
from models.billing.operations import issue_bill, record_bill
from models.billing.pricing import price_bill
from models.billing.runs import bill_chunk, fail_chunk, resume_billing_run, run_progress, start_billing_run
from models.clock import today
from models.contracts.operations import terminate_contract
from models.errors import DomainError
from models.readings.cycles import open_cycle
from models.statuses import StatusChange, status_history
from models.tariffs.catalogue import load_pln_catalogue

OCT, NOV, DEC, JAN = date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)


@pytest.fixture
def tariffs(db):
    return load_pln_catalogue(db.session)


@pytest.fixture
def site(db, make, tariffs):
    """A contract on a route, its meter installed at 1,000 on 1 Oct 2024."""
    def _site(route=None, tariff="R-1/TR 1300", power=1300):
        sp = make.service_point(route=route or make.route())
        c = make.contract(sp, tariffs[tariff], power, registered_on=OCT)
        return c, make.installed_meter(c, OCT, "1000")
    return _site


def bill_month(db, period, routes=None, **kw):
    run = start_billing_run(db.session, period, routes, **kw)
    outcomes = [bill_chunk(db.session, chunk.id) for chunk in run.chunks]
    db.session.refresh(run)
    return run, outcomes


def bill_of(db, contract, period):
    return db.session.scalar(sa.select(Bill).where(Bill.contract_id == contract.id, Bill.period == period))


def test_a_run_issues_the_months_bills_worked_by_hand(db, make, site):
    contract, meter = site()
    make.reading(meter, date(2024, 11, 5), "1180")
    run, _ = bill_month(db, NOV)
    bill = bill_of(db, contract, NOV)
    # 1,000 (1 Oct) -> 1,180 (5 Nov) = 180 kWh x 1,444.70 = 260,046; RM1 40 x 1.3 x 1,444.70 = 75,124 is lower;
    # PPJ 3% x 260,046 = 7,801.38 -> 7,801. Total 267,847
    assert [(line.kind, line.amount) for line in bill.lines] == [("energy", 260046), ("tax", 7801)]
    assert (bill.status, bill.total, bill.number, bill.due_on) == (BillStatus.ISSUED, 267847,
                                                                   f"INV-{today().year}-0000001", bill.due_on)
    assert [c.to_status for c in status_history(db.session, "bill", bill.id)] == ["draft", "issued"]
    assert (run.status, run.total, run.done, run.held, run.errors) == (RunStatus.DONE, 1, 1, 0, 0)


def test_next_month_counts_from_the_billed_reading_and_corrects_a_superseded_estimate(db, make, site):
    contract, meter = site()
    make.reading(meter, date(2024, 11, 5), "1180")
    bill_month(db, NOV)
    make.reading(meter, date(2024, 12, 5), "1330", "estimated")
    bill_month(db, DEC)
    actual = make.reading(meter, date(2025, 1, 5), "1500")
    bill_month(db, JAN)
    bill = bill_of(db, contract, JAN)
    # December billed the estimate 1,330 (150 kWh). The actual 1,500 of 5 Jan: 320 kWh since 5 Nov (61 days);
    # interpolated for 5 Dec (30 days): 320 x 30/61 = 157.4 -> 157, index 1,337. Energy 1,337 -> 1,500 = 163 kWh
    # x 1,444.70 = 235,486.1 -> 235,486; correction 157 - 150 = 7 kWh x 1,444.70 = 10,112.9 -> 10,113;
    # PPJ 3% x 245,599 = 7,367.97 -> 7,368. Total 252,967. 163 + 7 = 170 = the actual reading's correction.
    assert [(line.kind, line.quantity, line.amount) for line in bill.lines] == [
        ("energy", 163, 235486), ("correction", 7, 10113), ("tax", 3, 7368)]
    assert bill.total == 252967 and actual.correction == 170
    assert (bill_of(db, contract, DEC).estimated, bill.estimated) == (True, False)
    assert bill.lines[0].readings[0]["previous_type"] == "interpolated" and bill.period_start == date(2024, 12, 5)


def test_open_cycles_refuse_their_routes_and_unknown_routes_are_refused(db, make, site):
    open_route, closed = make.route(), make.route()
    site(open_route)
    other, meter = site(closed)
    make.reading(meter, date(2024, 11, 5), "1180")
    open_cycle(db.session, open_route, NOV)
    run, _ = bill_month(db, NOV, [open_route.code, closed.code])
    assert run.refused_routes == {open_route.code: "the reading cycle for 2024-11 is still open"}
    assert (run.total, db.session.scalar(sa.select(sa.func.count(Bill.id)))) == (1, 1)
    with pytest.raises(DomainError, match="unknown route NOPE") as refused:
        start_billing_run(db.session, NOV, ["NOPE"])
    assert refused.value.field == "routes"


def test_prepaid_terminated_and_already_billed_contracts_are_out_of_scope(db, make, site):
    site(tariff="R-1/TR 1300 PRA")
    terminated, _ = site()
    terminate_contract(db.session, terminated, date(2024, 10, 20))
    billed, meter = site()
    make.reading(meter, date(2024, 11, 5), "1180")
    bill_month(db, NOV)
    assert start_billing_run(db.session, NOV).total == 0


def test_a_contract_without_a_tariff_version_is_held_with_the_reason(db, make, site):
    contract, meter = site(tariff="R-1/TR 1300")
    late = make.tariff(effective_from=date(2024, 10, 20))
    contract.versions[0].tariff = late
    make.reading(meter, date(2024, 11, 5), "1180")
    run, [outcome] = bill_month(db, NOV)
    bill = bill_of(db, contract, NOV)
    assert (bill.status, bill.total, bill.lines) == (BillStatus.HELD, 0, [])
    assert bill.hold_reasons == [f"cannot be priced: tariff {late.code} has no version valid on 2024-10-01"]
    assert (run.held, outcome.held_bill_ids) == (1, [bill.id])


def test_implausible_bills_are_held_and_one_contract_without_readings_is_an_error(db, make, site):
    zero, meter_zero = site()
    make.reading(meter_zero, date(2024, 11, 5), "1000")
    unread, _ = site()
    run, [outcome] = bill_month(db, NOV)
    assert bill_of(db, zero, NOV).hold_reasons[0] == "zero consumption on an active contract"
    assert outcome.errors[unread.id].startswith("no reading to bill for 2024-11")
    assert (run.status, run.done, run.held, run.errors) == (RunStatus.DONE, 2, 1, 1)


def test_a_bill_far_above_its_history_is_held(db, make, site):
    contract, meter = site()
    for month, value in ((11, "1180"), (12, "1360")):
        make.reading(meter, date(2024, month, 5), value)
    make.reading(meter, date(2025, 1, 5), "3360")
    bill_month(db, JAN)
    # history 1 Oct - 5 Dec: 360 kWh / 65 days; expected for 31 days 171.7, band x0.2-x3 = 34-515: 2,000 is out
    assert bill_of(db, contract, JAN).hold_reasons == [
        "consumption 2,000 kWh is outside the history band 34-515 kWh (about 172 kWh expected for 31 days)"]


def test_the_bulk_writer_writes_what_record_bill_and_issue_bill_write(db, make, site):
    first, meter_1 = site()
    second, meter_2 = site()
    for meter in (meter_1, meter_2):
        make.reading(meter, date(2024, 11, 5), "1180")
    make.misc_charge(first, "50000")
    bill_month(db, NOV, [first.service_point.route.code])
    by_run = bill_of(db, first, NOV)
    gathered = gather_contracts(db.session, [second.id], NOV)[second.id]
    by_hand = issue_bill(db.session, record_bill(db.session, second, price_bill(gathered.inputs), period=NOV))
    columns = ["kind", "status", "period_start", "period_end", "tariff_code", "tariff_class", "power_va", "kwh",
               "jam_nyala", "taxes", "hold_reasons", "issued_on", "due_on"]
    assert [getattr(by_run, c) for c in columns] == [getattr(by_hand, c) for c in columns]
    assert (by_run.subtotal - by_hand.subtotal, by_run.total - by_hand.total) == (50000, 50000)
    def line(x):   # the two meters' numbers aside
        return [x.kind, x.label, x.quantity, x.unit, x.rate, x.amount, x.explanation,
                [{k: v for k, v in r.items() if k != "meter"} for r in x.readings or []]]
    assert [line(x) for x in by_run.lines if x.kind != "misc_charge"] == [line(x) for x in by_hand.lines]
    assert db.session.scalar(sa.select(MiscCharge.bill_id)) == by_run.id


def test_a_chunk_is_billed_once_and_a_contract_billed_meanwhile_is_skipped(db, make, site, monkeypatch):
    contract, meter = site()
    make.reading(meter, date(2024, 11, 5), "1180")
    first, second = start_billing_run(db.session, NOV), start_billing_run(db.session, NOV)
    [outcome] = [bill_chunk(db.session, c.id) for c in first.chunks]
    assert bill_chunk(db.session, first.chunks[0].id).already_done and outcome.billed == 1
    # The second run's look for live bills misses it (a race): the unique index refuses, the savepoint path skips.
    monkeypatch.setattr(runs, "_already_billed", lambda session, run, ids: set())
    racing = bill_chunk(db.session, second.chunks[0].id)
    assert (racing.billed, racing.skipped, racing.errors) == (0, 1, {})
    assert db.session.scalar(sa.select(sa.func.count(Bill.id))) == 1


def test_a_failed_chunk_fails_the_run_and_resuming_bills_the_rest(db, make, site):
    for _ in range(2):
        contract, meter = site()
        make.reading(meter, date(2024, 11, 5), "1180")
    run = start_billing_run(db.session, NOV, chunk_size=1)
    bill_chunk(db.session, run.chunks[0].id)
    fail_chunk(db.session, run.chunks[1].id, "worker lost")
    assert (run.status, run.chunks[1].status) == (RunStatus.FAILED, ChunkStatus.FAILED)
    assert resume_billing_run(db.session, run.id) == [run.chunks[1].id]
    bill_chunk(db.session, run.chunks[1].id)
    progress = run_progress(db.session, run.id)
    assert (progress["status"], progress["done"], progress["billed"], progress["chunks"]["done"]) == ("done", 2, 2, 2)
    [summary] = progress["summary"]
    assert (summary["tariff_class"], summary["issued"], summary["total"]) == ("R-1", 2, 2 * 267847)


def test_nothing_is_half_written_when_a_chunk_fails(db, make, site, monkeypatch):
    contract, meter = site()
    make.reading(meter, date(2024, 11, 5), "1180")
    run = start_billing_run(db.session, NOV)
    db.session.commit()

    def broken(*args, **kw):
        raise RuntimeError("disk full")
    monkeypatch.setattr(runs, "_settle", broken)
    with pytest.raises(RuntimeError):
        bill_chunk(db.session, run.chunks[0].id)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Bill.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(BillLine.id))) == 0
    assert db.session.scalar(sa.select(BillingChunk.status)) is ChunkStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count(StatusChange.id)).where(StatusChange.object_type == "bill")) == 0


def test_held_bills_are_handed_over_before_the_chunk_issues(db, make, site):
    held, meter = site()
    make.reading(meter, date(2024, 11, 5), "1000")          # zero consumption: held
    issued, meter = site()
    make.reading(meter, date(2024, 11, 5), "1180")
    run = start_billing_run(db.session, NOV)
    seen = []
    bill_chunk(db.session, run.chunks[0].id,
               on_held=lambda session, ids: seen.append((ids, session.scalar(sa.select(sa.func.count(Bill.number))))))
    assert seen == [([bill_of(db, held, NOV).id], 0)] and bill_of(db, issued, NOV).number is not None


def test_after_a_cancellation_the_next_run_rebills_the_period_and_links_back(db, make, site):
    from models.billing.operations import cancel_bill
    contract, meter = site()
    make.reading(meter, date(2024, 11, 5), "1180")
    bill_month(db, NOV)
    first = bill_of(db, contract, NOV)
    credit = cancel_bill(db.session, first, "reading keyed wrongly")
    bill_month(db, NOV)
    rebill = db.session.scalar(sa.select(Bill).where(Bill.contract_id == contract.id, Bill.period == NOV,
                                                     Bill.status == BillStatus.ISSUED, Bill.kind == "invoice"))
    assert (rebill.rebill_of_id, credit.cancels_id, rebill.total) == (first.id, first.id, first.total)


def test_each_chunk_records_the_seconds_of_its_stages_and_the_run_sums_them(db, make, site):
    for _ in range(2):
        contract, meter = site()
        make.reading(meter, date(2024, 11, 5), "1180")
    run, _ = bill_month(db, NOV, chunk_size=1)
    assert all(set(chunk.seconds) == {"gather", "price", "write"} for chunk in run.chunks)
    stages = run_progress(db.session, run.id)["stages"]
    assert list(stages) == ["gather", "price", "write"]
    assert stages["write"] == pytest.approx(sum(c.seconds["write"] for c in run.chunks), abs=1e-3)


def test_a_month_billed_before_a_charge_was_made_leaves_the_charge_waiting(db, make, site, clock):
    contract, meter = site()
    make.reading(meter, date(2024, 11, 5), "1180")
    make.misc_charge(contract, "50000")                 # made today
    clock.to(date(2024, 12, 3))                         # November billed on its own billing day, as the demo does
    bill_month(db, NOV)
    assert [line.kind for line in bill_of(db, contract, NOV).lines] == ["energy", "tax"]
    assert db.session.scalar(sa.select(MiscCharge.bill_id)) is None
