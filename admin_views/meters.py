from admin_views.base import CmsModelView, ReadOnlyView
from models.meters.entities import (
    Calibration,
    ControlDevice,
    Installation,
    Meter,
    MeterModel,
    MeterMovement,
    Register,
    Store,
)


class StoreView(CmsModelView):
    column_list = ["code", "name", "kind", "address"]
    column_searchable_list = ["code", "name"]
    column_filters = ["kind"]


class MeterModelView(CmsModelView):
    column_list = ["manufacturer", "model_code", "description", "phases", "digits", "time_of_use",
                   "calibration_interval_months"]
    column_searchable_list = ["manufacturer", "model_code"]
    column_filters = ["manufacturer", "phases", "time_of_use"]
    column_labels = {"calibration_interval_months": "Calibration interval (months)"}


class MeterView(CmsModelView):
    column_list = ["number", "model", "status", "store", "last_calibrated_on", "next_calibration_due"]
    column_searchable_list = ["number"]
    column_filters = ["status", "store.code", "model.manufacturer", "next_calibration_due"]
    column_sortable_list = ["number", "status", "last_calibrated_on", "next_calibration_due",
                            ("store", "store.code")]
    column_labels = {"number": "Meter number", "store.code": "Store", "model.manufacturer": "Manufacturer"}
    column_default_sort = "number"
    # A new meter is in store; its store and calibration then move only through movements, installations
    # and calibrations, so the edit form leaves them out (admin_views.owned.SET_ON_ENTRY).
    form_columns = ["number", "model", "store", "manufactured_year", "last_calibrated_on", "next_calibration_due"]
    form_ajax_refs = {"model": {"fields": ["manufacturer", "model_code"], "page_size": 10}}
    inline_models = [(Register, {"form_columns": ["id", "code", "usage_type", "digits", "decimals", "multiplier",
                                                  "stream"]})]


class RegisterView(CmsModelView):
    column_list = ["meter", "code", "usage_type", "digits", "decimals", "multiplier", "stream"]
    column_searchable_list = ["meter.number", "code"]
    column_filters = ["usage_type", "multiplier"]
    form_ajax_refs = {"meter": {"fields": ["number"], "page_size": 10}}


class ControlDeviceView(CmsModelView):
    column_list = ["serial", "kind", "rating_amperes", "phases"]
    column_searchable_list = ["serial"]
    column_filters = ["kind", "rating_amperes"]


class InstallationView(ReadOnlyView):
    """Meters and control devices go in and out through install_meter and its kin, which check the site and
    the meter and record the readings."""

    column_list = ["service_point", "meter_point", "meter", "control_device", "installed_on", "removed_on"]
    column_searchable_list = ["service_point.spn"]
    column_filters = ["installed_on", "removed_on"]
    column_labels = {"service_point.spn": "SPN"}


class CalibrationView(ReadOnlyView):
    column_list = ["meter", "tested_on", "passed", "certificate", "next_due", "remarks", "by"]
    column_filters = ["passed", "tested_on", "next_due"]
    column_searchable_list = ["certificate", "meter.number"]
    column_default_sort = ("tested_on", True)


class MovementView(ReadOnlyView):
    column_list = ["moved_on", "kind", "meter", "from_store", "to_store", "document_no", "by", "reason"]
    column_filters = ["kind", "moved_on", "document_no"]
    column_searchable_list = ["document_no", "meter.number"]
    column_default_sort = ("moved_on", True)


VIEWS = [
    (MeterView, Meter, "Meters"),
    (RegisterView, Register, "Registers"),
    (StoreView, Store, "Stores"),
    (MeterModelView, MeterModel, "Meter models"),
    (ControlDeviceView, ControlDevice, "Control devices"),
    (InstallationView, Installation, "Installations"),
    (CalibrationView, Calibration, "Calibrations"),
    (MovementView, MeterMovement, "Movements"),
]
