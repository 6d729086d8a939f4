"""The suspense queue: bank lines that matched nothing, worked by a clerk (matched to a customer or bill, which
posts the payment, or refunded with the reason)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.audit.recorder import acting_name
from models.clock import now_utc
from models.collection.bank_entities import SuspenseItem, SuspenseStatus
from models.collection.entities import Payment, PaymentChannel, PaymentMethod
from models.collection.operations import post_payment
from models.collection.queries import find_payer
from models.errors import DomainError
from models.statuses import move_status


def suspense_queue(status: SuspenseStatus | None = SuspenseStatus.OPEN) -> sa.Select:
    query = sa.select(SuspenseItem).order_by(SuspenseItem.booked_on, SuspenseItem.id)
    return query.where(SuspenseItem.status == status) if status else query


def match_suspense(session: Session, item: SuspenseItem, *, bill_number: str | None = None,
                   customer_no: str | None = None, payment_reference: str | None = None,
                   note: str | None = None) -> Payment:
    """Post the line for the customer (or bill) the clerk named, on channel bank_transfer under the bank's
    reference, so that the same line arriving again in a later statement never posts twice."""
    if not (bill_number or customer_no or payment_reference):
        raise DomainError("name a bill number, an ID Pelanggan or a payment reference", "bill_number")
    payer = find_payer(session, bill_number=bill_number or None, customer_no=customer_no or None,
                       payment_reference=payment_reference or None)
    move_status(session, item, SuspenseStatus.MATCHED, what=f"suspense item {item.bank_reference}", note=note)
    posted = post_payment(session, payer, channel=PaymentChannel.BANK_TRANSFER, method=PaymentMethod.TRANSFER,
                          reference=item.bank_reference, amount=item.amount, paid_on=item.booked_on,
                          payer_name=item.payer, note=item.remittance)
    item.payment_id, item.reason = posted.payment.id, (note or "").strip()[:500] or None
    item.resolved_by, item.resolved_at = acting_name(), now_utc()
    session.flush()
    return posted.payment


def refund_suspense(session: Session, item: SuspenseItem, reason: str) -> SuspenseItem:
    """Record that the money goes back to the payer (the transfer itself is made in the bank's portal)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("is required: why the money is sent back", "reason")
    move_status(session, item, SuspenseStatus.REFUNDED, what=f"suspense item {item.bank_reference}", note=reason)
    item.reason, item.resolved_by, item.resolved_at = reason[:500], acting_name(), now_utc()
    session.flush()
    return item
