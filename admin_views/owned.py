"""What only an operation writes, and so what the generated admin never offers to write.

Each entry names the operation that owns the rows or fields: the admin is no back door around its rules
(the checks, the movements and readings it records, the status history). CmsModelView reads these
tables, and tests/admin/test_admin_back_doors.py holds every registered view to them.
"""
from __future__ import annotations

from models.accounting.entities import JournalBatch, JournalEntry, JournalLine
from models.audit.entities import AuditEvent
from models.billing.entities import (
    Bill,
    BillDocument,
    BillingChunk,
    BillingRun,
    BillLine,
    InvoiceCounter,
    MiscCharge,
)
from models.contracts.entities import Contract, ContractVersion
from models.meters.entities import Calibration, Installation, Meter, MeterMovement
from models.premises.entities import ServicePoint
from models.process.entities import HumanTask, ProcessDefinition, ProcessInstance
from models.readings.entities import IntervalReading, Reading, ReadingAnomaly, ReadingCycle
from models.requests.entities import CustomerRequest
from models.service_orders.entities import ServiceOrder
from models.statuses import StatusChange
from models.users.entities import Role, User

STATUS_WRITER = "the status writer (models/statuses.py)"

# Rows an operation creates, changes and deletes: their views create, edit and delete nothing.
OWNED_ROWS: dict[type, str] = {
    Installation: "install_meter, remove_meter, change_meter, install_control_device (models/installations)",
    Calibration: "record_calibration",
    MeterMovement: "move_meters, register_meter_batch, scrap_meter",
    Reading: "record_reading, enter_order_reading, import_readings (consumption and validation are judged)",
    ReadingAnomaly: "reading validation and its follow-ups",
    ReadingCycle: "open_cycle, close_cycle",
    IntervalReading: "import_file (models/readings/meter_data.py)",
    Contract: "open_contract, change_contract_terms, terminate_contract",
    ContractVersion: "change_contract_terms",
    CustomerRequest: "register_request and the customer request process",
    ServiceOrder: "create_service_order, change_service_order_status",
    ProcessDefinition: "deploying a process (workflows)",
    ProcessInstance: "the workflow runtime",
    HumanTask: "the workflow runtime",
    StatusChange: STATUS_WRITER,
    AuditEvent: "the audit recorder",
    Role: "ensure_roles",
    Bill: "record_bill, issue_bill, cancel_bill (models/billing/operations.py); an issued bill never changes",
    BillLine: "record_bill, cancel_bill (a credit note reverses the lines)",
    BillingRun: "start_billing_run and its chunk workers",
    BillingChunk: "start_billing_run and its chunk workers",
    BillDocument: "store_document (written once, never rewritten)",
    InvoiceCounter: "next_invoice_number (gapless: drawn only when a bill is issued)",
    MiscCharge: "add_misc_charge (models/billing/charges.py); billing marks it billed",
    JournalBatch: "post_unposted, export_batch (models/accounting/operations.py); an exported batch never changes",
    JournalEntry: "post_unposted: each source event posts exactly once",
    JournalLine: "post_unposted",
}

# Fields of rows the admin maintains that only an operation changes: no create or edit form has them
# (a new row takes the column's default).
OWNED_FIELDS: dict[type, dict[str, str]] = {
    Meter: {"status": "move_meters, install_meter, remove_meter, scrap_meter", "in_transit_to": "move_meters",
            "batch_id": "register_meter_batch"},
    ServicePoint: {"status": STATUS_WRITER},
    User: {"password": "create_user, set_password", "active": "activate_user, deactivate_user",
           "fs_uniquifier": "end_sessions", "fs_token_uniquifier": "deactivate_user",
           "failed_logins": "note_failed_login, unlock_user", "locked_until": "note_failed_login, unlock_user",
           **dict.fromkeys(["confirmed_at", "last_login_at", "current_login_at", "last_login_ip", "current_login_ip",
                            "login_count"], "the login (Flask-Security)")},
    # The statuses of rows whose views are read-only anyway, named here so that a status is never left out.
    **{model: {"status": STATUS_WRITER} for model in (Contract, ReadingAnomaly, ReadingCycle, CustomerRequest,
                                                      ServiceOrder, Bill, BillingRun, BillingChunk)},
    Reading: {"status": "reading validation", "consumption": "reading validation"},
    JournalBatch: {"status": "export_batch"},
    ProcessInstance: {"status": STATUS_WRITER, "state": "the workflow runtime"},
    HumanTask: {"state": "the workflow runtime"},
}

# Fields a new row is entered with that later only an operation moves: the create form has them, the
# edit form not (a meter enters its first store with its factory calibration).
SET_ON_ENTRY: dict[type, dict[str, str]] = {
    Meter: {"store": "move_meters, install_meter, remove_meter", "last_calibrated_on": "record_calibration",
            "next_calibration_due": "record_calibration"},
}


def owned_on_create(model: type) -> dict[str, str]:
    return OWNED_FIELDS.get(model, {})


def owned_on_edit(model: type) -> dict[str, str]:
    return {**OWNED_FIELDS.get(model, {}), **SET_ON_ENTRY.get(model, {})}
