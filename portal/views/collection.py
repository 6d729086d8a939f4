"""/collection: the cashier's counter (find the customer by ID Pelanggan, bill number, SPN or the scanned
payment reference; their open bills oldest first; post; print the receipt; close the day), a payment's page
with its reversal, the customer's debt with the statement of account (PDF, CSV), and the direct-debit
mandates and batches (the files and returns themselves are /collection/bank's)."""
from __future__ import annotations

import uuid
from decimal import Decimal

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.base import db
from models.billing.queries import get_bill_by_id
from models.clock import today
from models.collection.account_statement import (
    CSV_COLUMNS,
    render_receipt,
    render_statement,
    statement_csv_rows,
    statement_rows,
)
from models.collection.bank_entities import DirectDebitBatch, Mandate
from models.collection.direct_debit import batch_items, batch_summaries, mandates_select
from models.collection.entities import PaymentChannel, PaymentMethod
from models.collection.operations import (
    cashier_day,
    cashier_day_of,
    close_cashier_day,
    expected_takings,
    post_payment,
    reverse_payment,
)
from models.collection.queries import Payer, bill_balances, customer_debt, find_payer_by_text, get_payment
from models.customers.entities import Customer
from models.customers.queries import get_customer
from models.errors import DomainError
from models.limits import parse_decimal
from models.users.roles import BOOKS_READERS, COLLECTION_READERS, COUNTER
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash
from portal.objects import paginate
from portal.params import optional_int
from reports.exports import csv_response

bp = Blueprint("collection", __name__, url_prefix="/collection")
COUNTER_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.QRIS)


@bp.get("/")
@roles_allowed(*COUNTER)
def index():
    return redirect(url_for(".cashier"))


@bp.get("/cashier")
@roles_allowed(*COUNTER)
def cashier():
    q, payer, customer, debt, error = (request.args.get("q") or "")[:200], None, None, None, None
    if q.strip():
        try:
            payer = find_payer_by_text(db.session, q)
            customer = get_customer(db.session, payer.customer_id)
            debt = customer_debt(db.session, customer, today())
        except DomainError as exc:        # NotFound among them
            error = exc.message
    return render_template("collection/cashier.html", q=q, payer=payer, customer=customer, debt=debt, error=error,
                           methods=COUNTER_METHODS, token=uuid.uuid4().hex[:12], day=_today_takings())


def _today_takings() -> dict:
    day = cashier_day_of(db.session, current_user.email, today())
    return {"day": day, "expected": expected_takings(db.session, day) if day else {}}


@bp.post("/cashier/pay")
@roles_allowed(*COUNTER)
def pay():
    form = request.form
    customer = db.session.get(Customer, optional_int(form.get("customer_id")) or 0)
    if customer is None:
        flash("Find the customer first.", "error")
        return redirect(url_for(".cashier"))
    bill_id = optional_int(form.get("bill_id"))
    token = (form.get("token") or "")[:64]
    posted = {}

    def _post():
        try:
            amount = parse_decimal(form.get("amount"), "amount", places=2)
            method = PaymentMethod(form.get("method") or "")
        except ValueError as exc:
            raise DomainError("choose how the customer pays", "method") from exc
        if amount is None or method not in COUNTER_METHODS:
            raise DomainError("give the amount received", "amount")
        bill = get_bill_by_id(db.session, bill_id) if bill_id else None
        day = cashier_day(db.session, current_user.email)
        # The form's one-time token is the reference: a double click or a resent form posts once.
        result = post_payment(db.session, Payer.of(customer, bill), channel=PaymentChannel.CASHIER, method=method,
                              reference=f"K{day.id:05d}-{token[:12].upper()}", amount=amount, paid_on=today(),
                              cashier_day=day)
        posted["id"] = result.payment.id
        return result
    if commit_or_flash(_post, lambda r: ("Already posted: this is the first payment." if r.replay else
                                         f"Payment of Rp {r.payment.amount:,.2f} posted.", "success")):
        return redirect(url_for(".payment", payment_id=posted["id"]))
    return redirect(url_for(".cashier", q=form.get("q") or ""))


@bp.get("/payments/<int:payment_id>")
@roles_allowed(*COLLECTION_READERS)
def payment(payment_id: int):
    found = get_payment(db.session, payment_id)
    balances = bill_balances(db.session, [a.bill_id for a in found.allocations])
    return render_template("collection/payment.html", payment=found, balances=balances)


@bp.get("/payments/<int:payment_id>/receipt.pdf")
@roles_allowed(*COLLECTION_READERS)
def receipt(payment_id: int):
    found = get_payment(db.session, payment_id)
    live = [a for a in found.allocations if a.released_at is None]
    balances = bill_balances(db.session, [a.bill_id for a in live])
    content = render_receipt(found, [(a.bill.number, a.amount, balances.get(a.bill_id, Decimal(0))) for a in live],
                             current_app.config["CMS_UTILITY_NAME"])
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="receipt-{found.id}.pdf"'})


@bp.post("/payments/<int:payment_id>/reverse")
@roles_allowed(*ANY_STAFF)
def reverse(payment_id: int):
    found = get_payment(db.session, payment_id)

    def _reverse():
        fee = parse_decimal(request.form.get("fee"), "fee", places=2)
        return reverse_payment(db.session, found, (request.form.get("reason") or "")[:500], fee=fee or None)
    commit_or_flash(_reverse, "Payment reversed: what it paid is open again.")
    return redirect(url_for(".payment", payment_id=payment_id))


@bp.route("/cashier/day", methods=["GET", "POST"])
@roles_allowed(*COUNTER)
def day():
    takings = _today_takings()
    if request.method == "POST":
        current = takings["day"]
        if current is None:
            flash("Nothing was posted today: there is no day to close.", "warning")
            return redirect(url_for(".day"))

        def _close():
            counted = {m.value: parse_decimal(request.form.get(m.value) or "0", m.value, Decimal(0), places=2)
                       for m in COUNTER_METHODS}
            return close_cashier_day(db.session, current, counted)
        commit_or_flash(_close, "The day is closed: the count balances.")
        return redirect(url_for(".day"))
    return render_template("collection/day.html", methods=COUNTER_METHODS, **takings)


@bp.get("/customers/<int:customer_id>")
@roles_allowed(*COLLECTION_READERS)
def customer(customer_id: int):
    found = get_customer(db.session, customer_id)
    opening, rows = statement_rows(db.session, found)
    return render_template("collection/customer.html", customer=found, debt=customer_debt(db.session, found, today()),
                           rows=rows[-200:], shown_from=len(rows) > 200)


@bp.get("/customers/<int:customer_id>/statement.<any(pdf, csv):kind>")
@roles_allowed(*COLLECTION_READERS)
def statement(customer_id: int, kind: str):
    found = get_customer(db.session, customer_id)
    opening, rows = statement_rows(db.session, found)
    if kind == "csv":
        return csv_response(f"statement-{found.id}.csv", CSV_COLUMNS,
                            ([row[c] for c in CSV_COLUMNS] for row in statement_csv_rows(rows)))
    content = render_statement(found, opening, rows, today(), current_app.config["CMS_UTILITY_NAME"])
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="statement-{found.id}.pdf"'})


@bp.get("/direct-debit/")
@roles_allowed(*BOOKS_READERS)
def direct_debit():
    return render_template("collection/direct_debit.html", mandates=paginate(mandates_select(), key=Mandate.id),
                           batches=batch_summaries(db.session))


@bp.get("/direct-debit/<int:batch_id>")
@roles_allowed(*BOOKS_READERS)
def direct_debit_batch(batch_id: int):
    batch = db.session.get(DirectDebitBatch, batch_id) or abort(404)
    return render_template("collection/direct_debit_batch.html", batch=batch, items=batch_items(db.session, batch.id))
