"""Collection tests: the bill fixtures come from tests/bills_to_pay.py (a plugin of tests/conftest.py)."""
from tests.bills_to_pay import contract, customer, issue, tariffs  # noqa: F401  (for modules importing them from here)
