"""The default chart of accounts and posting rules for the PLN catalogue, seeded on first use (the first
posting sweep, trial balance or export on an empty chart): the admin edits them afterwards."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.accounting.entities import AccountType as T
from models.accounting.entities import LedgerAccount, PostingRule, RuleKind

TARIFF_CLASSES = ("R-1", "R-2", "R-3", "B-1", "B-2", "B-3", "I-1", "I-2", "I-3", "I-4", "P-1", "P-2", "P-3")

ACCOUNTS = (
    ("1010", "Cash at the counter", T.ASSET), ("1020", "Bank: transfers received", T.ASSET),
    ("1030", "Payment partners clearing", T.ASSET), ("1040", "Direct debit clearing", T.ASSET),
    ("1100", "Trade receivables: electricity", T.ASSET),
    ("2110", "PPJ street-lighting tax payable", T.LIABILITY), ("2120", "Stamp duty payable", T.LIABILITY),
    *((f"41{i:02d}", f"Electricity sales {c}", T.REVENUE) for i, c in enumerate(TARIFF_CLASSES, 1)),
    ("4200", "Late-payment penalty income", T.REVENUE), ("4300", "Other service fees", T.REVENUE),
    ("4900", "Bill rounding", T.REVENUE), ("6100", "Bad-debt expense", T.EXPENSE),
)

RULES = (
    (RuleKind.RECEIVABLES, "*", "1100"),
    (RuleKind.CASH, "cashier", "1010"), (RuleKind.CASH, "bank_transfer", "1020"),
    (RuleKind.CASH, "partner", "1030"), (RuleKind.CASH, "direct_debit", "1040"),
    (RuleKind.TAX, "tax", "2110"), (RuleKind.TAX, "stamp_duty", "2120"),
    *((RuleKind.REVENUE, c, f"41{i:02d}") for i, c in enumerate(TARIFF_CLASSES, 1)),
    (RuleKind.MISC, "Late-payment penalty", "4200"), (RuleKind.MISC, "*", "4300"),
    (RuleKind.ROUNDING, "*", "4900"), (RuleKind.WRITE_OFF, "*", "6100"),
)


def seed_default_chart(session: Session) -> bool:
    """Create the default chart and rules when there is no chart yet; True when it did."""
    if session.scalar(sa.select(LedgerAccount.id).limit(1)) is not None:
        return False
    accounts = {code: LedgerAccount(code=code, name=name, type=kind) for code, name, kind in ACCOUNTS}
    session.add_all(accounts.values())
    session.add_all(PostingRule(kind=kind, key=key, account=accounts[code]) for kind, key, code in RULES)
    session.flush()
    return True
