"""Posting bills, credit notes, payments, reversals and write-offs once each; batches frozen on export; the
trial balance and the receivables reconciliation. Bills (collection conftest): 180 kWh = Rp 267,847."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.accounting.entities import JournalBatch, JournalEntry, PostingRule, RuleKind
from models.accounting.operations import export_batch, post_unposted
from models.accounting.queries import reconcile_receivables, trial_balance
from models.billing.operations import cancel_bill
from models.clock import today
from models.collection.entities import PaymentChannel, PaymentMethod
from models.collection.operations import post_payment, reverse_payment, write_off_bill
from models.collection.queries import Payer
from models.errors import DomainError


def pay(db, customer, amount, reference="TRX-1"):
    return post_payment(db.session, Payer.of(customer, None), channel=PaymentChannel.PARTNER,
                        method=PaymentMethod.TRANSFER, reference=reference, amount=Decimal(amount),
                        paid_on=today()).payment


def balances(db):
    return {r.code: r.balance for r in trial_balance(db.session, today() + timedelta(days=400)).rows if r.balance}


def test_an_invoice_debits_receivables_and_credits_revenue_and_tax(db, issue):
    bill = issue(5)
    assert post_unposted(db.session).by_event == {"invoice": 1}
    assert balances(db) == {"1100": Decimal("267847"), "4101": Decimal("-260046"), "2110": Decimal("-7801")}
    assert post_unposted(db.session).entries == 0
    [entry] = db.session.scalars(sa.select(JournalEntry)).all()
    assert (entry.reference, entry.event_on) == (bill.number, bill.issued_on)


def test_payment_reversal_credit_note_and_write_off_keep_receivables_reconciled(db, issue, customer):
    may, june = issue(5), issue(6)
    payment = pay(db, customer, "300000")
    post_unposted(db.session)
    reverse_payment(db.session, payment, "returned by the bank")
    cancel_bill(db.session, june, "wrong reading")
    write_off_bill(db.session, may, Decimal("1000"), "rounding dispute")
    posted = post_unposted(db.session)
    assert posted.by_event == {"reversal": 1, "credit_note": 1, "write_off": 1}
    got = balances(db)
    assert got["1100"] == Decimal("266847") and got["6100"] == Decimal("1000") and "1030" not in got
    report = reconcile_receivables(db.session)
    assert report.ledger == report.expected == Decimal("266847") and report.differences == []


def test_an_unposted_payment_shows_as_a_difference_for_its_customer(db, issue, customer):
    issue(5)
    post_unposted(db.session)
    pay(db, customer, "100000")
    report = reconcile_receivables(db.session)
    assert report.difference == Decimal("100000")
    assert [(d.customer_id, d.difference) for d in report.differences] == [(customer.id, Decimal("100000"))]


def test_a_missing_posting_rule_is_a_refusal_that_names_it(db, issue):
    post_unposted(db.session)
    db.session.execute(sa.delete(PostingRule).where(PostingRule.kind == RuleKind.REVENUE, PostingRule.key == "R-1"))
    issue(5)
    with pytest.raises(DomainError, match="no posting rule for revenue 'R-1'"):
        post_unposted(db.session)


def test_an_exported_batch_never_changes_and_later_postings_go_to_the_next(db, issue, customer):
    bill = issue(5)
    post_unposted(db.session)
    day = bill.issued_on
    first = export_batch(db.session, day, "csv")
    assert b"267847.00" in first and first.count(b"\n") == 4      # header + receivables, revenue, tax
    pay(db, customer, "1000", "LATE-1")
    post_unposted(db.session)
    assert export_batch(db.session, day, "csv") == first
    batches = db.session.scalars(sa.select(JournalBatch).order_by(JournalBatch.posting_date)).all()
    assert [(b.posting_date, b.status.value, len(b.entries)) for b in batches] == [
        (day, "exported", 1), (day + timedelta(days=1), "open", 1)]
    assert export_batch(db.session, day, "json") == export_batch(db.session, day, "json")


def test_the_trial_balance_balances_and_stops_at_its_date(db, issue):
    bill = issue(5)
    post_unposted(db.session)
    before = trial_balance(db.session, bill.issued_on - timedelta(days=1))
    assert before.debit == before.credit == 0 and len(before.rows) > 10
    on = trial_balance(db.session, bill.issued_on)
    assert on.debit == on.credit == Decimal("267847")
    assert on.as_json()["debit"] == "267847.00"


def test_an_unknown_export_format_is_refused(db):
    with pytest.raises(DomainError, match="csv or json"):
        export_batch(db.session, today(), "xml")


def test_a_written_off_bill_cancelled_later_voids_its_write_off(db, issue):
    bill = issue(5)
    write_off_bill(db.session, bill, Decimal("5000"), "uncollectable")
    post_unposted(db.session)
    cancel_bill(db.session, bill, "wrong reading")
    assert post_unposted(db.session).by_event == {"credit_note": 1, "write_off_void": 1}
    assert balances(db) == {}
    assert reconcile_receivables(db.session).difference == 0


def test_renaming_an_account_after_export_leaves_the_file_as_sent(db, issue):
    bill = issue(5)
    post_unposted(db.session)
    first = export_batch(db.session, bill.issued_on, "json")
    from models.accounting.entities import LedgerAccount
    db.session.scalar(sa.select(LedgerAccount).where(LedgerAccount.code == "1100")).name = "Renamed"
    db.session.flush()
    assert export_batch(db.session, bill.issued_on, "json") == first and b"Trade receivables" in first
