from admin_views.base import CmsModelView
from models.premises.entities import MeterChamber, MeterPoint, Property, ReadingRoute, ServicePoint


class PropertyView(CmsModelView):
    column_list = ["address", "city", "postal_code", "kind"]
    column_searchable_list = ["address", "city", "postal_code"]
    column_filters = ["city", "kind"]


class MeterChamberView(CmsModelView):
    column_list = ["code", "property", "feeder", "transformer"]
    column_searchable_list = ["code", "feeder", "transformer"]
    form_ajax_refs = {"property": {"fields": ["address", "city"], "page_size": 10}}
    inline_models = [(MeterPoint, {"form_columns": ["id", "position"]})]


class MeterPointView(CmsModelView):
    column_list = ["chamber", "position"]
    column_searchable_list = ["position", "chamber.code"]
    form_ajax_refs = {"chamber": {"fields": ["code"], "page_size": 10}}


class ReadingRouteView(CmsModelView):
    column_list = ["code", "name", "area", "scheduled_day"]
    column_searchable_list = ["code", "name", "area"]
    column_filters = ["area", "scheduled_day"]


class ServicePointView(CmsModelView):
    column_list = ["spn", "status", "supply_voltage", "property", "route", "itinerary", "reading_sequence",
                   "created_on"]
    column_searchable_list = ["spn"]
    column_filters = ["status", "supply_voltage", "route.code", "feeder", "created_on"]
    column_sortable_list = ["spn", "status", "supply_voltage", "reading_sequence", "created_on",
                            ("route", "route.code")]
    column_labels = {"spn": "SPN", "route.code": "Route"}
    column_default_sort = "spn"
    form_columns = ["spn", "property", "meter_point", "route", "itinerary", "reading_sequence",
                    "supply_voltage", "feeder", "transformer", "created_on"]
    form_ajax_refs = {
        "property": {"fields": ["address", "city"], "page_size": 10},
        "meter_point": {"fields": ["position"], "page_size": 10},
        "route": {"fields": ["code", "name"], "page_size": 10},
    }


VIEWS = [
    (ServicePointView, ServicePoint, "Service points"),
    (PropertyView, Property, "Properties"),
    (MeterChamberView, MeterChamber, "Meter chambers"),
    (MeterPointView, MeterPoint, "Meter points"),
    (ReadingRouteView, ReadingRoute, "Reading routes"),
]
