from admin_views.base import CmsModelView, ReadOnlyView
from models.readings.entities import (
    AnomalyFollowUp,
    IntervalReading,
    Reading,
    ReadingAnomaly,
    ReadingCycle,
    ReadingRule,
)


class ReadingView(ReadOnlyView):
    column_list = ["register", "read_on", "value", "consumption", "correction", "reading_type", "status", "source",
                   "by"]
    column_filters = ["reading_type", "status", "read_on", "register.code"]
    column_searchable_list = ["source"]
    column_default_sort = ("read_on", True)
    page_size = 50


class ReadingAnomalyView(ReadOnlyView):
    column_list = ["reading", "code", "status", "detail", "service_order", "process_instance_id"]
    column_filters = ["code", "status"]
    column_default_sort = ("id", True)


class ReadingRuleView(CmsModelView):
    """Validation limits per tariff class; classes without a row use x3 / x0.2 / 3 readings."""

    column_list = ["tariff_class", "high_factor", "low_factor", "stopped_periods", "profile_daily"]
    column_labels = {"high_factor": "High: more than x average", "low_factor": "Low: less than x average",
                     "stopped_periods": "Stopped after N readings",
                     "profile_daily": "Profile kWh/day (new service points)"}


class AnomalyFollowUpView(CmsModelView):
    """Which anomaly codes start follow-up work: an inspection order or the meter replacement process."""

    column_list = ["code", "action", "active"]


class ReadingCycleView(ReadOnlyView):
    column_list = ["route", "period", "scheduled_on", "billing_cycle", "status", "closed_at", "closed_by"]
    column_filters = ["status", "period", "route.code"]
    column_default_sort = ("period", True)


class IntervalReadingView(ReadOnlyView):
    column_list = ["meter", "channel", "start_at", "minutes", "value", "quality", "source"]
    column_filters = ["channel", "start_at", "quality", "meter.number"]
    column_default_sort = ("start_at", True)
    page_size = 100


VIEWS = [
    (ReadingView, Reading, "Readings"),
    (ReadingAnomalyView, ReadingAnomaly, "Reading anomalies"),
    (ReadingRuleView, ReadingRule, "Validation rules"),
    (AnomalyFollowUpView, AnomalyFollowUp, "Anomaly follow-ups"),
    (ReadingCycleView, ReadingCycle, "Reading cycles"),
    (IntervalReadingView, IntervalReading, "Interval data"),
]
