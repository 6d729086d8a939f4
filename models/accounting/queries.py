"""The trial balance (as of a date) and the receivables reconciliation: the receivables account's balance
against what the bills say is owed (open balances less the customers' unallocated credit), per customer."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.accounting.entities import JournalBatch, JournalEntry, JournalLine, LedgerAccount, PostingRule, RuleKind
from models.billing.entities import Bill, BillKind, BillStatus
from models.collection.entities import Payment, PaymentAllocation, PaymentStatus, WriteOff
from models.customers.entities import Account, Customer

ZERO = Decimal(0)


@dataclass(frozen=True)
class BalanceRow:
    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


@dataclass(frozen=True)
class TrialBalance:
    as_of: date
    rows: list[BalanceRow]

    @property
    def debit(self) -> Decimal:
        return sum((r.debit for r in self.rows), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((r.credit for r in self.rows), ZERO)

    def as_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "debit": f"{self.debit:.2f}", "credit": f"{self.credit:.2f}",
                "accounts": [{"code": r.code, "name": r.name, "type": r.type, "debit": f"{r.debit:.2f}",
                              "credit": f"{r.credit:.2f}", "balance": f"{r.balance:.2f}"} for r in self.rows]}


def trial_balance(session: Session, as_of: date) -> TrialBalance:
    """A row per account of the chart (zero when nothing posted to it), postings of batches dated up to `as_of`."""
    sums = (sa.select(JournalLine.account_id, sa.func.sum(JournalLine.debit).label("debit"),
                      sa.func.sum(JournalLine.credit).label("credit"))
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .join(JournalBatch, JournalBatch.id == JournalEntry.batch_id)
            .where(JournalBatch.posting_date <= as_of).group_by(JournalLine.account_id).subquery())
    rows = session.execute(sa.select(LedgerAccount, sums.c.debit, sums.c.credit)
                           .outerjoin(sums, sums.c.account_id == LedgerAccount.id).order_by(LedgerAccount.code))
    return TrialBalance(as_of, [BalanceRow(a.code, a.name, a.type.value, d or ZERO, c or ZERO) for a, d, c in rows])


@dataclass(frozen=True)
class Difference:
    customer_id: int | None
    customer: str
    ledger: Decimal         # receivables balance in the journal
    bills: Decimal          # open bill balances less unallocated credit

    @property
    def difference(self) -> Decimal:
        return self.ledger - self.bills


@dataclass(frozen=True)
class Reconciliation:
    ledger: Decimal
    open_bills: Decimal
    credit: Decimal
    differences: list[Difference]

    @property
    def expected(self) -> Decimal:
        return self.open_bills - self.credit

    @property
    def difference(self) -> Decimal:
        return self.ledger - self.expected


def _ledger_by_customer(session: Session) -> dict[int | None, Decimal]:
    receivables = sa.select(PostingRule.account_id).where(PostingRule.kind == RuleKind.RECEIVABLES)
    rows = session.execute(
        sa.select(JournalEntry.customer_id, sa.func.sum(JournalLine.debit - JournalLine.credit))
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(JournalLine.account_id.in_(receivables)).group_by(JournalEntry.customer_id))
    return {c: v or ZERO for c, v in rows}


def _open_by_customer(session: Session) -> dict[int, Decimal]:
    parts = sa.union_all(
        sa.select(PaymentAllocation.bill_id, PaymentAllocation.amount).where(PaymentAllocation.released_at.is_(None)),
        sa.select(WriteOff.bill_id, WriteOff.amount)).subquery()
    settled = sa.select(parts.c.bill_id, sa.func.sum(parts.c.amount).label("paid")).group_by(parts.c.bill_id).subquery()
    rows = session.execute(
        sa.select(Account.customer_id, sa.func.sum(Bill.total - sa.func.coalesce(settled.c.paid, 0)))
        .join(Account, Account.id == Bill.account_id).outerjoin(settled, settled.c.bill_id == Bill.id)
        .where(Bill.kind == BillKind.INVOICE, Bill.status == BillStatus.ISSUED).group_by(Account.customer_id))
    return {c: v or ZERO for c, v in rows}


def _credit_by_customer(session: Session) -> dict[int, Decimal]:
    applied = (sa.select(PaymentAllocation.payment_id, sa.func.sum(PaymentAllocation.amount).label("applied"))
               .join(Bill, Bill.id == PaymentAllocation.bill_id)
               .where(PaymentAllocation.released_at.is_(None), Bill.status == BillStatus.ISSUED)
               .group_by(PaymentAllocation.payment_id).subquery())
    left = Payment.amount - sa.func.coalesce(applied.c.applied, 0)
    rows = session.execute(
        sa.select(Payment.customer_id, sa.func.sum(left)).outerjoin(applied, applied.c.payment_id == Payment.id)
        .where(Payment.status == PaymentStatus.POSTED, left > 0).group_by(Payment.customer_id))
    return {c: v or ZERO for c, v in rows}


def reconcile_receivables(session: Session, limit: int = 200) -> Reconciliation:
    """Everything posted so far against the bills' state now: run after a posting sweep, any difference is
    an unposted event or a posting rule that sent receivables elsewhere."""
    ledger, owed, credit = _ledger_by_customer(session), _open_by_customer(session), _credit_by_customer(session)
    customers = set(ledger) | set(owed) | set(credit)
    off = sorted(((c, ledger.get(c, ZERO), owed.get(c, ZERO) - credit.get(c, ZERO)) for c in customers
                  if ledger.get(c, ZERO) != owed.get(c, ZERO) - credit.get(c, ZERO)),
                 key=lambda t: (-abs(t[1] - t[2]), t[0] or 0))[:limit]
    ids = [c for c, _, _ in off if c is not None]
    names = {i: n for i, n in session.execute(sa.select(Customer.id, Customer.name).where(Customer.id.in_(ids)))}
    return Reconciliation(sum(ledger.values(), ZERO), sum(owed.values(), ZERO), sum(credit.values(), ZERO),
                          [Difference(c, names.get(c, "(no customer)"), led, exp) for c, led, exp in off])
