import json

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.model.template import EndpointLinkRowAction
from markupsafe import Markup

from admin_views.base import CmsModelView
from models.base import db
from models.params import ID_MAX
from models.tariffs.entities import Tariff, TariffComponent, TariffVersion
from models.tariffs.importing import set_rate_structure
from models.tariffs.operations import check_version_overlap

COMPONENT_COLUMNS = ["id", "sequence", "kind", "label", "tou_period", "block_from", "block_to", "rate", "factor",
                     "threshold_ratio", "hours", "percentage", "tax_base", "threshold", "amount"]


class TariffView(CmsModelView):
    column_list = ["code", "tariff_class", "name", "voltage", "payment_mode", "min_power_va", "max_power_va",
                   "time_of_use"]
    column_searchable_list = ["code", "name", "tariff_class"]
    column_filters = ["tariff_class", "voltage", "payment_mode", "time_of_use"]
    column_labels = {"tariff_class": "Class", "min_power_va": "Min power (VA)", "max_power_va": "Max power (VA)"}
    column_default_sort = "code"
    form_excluded_columns = ["versions"]


class TariffVersionView(CmsModelView):
    column_list = ["tariff", "effective_from", "effective_to", "rounding_rule", "rounding_unit", "legal_basis"]
    column_searchable_list = ["tariff.code", "legal_basis"]
    column_filters = ["tariff.code", "effective_from", "effective_to"]
    column_labels = {"tariff.code": "Tariff"}
    column_default_sort = [("tariff_id", False), ("effective_from", False)]
    form_columns = ["tariff", "effective_from", "effective_to", "rounding_rule", "rounding_unit", "legal_basis"]
    inline_models = [(TariffComponent, {"form_columns": COMPONENT_COLUMNS})]
    column_extra_row_actions = [
        EndpointLinkRowAction("fa fa-th", ".schedules_view", title="Schedules and rates", id_arg="version_id")]

    @expose("/schedules/<int:version_id>", methods=("GET", "POST"))
    def schedules_view(self, version_id: int):
        return _schedules_view(self, version_id)

    def on_model_change(self, form, model, is_created):
        with db.session.no_autoflush:
            check_version_overlap(db.session, model)


class TariffComponentView(CmsModelView):
    column_list = ["version", "sequence", "kind", "label", "tou_period", "block_from", "block_to", "rate", "factor",
                   "percentage"]
    column_searchable_list = ["label"]
    column_filters = ["kind", "tou_period"]
    form_columns = COMPONENT_COLUMNS[1:] + ["version"]


VIEWS = [
    (TariffView, Tariff, "Tariffs"),
    (TariffVersionView, TariffVersion, "Tariff versions"),
    (TariffComponentView, TariffComponent, "Tariff components"),
]


# --- The rate structure editor: schedules as 12 x 24 grids painted by click or drag, rates as JSON. ---

SCHEDULES = [("energy_weekday", "Energy, weekdays"), ("energy_weekend", "Energy, weekends"),
             ("demand_weekday", "Demand, weekdays"), ("demand_weekend", "Demand, weekends")]
RATE_KEYS = ["energy_rates", "energy_tier_unit", "demand_rates", "flat_demand_months", "flat_demand_rates",
             "fixed_monthly", "minimum_monthly", "minimum_annual", "tou_periods"]
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EDITOR = """{% extends 'admin/master.html' %}
{% block head_css %}{{ super() }}
<link rel="stylesheet" href="{{ url_for('static', filename='tariff_schedule.css') }}">{% endblock %}
{% block body %}
<h1 class="h4">Schedules and rates of {{ version }}</h1>
<p class="text-muted">Pick a period, then click or drag over the cells (month x local hour). Saving checks that
every period a grid uses has a rate; leave both demand grids empty for a tariff without TOU demand.</p>
<form method="post" id="tariff-schedule-form">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  {% for key, title in schedules %}
  <fieldset class="tariff-grid mb-3" data-grid="{{ key }}">
    <legend class="h6">{{ title }}
      <label class="small ml-2"><input type="checkbox" class="grid-off" {% if grids[key] is none %}checked{% endif %}>
        none</label></legend>
    <div class="palette" role="radiogroup" aria-label="period for {{ title }}">
      {% for p in range(periods) %}
      <button type="button" class="period p{{ p % 12 }}" data-period="{{ p }}">{{ p }}</button>{% endfor %}
    </div>
    <table class="grid"><tr><th></th>{% for h in range(24) %}<th>{{ h }}</th>{% endfor %}</tr>
      {% for m in range(12) %}<tr><th>{{ months[m] }}</th>
        {% for h in range(24) %}{% set p = (grids[key] or zero)[m][h] %}
        <td class="p{{ p % 12 }}" data-m="{{ m }}" data-h="{{ h }}">{{ p }}</td>{% endfor %}
      </tr>{% endfor %}</table>
    <input type="hidden" name="{{ key }}" value="{{ grids[key] | tojson if grids[key] is not none else '' }}">
  </fieldset>
  {% endfor %}
  <div class="form-group"><label for="rates">Rates (JSON: tiers per period, fixed and minimum charges)</label>
    <textarea class="form-control text-monospace" id="rates" name="rates" rows="10">{{ rates }}</textarea></div>
  <button class="btn btn-primary" type="submit">Save</button>
  <a class="btn btn-secondary" href="{{ get_url('.index_view') }}">Cancel</a>
</form>
<script {{ admin_csp_nonce_attribute }} src="{{ url_for('static', filename='tariff_schedule.js') }}" defer></script>
{% endblock %}"""


def _render_string(view, source: str, **kwargs) -> str:
    # Flask-Admin's BaseView.render, for a template kept beside its view (admin_views owns no template folder).
    from flask import current_app, render_template_string
    from flask_admin import babel, helpers
    kwargs.update(admin_view=view, admin_base_template=view.admin.theme.base_template,
                  admin_csp_nonce_attribute=Markup(f'nonce="{view.admin.csp_nonce_generator()}"')
                  if view.admin.csp_nonce_generator else "",
                  _gettext=babel.gettext, _ngettext=babel.ngettext, h=helpers, get_url=view.get_url,
                  config=current_app.config, theme=view.admin.theme)
    kwargs.update(view._template_args)
    return render_template_string(source, **kwargs)


def _schedules_view(self, version_id: int):
    if version_id > ID_MAX:
        abort(404)
    version = db.session.get(TariffVersion, version_id) or abort(404)
    if request.method == "POST":
        if not self._may_write():
            abort(403)
        try:
            rates = json.loads(request.form.get("rates") or "{}")
            if not isinstance(rates, dict):
                raise ValueError("the rates must be a JSON object")
            data = {k: rates.get(k) for k in RATE_KEYS if k in rates}
            for key, _ in SCHEDULES:
                text = request.form.get(key) or ""
                data[key] = json.loads(text) if text.strip() else None
        except ValueError as exc:
            flash(f"Rates: not valid JSON: {exc}", "error")
        else:
            data["name"] = version.tariff.name
            saved = self.apply(lambda: set_rate_structure(db.session, version, data))
            if saved is not None:
                flash(f"Saved the schedules and rates of {version}.", "success")
                return redirect(url_for(".schedules_view", version_id=version.id))
    stored = version.rate_structure.structure if version.rate_structure else None
    base = stored or {"energy_weekday": [[0] * 24] * 12, "energy_weekend": [[0] * 24] * 12,
                      "energy_rates": [[{"max": None, "rate": "0"}]]}
    grids = {key: base.get(key) for key, _ in SCHEDULES}
    periods = max(12, *(len(base.get(k) or ()) for k in ("energy_rates", "demand_rates")))
    rates = json.dumps({k: base[k] for k in RATE_KEYS if base.get(k) not in (None, [], "0")}, indent=1)
    return _render_string(self, EDITOR, version=version, schedules=SCHEDULES, grids=grids, periods=periods,
                          months=MONTH_NAMES, zero=[[0] * 24] * 12, rates=rates)

