from admin_views.base import CmsModelView, ReadOnlyView
from models.readings.entities import Reading, ReadingAnomaly, ReadingRule


class ReadingView(ReadOnlyView):
    column_list = ["register", "read_on", "value", "consumption", "reading_type", "status", "source", "by"]
    column_filters = ["reading_type", "status", "read_on", "register.code"]
    column_searchable_list = ["source"]
    column_default_sort = ("read_on", True)
    page_size = 50


class ReadingAnomalyView(ReadOnlyView):
    column_list = ["reading", "code", "status", "detail", "service_order_id"]
    column_filters = ["code", "status"]
    column_default_sort = ("id", True)


class ReadingRuleView(CmsModelView):
    """Validation limits per tariff class; classes without a row use x3 / x0.2 / 3 readings."""

    column_list = ["tariff_class", "high_factor", "low_factor", "stopped_periods"]
    column_labels = {"high_factor": "High: more than x average", "low_factor": "Low: less than x average",
                     "stopped_periods": "Stopped after N readings"}


VIEWS = [
    (ReadingView, Reading, "Readings"),
    (ReadingAnomalyView, ReadingAnomaly, "Reading anomalies"),
    (ReadingRuleView, ReadingRule, "Validation rules"),
]
