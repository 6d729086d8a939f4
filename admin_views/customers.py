from admin_views.base import CmsModelView
from models.customers.entities import Account, BankAccount, Customer, IdentityDocument


class CustomerView(CmsModelView):
    column_list = ["name", "kind", "phone", "email", "created_at"]
    column_searchable_list = ["name", "phone", "email"]
    column_filters = ["kind", "created_at"]
    column_default_sort = "name"
    form_columns = ["kind", "name", "email", "phone"]
    inline_models = [(IdentityDocument, {"form_columns": ["id", "doc_type", "number"]})]


class IdentityDocumentView(CmsModelView):
    column_list = ["customer", "doc_type", "number"]
    column_searchable_list = ["number", "customer.name"]
    column_filters = ["doc_type"]
    column_labels = {"doc_type": "Document type"}
    form_ajax_refs = {"customer": {"fields": ["name"], "page_size": 10}}


class AccountView(CmsModelView):
    column_list = ["account_no", "customer", "payer_name", "billing_address", "payment_method"]
    column_searchable_list = ["account_no", "payer_name", "customer.name"]
    column_filters = ["payment_method"]
    column_labels = {"account_no": "Account number"}
    form_columns = ["account_no", "customer", "payer_name", "billing_address", "payment_method"]
    form_ajax_refs = {"customer": {"fields": ["name"], "page_size": 10}}


class BankAccountView(CmsModelView):
    column_list = ["account", "bank", "number", "holder"]
    column_searchable_list = ["number", "holder", "account.account_no"]
    column_filters = ["bank"]
    form_ajax_refs = {"account": {"fields": ["account_no", "payer_name"], "page_size": 10}}


VIEWS = [
    (CustomerView, Customer, "Customers"),
    (IdentityDocumentView, IdentityDocument, "Identity documents"),
    (AccountView, Account, "Accounts"),
    (BankAccountView, BankAccount, "Bank accounts"),
]
