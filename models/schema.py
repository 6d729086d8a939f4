"""Imports every entity module so that the metadata (and Alembic's autogenerate) sees all tables."""
from models.accounting.entities import JournalBatch, JournalEntry, JournalLine, LedgerAccount, PostingRule  # noqa: F401
from models.audit.entities import AuditEvent  # noqa: F401
from models.billing.entities import (  # noqa: F401
    Bill,
    BillDocument,
    BillingChunk,
    BillingRun,
    BillLine,
    InvoiceCounter,
    MiscCharge,
    MiscChargeType,
)
from models.collection.bank_entities import DirectDebitBatch, DirectDebitItem, Mandate, StatementImport, SuspenseItem  # noqa: F401,E501
from models.collection.dunning_entities import (  # noqa: F401
    ArrangementInstalment,
    DebtAction,
    LatePenalty,
    PaymentArrangement,
)
from models.collection.entities import CashierDay, Payment, PaymentAllocation, WriteOff  # noqa: F401
from models.contacts.entities import Contact, ServiceNote  # noqa: F401
from models.contracts.entities import Contract, ContractVersion  # noqa: F401
from models.customers.entities import Account, BankAccount, Customer, IdentityDocument  # noqa: F401
from models.inquiry import words  # noqa: F401  keeps the name and address index on every session
from models.inquiry.entities import SearchWord  # noqa: F401
from models.meters.entities import (  # noqa: F401
    ControlDevice,
    Installation,
    Meter,
    MeterModel,
    Register,
    Store,
)
from models.premises.entities import MeterChamber, MeterPoint, Property, ReadingRoute, ServicePoint  # noqa: F401
from models.process.entities import (  # noqa: F401
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    SavedFilter,
)
from models.readings.entities import Reading, ReadingAnomaly, ReadingRule  # noqa: F401
from models.requests.entities import CustomerRequest  # noqa: F401
from models.service_orders.entities import ServiceOrder  # noqa: F401
from models.statuses import StatusChange  # noqa: F401
from models.tariffs.entities import Tariff, TariffComponent, TariffVersion  # noqa: F401
from models.users.entities import Role, User  # noqa: F401
from models.users.tokens import ApiToken  # noqa: F401
