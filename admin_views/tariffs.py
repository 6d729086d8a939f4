from admin_views.base import CmsModelView
from models.base import db
from models.tariffs.entities import Tariff, TariffComponent, TariffVersion
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
