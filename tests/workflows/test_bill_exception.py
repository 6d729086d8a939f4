"""The shipped bill exception process: a held bill reviewed by a clerk, then issued, recalculated or cancelled."""
from datetime import date

import pytest
import sqlalchemy as sa
from flask import render_template
from markupsafe import escape

from models.billing.entities import BillStatus
from models.billing.operations import issue_bill, record_bill
from models.billing.simulation import simulate_bill
from models.clock import today
from models.errors import DomainError
from models.process.entities import HumanTask, InstanceStatus, TaskState
from models.process.queries import TaskFilter, find_tasks
from models.tariffs.catalogue import load_pln_catalogue
from workflows.billing_exceptions import exception_panel, start_bill_exceptions
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


def test_recalculate_frees_the_period_for_the_rebill(db, make, held, work):
    bill, instance = held
    clerk, _ = make.user("clerk")
    work(instance, "ut_review", clerk, decision="recalculate", note="reading corrected to 12,480")
    assert bill.status is BillStatus.CANCELLED and "rebill due" in bill.cancel_reason
    assert instance.status is InstanceStatus.COMPLETED


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
            earlier.lines[0].readings = [{"register": "1.8.0", "current_type": "estimated", "estimated": True}]
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
