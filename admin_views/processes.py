from admin_views.base import ReadOnlyView
from models.process.entities import HumanTask, ProcessDefinition, ProcessInstance
from models.requests.entities import CustomerRequest
from models.service_orders.entities import ServiceOrder
from models.statuses import StatusChange


class ProcessDefinitionView(ReadOnlyView):
    column_list = ["key", "version", "name", "deployed_by", "deployed_at", "checksum"]
    column_searchable_list = ["key", "name"]
    column_filters = ["key", "deployed_at"]
    column_exclude_list = ["bpmn_xml"]
    column_details_exclude_list = ["bpmn_xml"]


class ProcessInstanceView(ReadOnlyView):
    column_list = ["id", "definition", "object_type", "object_id", "status", "current_activity", "waiting_since",
                   "next_timer_due", "error_element", "error_message", "started_at"]
    column_filters = ["status", "object_type", "object_id", "error_element", "started_at"]
    column_searchable_list = ["error_message", "current_activity"]
    column_details_exclude_list = ["state"]
    column_export_exclude_list = ["state"]
    column_default_sort = ("id", True)


class HumanTaskView(ReadOnlyView):
    column_list = ["id", "name", "process_key", "role", "state", "object_label", "customer_name", "spn", "created_at",
                   "due_on", "completed_at"]
    column_filters = ["state", "role", "process_key", "due_on", "created_at"]
    column_searchable_list = ["name", "object_label", "customer_name", "spn"]
    column_default_sort = ("id", True)


class StatusChangeView(ReadOnlyView):
    column_list = ["at", "object_type", "object_id", "from_status", "to_status", "by", "note"]
    column_filters = ["object_type", "object_id", "to_status", "by", "at"]
    column_default_sort = ("at", True)


class CustomerRequestView(ReadOnlyView):
    column_list = ["number", "request_type", "status", "customer", "service_point", "channel", "registered_on",
                   "fee_amount"]
    column_filters = ["request_type", "status", "channel", "registered_on"]
    column_searchable_list = ["number"]
    column_default_sort = ("id", True)


class ServiceOrderView(ReadOnlyView):
    column_list = ["number", "order_type", "status", "service_point", "request_id", "created_on", "planned_on",
                   "actual_on", "result"]
    column_filters = ["order_type", "status", "created_on", "planned_on"]
    column_searchable_list = ["number"]
    column_default_sort = ("id", True)


VIEWS = [
    (CustomerRequestView, CustomerRequest, "Customer requests"),
    (ServiceOrderView, ServiceOrder, "Service orders"),
    (ProcessDefinitionView, ProcessDefinition, "Process definitions"),
    (ProcessInstanceView, ProcessInstance, "Process instances"),
    (HumanTaskView, HumanTask, "Human tasks"),
    (StatusChangeView, StatusChange, "Status history"),
]
