from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from admin_views.base import CmsModelView, ReadOnlyView
from models.base import db
from models.contracts.entities import Contract, ContractVersion
from models.contracts.operations import change_contract_terms
from models.tariffs.entities import Tariff


def _versions_table(view, context, model, name):
    rows = Markup("").join(
        Markup("<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:,} VA</td><td>{}</td></tr>").format(
            v.version_no, v.valid_from, v.valid_to or "open", v.tariff.code, v.contracted_power_va,
            v.change_reason or "")
        for v in model.versions)
    return Markup('<table class="table table-sm small mb-0"><tr><th>version</th><th>from</th><th>to</th>'
                  "<th>tariff</th><th>power</th><th>reason</th></tr>{}</table>").format(rows)


class ChangeTermsForm(FlaskForm):
    effective_from = DateField(validators=[InputRequired()])
    tariff = QuerySelectField(query_factory=lambda: db.session.query(Tariff).order_by(Tariff.code),
                              validators=[DataRequired()])
    contracted_power_va = IntegerField("Contracted power (VA)", validators=[InputRequired(), NumberRange(min=1)])
    reason = StringField(validators=[InputRequired(), Length(max=200)])


class ContractView(CmsModelView):
    """Contracts change only by new versions (history is kept); they open through the request process."""

    allow_create = allow_edit = allow_delete = False
    column_list = ["customer_no", "service_point", "serial", "account", "status", "registered_on", "terminated_on"]
    column_details_list = column_list + ["versions"]
    column_searchable_list = ["customer_no", "service_point.spn", "account.account_no"]
    column_filters = ["status", "registered_on", "terminated_on"]
    column_labels = {"customer_no": "ID Pelanggan", "service_point.spn": "SPN"}
    column_formatters = {"versions": _versions_table}
    column_extra_row_actions = None
    details_template = "admin/contract_details.html"

    @expose("/terms/<int:contract_id>", methods=("GET", "POST"))
    def change_terms(self, contract_id: int):
        if not self._may_write():
            abort(403)
        contract = db.session.get(Contract, contract_id) or abort(404)
        current = next((v for v in contract.versions if v.valid_to is None), None)
        form = ChangeTermsForm(request.form if request.method == "POST" else None,
                               tariff=current.tariff if current else None,
                               contracted_power_va=current.contracted_power_va if current else None)
        if form.validate_on_submit():
            version = self.apply(lambda: change_contract_terms(
                db.session, contract, form.effective_from.data, form.reason.data,
                tariff=form.tariff.data, contracted_power_va=form.contracted_power_va.data), form)
            if version is not None:
                flash(f"Contract {contract} now has version {version.version_no} from {version.valid_from}.",
                      "success")
                return redirect(url_for(".details_view", id=contract.id))
        return self.render("admin/contract_terms.html", form=form, contract=contract)


class ContractVersionView(ReadOnlyView):
    column_list = ["contract", "version_no", "valid_from", "valid_to", "tariff", "contracted_power_va",
                   "contract_type", "reading_cycle", "billing_cycle", "change_reason"]
    column_searchable_list = ["contract.customer_no"]
    column_filters = ["tariff.code", "contract_type", "valid_from", "valid_to"]
    column_labels = {"contract.customer_no": "ID Pelanggan", "contracted_power_va": "Power (VA)"}


VIEWS = [
    (ContractView, Contract, "Contracts"),
    (ContractVersionView, ContractVersion, "Contract versions"),
]
