"""Which roles a page or admin view admits, and whether a user holds one: the same sets for the portal,
the admin and the reports, which each ask about their own signed-in user."""
from __future__ import annotations

from models.users.entities import RoleName

ANY_STAFF = (RoleName.ADMIN, RoleName.PROCESS_OWNER, RoleName.CLERK)
ADMIN_ONLY = (RoleName.ADMIN,)
# The cashier's counter: find the customer, post, print the receipt, close one's own day.
COUNTER = (*ANY_STAFF, RoleName.CASHIER)
# Collection's books, read: a payment and its receipt, a customer's debt and statement.
COLLECTION_READERS = (*COUNTER, RoleName.ACCOUNTANT)
# The back office, read: accounting pages (trial balance, reconciliation, journals) and collection's lists
# (dunning, bank statements, suspense, direct debit); what they change stays with ANY_STAFF.
BOOKS_READERS = (*ANY_STAFF, RoleName.ACCOUNTANT)


def holds_any_role(user, *roles: str) -> bool:
    """Whether `user` (Flask-Login's current user, anonymous included) is signed in with any of `roles`."""
    # Outside a request Flask-Login's proxy stands for None: nobody is signed in.
    return bool(getattr(user, "is_authenticated", False)) and any(user.has_role(str(r)) for r in roles)
