"""Customers, their identity documents, accounts and bank accounts."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.clock import now_utc
from models.limits import IDENTIFIER
from models.types import UTCDateTime, enum_type


class CustomerKind(enum.StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class IdentityDocumentType(enum.StrEnum):
    NATIONAL_ID = "national_id"          # KTP / NIK
    DRIVERS_LICENCE = "drivers_licence"  # SIM
    PASSPORT = "passport"
    TAX_NUMBER = "tax_number"            # NPWP
    FAMILY_CARD = "family_card"          # Kartu Keluarga
    COMPANY_REGISTRATION = "company_registration"


class PaymentMethod(enum.StrEnum):
    STANDARD = "standard"
    DIRECT_DEBIT = "direct_debit"


def mask_number(number: str | None, visible: int = 4) -> str:
    """Bank account and ID numbers as roles without need see them: only the last digits."""
    if not number:
        return ""
    return "•" * max(len(number) - visible, 0) + number[-visible:]


# A column's info flag: its values reach roles without need only through mask_number, and those roles
# cannot search, sort or filter by it (fragments and order would rebuild the number).
MASKED = "masked"


def is_masked(column) -> bool:
    return bool((getattr(column, "info", None) or {}).get(MASKED))


class Customer(db.Model):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CustomerKind] = mapped_column(enum_type(CustomerKind), default=CustomerKind.PERSON)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    identity_documents: Mapped[list[IdentityDocument]] = relationship(
        back_populates="customer", cascade="all, delete-orphan")
    accounts: Mapped[list[Account]] = relationship(back_populates="customer")

    def __str__(self) -> str:
        return self.name


class IdentityDocument(db.Model):
    __tablename__ = "identity_documents"
    __table_args__ = (
        sa.UniqueConstraint("doc_type", "number", info={
            "field": "number", "message": "a document of this type with this number is already registered"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[IdentityDocumentType] = mapped_column(enum_type(IdentityDocumentType))
    number: Mapped[str] = mapped_column(sa.String(40), index=True, info={"pattern": IDENTIFIER, MASKED: True})

    customer: Mapped[Customer] = relationship(back_populates="identity_documents")

    def __str__(self) -> str:
        return f"{self.doc_type.value.replace('_', ' ')} {mask_number(self.number)}"


class Account(db.Model):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_no: Mapped[str] = mapped_column(sa.String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    payer_name: Mapped[str] = mapped_column(sa.String(200))
    billing_address: Mapped[str] = mapped_column(sa.String(300))
    payment_method: Mapped[PaymentMethod] = mapped_column(
        enum_type(PaymentMethod), default=PaymentMethod.STANDARD)

    customer: Mapped[Customer] = relationship(back_populates="accounts")
    bank_account: Mapped[BankAccount | None] = relationship(
        back_populates="account", cascade="all, delete-orphan", uselist=False)

    def __str__(self) -> str:
        return f"{self.account_no} {self.payer_name}"


class BankAccount(db.Model):
    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), unique=True)
    bank: Mapped[str] = mapped_column(sa.String(100))
    number: Mapped[str] = mapped_column(sa.String(40), index=True, info={"pattern": IDENTIFIER, MASKED: True})
    holder: Mapped[str] = mapped_column(sa.String(200))

    account: Mapped[Account] = relationship(back_populates="bank_account")

    def __str__(self) -> str:
        return f"{self.bank} {mask_number(self.number)}"
