"""Recording, issuing and cancelling bills: numbers, due dates, credit notes, and immutability once issued."""
from datetime import date
from decimal import Decimal

import pytest

from models.billing.entities import BillDocument, BillKind, BillStatus
from models.billing.operations import cancel_bill, due_date, issue_bill, record_bill
from models.billing.simulation import simulate_bill
from models.clock import today
from models.errors import DomainError
from models.statuses import status_history
from models.tariffs.catalogue import load_pln_catalogue


@pytest.fixture
def bill(db, make):
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300)
    priced = simulate_bill(db.session, "R-1/TR 1300", 1300, "2024-10", kwh="180")
    return record_bill(db.session, contract, priced, period=date(2024, 10, 1))


def test_a_recorded_bill_keeps_every_line_and_explains_it(bill):
    # 180 kWh x Rp 1,444.70 = Rp 260,046; PPJ 3% = Rp 7,801
    assert (bill.status, bill.total, bill.number) == (BillStatus.DRAFT, Decimal("267847"), None)
    assert [line.explanation.split(" (")[0] for line in bill.lines][0] == "180 kWh x Rp 1,444.70 = Rp 260,046"
    assert sum(line.amount for line in bill.lines) == bill.total


def test_issuing_numbers_dates_and_records_the_move(db, bill):
    issue_bill(db.session, bill)
    assert (bill.number, bill.issued_on) == (f"INV-{today().year}-0000001", today())
    assert bill.due_on == due_date(today()) and (bill.due_on - today()).days >= 10
    assert [c.to_status for c in status_history(db.session, "bill", bill.id)] == ["draft", "issued"]


@pytest.mark.parametrize(("issued", "due"), [(date(2026, 11, 2), date(2026, 11, 20)),
                                             (date(2026, 11, 15), date(2026, 12, 20)),
                                             (date(2026, 12, 28), date(2027, 1, 20)),
                                             (date(2028, 2, 29), date(2028, 3, 20)),
                                             (date(2027, 5, 3), date(2027, 5, 21))])   # the 20th is Vesak Day
def test_a_late_issue_falls_due_next_month(issued, due):
    assert due_date(issued) == due


def test_an_issued_bill_cannot_change(db, bill):
    issue_bill(db.session, bill)
    bill.total = Decimal("1")
    with pytest.raises(DomainError, match="is issued and cannot change"):
        db.session.flush()


def test_cancelling_an_issued_bill_makes_a_numbered_credit_note(db, bill):
    issue_bill(db.session, bill)
    credit = cancel_bill(db.session, bill, "meter read wrongly")
    assert (bill.status, credit.kind, credit.status) == (BillStatus.CANCELLED, BillKind.CREDIT_NOTE, BillStatus.ISSUED)
    assert (credit.number, credit.total, credit.cancels_id) == ("CN-" + credit.number[3:], -bill.total, bill.id)
    assert sum(line.amount for line in credit.lines) == -bill.total


def test_cancelling_twice_or_a_credit_note_is_refused(db, bill):
    issue_bill(db.session, bill)
    credit = cancel_bill(db.session, bill, "wrong reading")
    with pytest.raises(DomainError, match="already cancelled"):
        cancel_bill(db.session, bill, "again")
    with pytest.raises(DomainError, match="credit note cannot be cancelled"):
        cancel_bill(db.session, credit, "undo")


def test_a_document_is_never_rewritten(db, bill):
    document = BillDocument(bill_id=bill.id, content=b"%PDF-1", sha256="0" * 64)
    db.session.add(document)
    db.session.flush()
    document.content = b"%PDF-2"
    with pytest.raises(DomainError, match="written once"):
        db.session.flush()


def test_an_unknown_holiday_country_is_refused_by_name():
    from models import calendar
    with pytest.raises(calendar.CalendarSettingError, match="CMS_HOLIDAY_COUNTRY: 'XX'"):
        calendar.configure("XX")
