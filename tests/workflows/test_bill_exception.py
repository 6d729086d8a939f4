"""The shipped bill exception process: a held bill reviewed by a clerk, then issued, recalculated or cancelled."""
from datetime import date

import pytest
import sqlalchemy as sa
from flask import render_template
from markupsafe import escape

from models.billing.entities import Bill, BillStatus
from models.billing.gather import gather_contracts
from models.billing.operations import issue_bill, record_bill
from models.billing.runs import plan_bill
from models.billing.simulation import simulate_bill
from models.clock import today
from models.errors import DomainError
from models.process.entities import HumanTask, InstanceStatus, TaskState
from models.process.queries import TaskFilter, find_tasks
from models.tariffs.catalogue import load_pln_catalogue
from workflows.billing_exceptions import exception_panel, running_exception, start_bill_exceptions
from workflows.runtime import complete_task

TOO_HIGH = "consumption 900 kWh is outside the register's history band (120-260 kWh)"


@pytest.fixture
def contract(db, make):
    return make.contract(tariff=load_pln_catalogue(db.session)["R-1/TR 1300"], power_va=1300)


@pytest.fixture
def bill_of(db, contract):
    def _bill(month: int, kwh: str, hold_reasons=()):
        priced = simulate_bill(db.session, "R-1/TR 1300", 1300, f"2025-{month:02d}", kwh=kwh)
        return record_bill(db.session, contract, priced, period=date(2025, month, 1), hold_reasons=hold_reasons)
    return _bill


@pytest.fixture
def held(db, shipped, bill_of):
    bill = bill_of(6, "900", [TOO_HIGH])
    [instance] = start_bill_exceptions(db.session, [bill.id])
    return bill, instance


def test_a_held_bill_reaches_the_clerks_queue_with_its_reasons(db, make, held):
    bill, instance = held
    clerk, _ = make.user("clerk")
    [task] = find_tasks(db.session, clerk, TaskFilter(queue="unclaimed", process="bill_exception"))[0]
    assert (task.name, task.object_type, task.object_id, task.role) == ("Review held bill", "bill", bill.id, "clerk")
    assert exception_panel(db.session, bill.id)["reasons"] == [TOO_HIGH]


def test_release_issues_the_bill_with_its_number(db, make, held, work):
    bill, instance = held
    clerk, _ = make.user("clerk")
    work(instance, "ut_review", clerk, decision="release", note="customer confirmed guests in June")
    assert (bill.status, bill.number, bill.issued_on) == (BillStatus.ISSUED, f"INV-{today().year}-0000001", today())
    assert instance.status is InstanceStatus.COMPLETED


def test_cancel_discards_the_bill_with_the_note_as_reason(db, make, held, work):
    bill, instance = held
    clerk, _ = make.user("clerk")
    work(instance, "ut_review", clerk, decision="cancel", note="meter read twice by mistake")
    assert (bill.status, bill.cancel_reason, bill.number) == (BillStatus.CANCELLED, "meter read twice by mistake", None)
    assert instance.status is InstanceStatus.COMPLETED


@pytest.fixture
def misread(db, make, contract, shipped):
    """Nov 2024 held on an estimate of 5,000 (meter at 1,000 on 1 Oct); the actual 1,180 arrives later."""
    meter = make.installed_meter(contract, date(2024, 10, 1), "1000")
    make.reading(meter, date(2024, 11, 5), "5000", reading_type="estimated")
    plan = plan_bill(gather_contracts(db.session, [contract.id], date(2024, 11, 1))[contract.id])
    bill = record_bill(db.session, contract, plan.priced, period=date(2024, 11, 1), hold_reasons=[TOO_HIGH])
    [instance] = start_bill_exceptions(db.session, [bill.id])
    return bill, instance, meter


def test_recalculate_rebills_the_period_from_the_corrected_reading_at_once(db, make, misread, work):
    bill, instance, meter = misread
    make.reading(meter, date(2024, 11, 5), "1180")
    work(instance, "ut_review", make.user("clerk")[0], decision="recalculate", note="actual reading 1,180")
    rebill = db.session.scalar(sa.select(Bill).where(Bill.rebill_of_id == bill.id))
    # 180 kWh x 1,444.70 = 260,046 + PPJ 3% 7,801 = 267,847 (the estimate's 4,000 kWh are gone)
    assert (bill.status, rebill.status, rebill.kwh, rebill.total) == (BillStatus.CANCELLED, BillStatus.ISSUED,
                                                                     180, 267847)
    assert instance.status is InstanceStatus.COMPLETED and "actual reading 1,180" in bill.cancel_reason


def test_a_rebill_still_implausible_is_held_with_a_review_of_its_own(db, make, misread, work):
    bill, instance, _ = misread
    work(instance, "ut_review", make.user("clerk")[0], decision="recalculate", note="no correction yet")
    rebill = db.session.scalar(sa.select(Bill).where(Bill.rebill_of_id == bill.id))
    # 4,000 kWh x 1,444.70 = 5,778,800 + PPJ: above R-1's limit of Rp 5,000,000
    assert rebill.status is BillStatus.HELD and rebill.kwh == 4000 and "above" in rebill.hold_reasons[0]
    assert running_exception(db.session, rebill.id) not in (None, instance.id)


def test_recalculate_that_cannot_price_parks_the_process_with_the_reason_and_keeps_the_bill(db, make, held, work):
    bill, instance = held            # its contract has no meter installed: a retry runs it again later
    work(instance, "ut_review", make.user("clerk")[0], decision="recalculate", note="try")
    assert instance.status is InstanceStatus.ERROR and "no meter installed" in instance.error_message
    assert bill.status is BillStatus.HELD and db.session.scalar(sa.select(sa.func.count()).select_from(Bill)) == 1


def test_starting_twice_gives_one_instance_and_skips_bills_not_held(db, held, bill_of):
    bill, _ = held
    draft = bill_of(7, "180")
    assert start_bill_exceptions(db.session, [bill.id, draft.id]) == [] and start_bill_exceptions(db.session) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HumanTask)
                             .where(HumanTask.object_type == "bill")) == 1


def test_a_user_without_the_clerk_role_neither_sees_nor_completes_the_task(db, make, held):
    _, instance = held
    owner, _ = make.user("process_owner")
    assert find_tasks(db.session, owner, TaskFilter(queue="all", process="bill_exception")) == ([], 0)
    with pytest.raises(DomainError, match="belongs to role clerk"):
        complete_task(db.session, instance.tasks[0].id, owner, {"decision": "release", "note": "x"})
    assert instance.tasks[0].state is TaskState.OPEN


def test_the_panel_charts_the_last_bills_and_marks_estimates(app, db, bill_of, shipped):
    for month, kwh in ((3, "150"), (4, "170"), (5, "160")):
        earlier = bill_of(month, kwh)
        if month == 4:
            earlier.estimated = True
        issue_bill(db.session, earlier)
    bill = bill_of(6, "900", [TOO_HIGH])
    panel = exception_panel(db.session, bill.id)
    assert [(p.period.month, int(p.kwh), p.estimated, p.current) for p in panel["history"]] == [
        (3, 150, False, False), (4, 170, True, False), (5, 160, False, False), (6, 900, False, True)]
    assert panel["average_kwh"] == 160
    with app.test_request_context():
        html = render_template("worklist/_bill_panel.html", panel={"bill": panel})
    assert escape(TOO_HIGH) in html and html.count('<rect class="bar') == 4
    assert "2025-04: 170.00 kWh (estimated)" in html



def test_the_worklist_shows_why_the_bill_was_held(db, client, login, held):
    bill, instance = held
    login("clerk")
    task = db.session.scalar(sa.select(HumanTask).where(HumanTask.instance_id == instance.id))
    page = client.get(f"/worklist/?task={task.id}&queue=unclaimed")
    assert page.status_code == 200 and str(escape(TOO_HIGH)) in page.text and "(2025-06)" in page.text


def test_a_held_bill_under_review_is_cancelled_only_through_its_task(db, held):
    from models.billing.operations import cancel_bill
    bill, instance = held
    with pytest.raises(DomainError, match=f"being reviewed in bill exception process #{instance.id}"):
        cancel_bill(db.session, bill, "cancelled past the review")
    assert bill.status is BillStatus.HELD


def test_the_sweep_gives_a_held_bill_without_review_its_process(db, shipped, bill_of):
    from workflows.billing import start_missing_exceptions
    bill = bill_of(8, "900", [TOO_HIGH])
    assert start_missing_exceptions() == 1 and running_exception(db.session, bill.id) is not None
    assert start_missing_exceptions() == 0
