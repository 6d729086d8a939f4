"""Invoice documents: rendered from the stored bill, stored once with their SHA-256, never rewritten."""
import hashlib
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pypdf
import pytest

from models.billing.documents import (
    invoice_data,
    invoice_number_from_reference,
    payment_reference,
    render_invoice,
    store_document,
)
from models.billing.inputs import ReadingPair
from models.billing.operations import cancel_bill, issue_bill, record_bill
from models.billing.simulation import simulate_bill
from models.errors import DomainError
from models.tariffs.catalogue import load_pln_catalogue
from workflows.billing_documents import document_batches, queue_documents


def text_of(content: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()


@pytest.fixture
def draft(db, make):
    tariffs = load_pln_catalogue(db.session)
    contract = make.contract(tariff=tariffs["R-1/TR 1300"], power_va=1300)
    priced = simulate_bill(db.session, "R-1/TR 1300", 1300, "2024-10", kwh="180")
    # The simulator has no meter: the energy line gets the readings a billing run would give it.
    pair = ReadingPair("1.8.0", Decimal("4120"), "actual", date(2024, 10, 1), Decimal("4300"), "estimated",
                       date(2024, 11, 1), meter_number="ITR000777001")
    priced = replace(priced, lines=(replace(priced.lines[0], readings=(pair,)), *priced.lines[1:]))
    return record_bill(db.session, contract, priced, period=date(2024, 10, 1))


@pytest.fixture
def bill(db, draft):
    return issue_bill(db.session, draft)


def test_the_document_shows_the_bill(db, bill):
    text = text_of(store_document(db.session, bill).content)
    # 180 kWh x Rp 1,444.70 = Rp 260,046; PPJ 3% = Rp 7,801
    for shown in (bill.number, "Rp 267,847", f"Due date {bill.due_on.day} {bill.due_on:%b %Y}",
                  bill.contract.customer_no, bill.service_point.spn, "180 kWh x Rp 1,444.70 = Rp 260,046",
                  "ITR000777001 / 1.8.0", "estimated", payment_reference(bill.number), "INVOICE"):
        assert shown in text


def test_stored_once_with_its_sha256(db, bill):
    document = store_document(db.session, bill)
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()
    assert store_document(db.session, bill) is document
    assert document.content == render_invoice(invoice_data(db.session, bill))    # the same data, the same bytes


def test_a_stored_document_cannot_be_rewritten(db, bill):
    document = store_document(db.session, bill)
    document.content = b"%PDF-forged"
    with pytest.raises(DomainError, match="written once"):
        db.session.flush()


def test_a_draft_bill_gets_no_document(db, draft):
    with pytest.raises(DomainError, match="only issued bills and credit notes"):
        store_document(db.session, draft)


def test_a_credit_note_names_the_bill_it_cancels(db, bill):
    credit = cancel_bill(db.session, bill, "meter read wrongly")
    text = text_of(store_document(db.session, credit).content)
    assert f"CREDIT NOTE cancelling invoice {bill.number}" in text and "Rp -267,847" in text


def test_the_payment_reference_carries_a_check_digit():
    reference = payment_reference("INV-2026-0000001")
    assert invoice_number_from_reference(reference) == "INV-2026-0000001"
    assert invoice_number_from_reference(reference[:-1] + str((int(reference[-1]) + 1) % 10)) is None


def test_the_chart_has_the_contracts_earlier_bills(db, bill):
    priced = simulate_bill(db.session, "R-1/TR 1300", 1300, "2024-11", kwh="200")
    later = issue_bill(db.session, record_bill(db.session, bill.contract, priced, period=date(2024, 11, 1)))
    assert invoice_data(db.session, later).history == ((date(2024, 10, 1), 180), (date(2024, 11, 1), 200))


def test_the_job_renders_each_issued_bill_once(db, bill):
    assert document_batches(db.session, period=date(2024, 10, 1)) == [[bill.id]]
    assert queue_documents(db.session, period=date(2024, 10, 1)) == 1     # eager: rendered and committed
    assert document_batches(db.session) == [] and queue_documents(db.session) == 0
