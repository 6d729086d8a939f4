"""The collection fixtures (issued R-1/TR 1300 invoices of one customer) serve the journal tests too."""
from tests.models.collection.conftest import contract, customer, issue, tariffs  # noqa: F401
