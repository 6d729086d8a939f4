"""Accounting in the admin: the chart of accounts and the posting rules maintained here (reference data: a
rule changed applies to what is posted from then on); batches, entries and lines read-only (the posting
sweep writes them, an exported batch never changes)."""
from __future__ import annotations

from admin_views.base import CmsModelView, ReadOnlyView
from models.accounting.entities import JournalBatch, JournalEntry, JournalLine, LedgerAccount, PostingRule


class LedgerAccountView(CmsModelView):
    column_list = ["code", "name", "type"]
    column_searchable_list = ["code", "name"]
    column_filters = ["type"]
    column_default_sort = "code"
    form_columns = ["code", "name", "type"]


class PostingRuleView(CmsModelView):
    """Which account an event posts to: receivables (*), revenue per tariff class, tax per line label or
    kind (tax, stamp_duty), misc per charge label or *, cash per payment channel, write_off and rounding (*)."""

    column_list = ["kind", "key", "account"]
    column_searchable_list = ["key"]
    column_filters = ["kind", "account.code"]
    column_labels = {"account.code": "Account"}
    column_default_sort = [("kind", False), ("key", False)]
    form_columns = ["kind", "key", "account"]


class JournalBatchView(ReadOnlyView):
    column_list = ["posting_date", "status", "exported_at", "exported_by", "created_at"]
    column_details_list = column_list
    column_filters = ["posting_date", "status"]
    column_default_sort = ("posting_date", True)


class JournalEntryView(ReadOnlyView):
    column_list = ["id", "batch", "event", "source_type", "source_id", "event_on", "reference", "customer_id",
                   "description"]
    column_details_list = column_list + ["created_at"]
    column_filters = ["event", "source_type", "event_on", "reference", "customer_id", "batch.posting_date"]
    column_searchable_list = ["reference", "description"]
    column_labels = {"batch.posting_date": "Batch date", "customer_id": "Customer"}
    column_default_sort = ("id", True)


class JournalLineView(ReadOnlyView):
    column_list = ["entry", "account", "debit", "credit"]
    column_filters = ["account.code", "entry_id"]
    column_labels = {"account.code": "Account", "entry_id": "Entry"}
    column_default_sort = ("id", True)
    can_view_details = False


VIEWS = [
    (LedgerAccountView, LedgerAccount, "Chart of accounts"),
    (PostingRuleView, PostingRule, "Posting rules"),
    (JournalBatchView, JournalBatch, "Journal batches"),
    (JournalEntryView, JournalEntry, "Journal entries"),
    (JournalLineView, JournalLine, "Journal lines"),
]
