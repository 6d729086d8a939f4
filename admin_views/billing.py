"""Billing in the admin: bills, their lines, documents, runs and chunks read-only (operations write them and
an issued bill never changes); misc charge types maintained here; misc charges added through add_misc_charge."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from admin_views.base import CmsModelView, ReadOnlyView
from models.base import db
from models.billing.charges import add_misc_charge
from models.billing.entities import (
    Bill,
    BillDocument,
    BillingChunk,
    BillingRun,
    BillLine,
    InvoiceCounter,
    MiscCharge,
    MiscChargeType,
)
from models.contracts.entities import Contract
from models.errors import DomainError


def _bill_page(view, context, model, name):
    """The bill's number (or draft id) linking to its portal page, which explains it line by line."""
    bill = model if isinstance(model, Bill) else getattr(model, "bill", None)
    if bill is None and getattr(model, "bill_id", None):
        bill = db.session.get(Bill, model.bill_id)
    if bill is None:
        return ""
    url = url_for("billing.bill", number=bill.number) if bill.number else \
        url_for("billing.bill_by_id", bill_id=bill.id)
    return Markup('<a href="{}">{}</a>').format(url, bill)


class BillView(ReadOnlyView):
    column_list = ["number", "kind", "status", "period", "service_point", "contract", "tariff_code", "tariff_class",
                   "power_va", "kwh", "total", "issued_on", "due_on"]
    column_details_list = column_list + ["period_start", "period_end", "jam_nyala", "subtotal", "taxes",
                                         "hold_reasons", "cancels", "rebill_of", "cancel_reason", "run_id",
                                         "created_at"]
    column_export_list = [c for c in column_details_list if c not in ("cancels", "rebill_of")]
    column_searchable_list = ["number", "service_point.spn", "contract.customer_no"]
    column_filters = ["status", "kind", "period", "tariff_class", "tariff_code", "issued_on", "due_on", "run_id"]
    column_labels = {"service_point.spn": "SPN", "contract.customer_no": "ID Pelanggan", "power_va": "Power (VA)",
                     "tariff_code": "Tariff", "tariff_class": "Class", "run_id": "Run", "kwh": "kWh"}
    column_formatters = {"number": _bill_page}
    column_default_sort = ("id", True)


class BillLineView(ReadOnlyView):
    column_list = ["bill", "sequence", "kind", "label", "quantity", "unit", "rate", "amount", "covers_from",
                   "covers_to", "split", "explanation"]
    column_details_list = column_list + ["tariff_version_id", "readings"]
    column_searchable_list = ["bill.number", "label"]
    column_filters = ["kind", "unit", "covers_from", "split"]
    column_formatters = {"bill": _bill_page}
    column_default_sort = [("bill_id", True), ("sequence", False)]


class BillDocumentView(ReadOnlyView):
    """The stored PDFs: listed by their hash; the bytes themselves download from the bill page."""

    column_list = ["bill_id", "sha256", "rendered_at"]
    column_details_list = column_list
    column_export_list = column_list
    column_searchable_list = ["sha256"]
    column_filters = ["bill_id", "rendered_at"]
    column_labels = {"bill_id": "Bill"}
    column_formatters = {"bill_id": _bill_page}
    column_default_sort = ("id", True)


class BillingRunView(ReadOnlyView):
    column_list = ["id", "period", "routes", "status", "total", "done", "held", "errors", "by", "created_at",
                   "started_at", "finished_at"]
    column_details_list = column_list + ["refused_routes"]
    column_filters = ["status", "period", "by", "created_at"]
    column_default_sort = ("id", True)
    column_formatters = {"id": lambda v, c, model, n: Markup('<a href="{}">#{}</a>').format(
        url_for("billing.run", run_id=model.id), model.id)}


class BillingChunkView(ReadOnlyView):
    column_list = ["run", "sequence", "status", "attempts", "billed", "held", "started_at", "finished_at"]
    column_details_list = column_list + ["contract_ids", "errors"]
    column_filters = ["status", "run_id", "attempts"]
    column_labels = {"run_id": "Run"}
    column_default_sort = [("run_id", True), ("sequence", False)]


class InvoiceCounterView(ReadOnlyView):
    """The last invoice number drawn per series and year: gapless, drawn only when a bill is issued."""

    column_list = ["series", "year", "last_number"]
    can_view_details = False        # its key is (series, year): the list shows the whole row
    column_filters = ["series", "year"]
    column_default_sort = [("year", True), ("series", False)]


class MiscChargeTypeView(CmsModelView):
    """Fees outside the tariff (reconnection, meter test): their default amount and whether PPJ applies."""

    column_list = ["code", "name", "default_amount", "taxable"]
    column_searchable_list = ["code", "name"]
    column_filters = ["taxable"]
    column_labels = {"default_amount": "Default amount (Rp)", "taxable": "Taxable (joins the PPJ base)"}
    column_default_sort = "code"
    form_columns = ["code", "name", "default_amount", "taxable"]


class MiscChargeForm(FlaskForm):
    customer_no = StringField("Contract (ID Pelanggan)", validators=[InputRequired(), Length(max=12)])
    charge_type = QuerySelectField(query_factory=lambda: db.session.query(MiscChargeType).order_by(
        MiscChargeType.name), validators=[DataRequired()])
    amount = StringField("Amount (Rp; empty: the type's default; negative: a credit)", validators=[Length(max=20)])
    reason = StringField(validators=[InputRequired(), Length(max=500)])


class MiscChargeView(ReadOnlyView):
    """Charges waiting for (or carried by) a bill: added through add_misc_charge, never edited."""

    column_list = ["id", "contract_id", "charge_type", "amount", "reason", "by", "created_at", "bill_id"]
    column_searchable_list = ["reason", "by"]
    column_filters = ["charge_type.code", "contract_id", "created_at", "by", "bill_id"]
    column_labels = {"charge_type.code": "Charge type", "contract_id": "Contract (ID Pelanggan)", "bill_id": "Bill"}
    column_formatters = {"bill_id": _bill_page, "contract_id": lambda v, c, model, n: db.session.get(
        Contract, model.contract_id) or ""}
    column_default_sort = ("id", True)
    list_template = "billing/admin_misc_charges.html"

    @expose("/add", methods=("GET", "POST"))
    def add(self):
        if not self._may_write():
            abort(403)
        form = MiscChargeForm(request.form if request.method == "POST" else None)
        if form.validate_on_submit():
            number = form.customer_no.data.strip()

            def work():
                contract = db.session.scalar(sa.select(Contract).where(Contract.customer_no == number))
                if contract is None:
                    raise DomainError(f"no contract with ID Pelanggan {number}", "customer_no")
                return add_misc_charge(db.session, contract, form.charge_type.data, form.amount.data,
                                       form.reason.data)
            charge = self.apply(work, form)
            if charge is not None:
                flash(f"{charge.charge_type} of Rp {charge.amount:,} added to {number}: its next bill carries it.",
                      "success")
                return redirect(url_for(".index_view"))
        return self.render("billing/admin_misc_charge.html", form=form)


VIEWS = [
    (BillView, Bill, "Bills"),
    (BillLineView, BillLine, "Bill lines"),
    (BillDocumentView, BillDocument, "Bill documents"),
    (BillingRunView, BillingRun, "Billing runs"),
    (BillingChunkView, BillingChunk, "Billing chunks"),
    (InvoiceCounterView, InvoiceCounter, "Invoice counters"),
    (MiscChargeTypeView, MiscChargeType, "Misc charge types"),
    (MiscChargeView, MiscCharge, "Misc charges"),
]
