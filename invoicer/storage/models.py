"""The SQL tables of Invoicer, as SQLModel classes.

Ids are uuid4 hex strings, except for the append-only logs (document updates, audit events)
whose integer ids give their order. Times are stored as naive UTC and read back as aware UTC,
so that SQLite and PostgreSQL return the same values. Amounts are decimal strings, as typed
or as computed by `invoicing`, never floats.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, TypeDecorator
from sqlalchemy import Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "CREDIT_NOTE_TYPE",
    "INVOICE_TYPE",
    "ApiToken",
    "AuditEvent",
    "Customer",
    "DocSnapshot",
    "DocUpdate",
    "Invoice",
    "InvoiceLine",
    "NumberSequence",
    "Organization",
    "Payment",
    "User",
    "new_id",
    "utcnow",
]

DEFAULT_NUMBER_PATTERN = "F{YYYY}-{SEQ:5}"
INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant: naive UTC in the database, aware UTC in Python."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _when(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


# An integer primary key that autoincrements on both databases: BIGINT is not a rowid alias
# on SQLite, so it would never autoincrement there.
_LogId = BigInteger().with_variant(Integer(), "sqlite")


class Organization(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(index=True, unique=True)
    address: str = ""
    city: str = ""
    postcode: str = ""
    country: str = "FR"
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    iban: str = ""
    bic: str = ""
    email: str = ""
    number_pattern: str = DEFAULT_NUMBER_PATTERN
    currency: str = "EUR"
    late_penalty_text: str = ""
    # Legal form, share capital, trade registry: printed on every invoice (Code de commerce).
    legal_information: str = ""
    created_at: datetime = _when(default_factory=utcnow)


class User(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    org_id: str = Field(foreign_key="organization.id", index=True)
    email: str = Field(unique=True, index=True)
    name: str
    role: str
    language: str = "fr"
    password_hash: str | None = None
    colour: str = "#2563eb"
    active: bool = True
    created_at: datetime = _when(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(unique=True, index=True)  # sha256 hex; the token is never stored
    label: str = ""
    created_at: datetime = _when(default_factory=utcnow)
    last_used_at: datetime | None = _when(default=None)


class Customer(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    org_id: str = Field(foreign_key="organization.id", index=True)
    name: str
    email: str = ""
    country: str = ""
    vat_number: str = ""
    currency: str | None = None
    address: str = ""  # street lines; city and postcode below (or at the end of it, see docs)
    city: str = ""
    postcode: str = ""
    created_at: datetime = _when(default_factory=utcnow)


class Invoice(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("org_id", "number"),
        UniqueConstraint("org_id", "idempotency_key"),
        UniqueConstraint("org_id", "chain_index"),
        Index("ix_invoice_org_status", "org_id", "status"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    org_id: str = Field(foreign_key="organization.id", index=True)
    customer_id: str | None = Field(default=None, foreign_key="customer.id")
    # UNTDID 1001: "380" invoice, "381" credit note (which names the invoice it corrects).
    type_code: str = INVOICE_TYPE
    corrects_id: str | None = Field(default=None, foreign_key="invoice.id", index=True)
    status: str = "draft"
    number: str | None = None
    currency: str = "EUR"
    issue_date: date | None = None
    due_date: date | None = None
    reference: str | None = None
    language: str | None = None
    notes: str = ""
    # Cached from the live document while a draft (for lists and the board); final after.
    net: str = "0"
    vat: str = "0"
    gross: str = "0"
    vat_breakdown: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # Stored at finalisation (None before): the other totals of EN 16931, the document
    # allowances and charges, the payment terms and means, the rate to the accounting
    # currency, the date of supply, and the parties as they were (seller and buyer details).
    allowance_total: str | None = None
    charge_total: str | None = None
    tax_basis: str | None = None
    prepaid: str | None = None
    due: str | None = None
    charges: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    payment: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    exchange_rate: str | None = None
    delivery_date: date | None = None
    parties: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_by: str | None = None
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)
    # Finalisation: the number's sequence, the final document and the hash chain link.
    finalised_at: datetime | None = _when(default=None)
    finalised_by: str | None = None
    sequence_key: str | None = None
    sequence_value: int | None = None
    document_state: bytes | None = Field(default=None, sa_type=LargeBinary)
    chain_index: int | None = None
    prev_hash: str | None = None
    hash: str | None = None
    idempotency_key: str | None = None


class InvoiceLine(SQLModel, table=True):
    """A line of a finalised invoice, as computed at finalisation; never changed after."""

    id: str = Field(default_factory=new_id, primary_key=True)
    invoice_id: str = Field(foreign_key="invoice.id", index=True)
    position: int
    line_key: str | None = None  # the line's id in the draft document
    description: str
    unit: str | None = None
    quantity: str
    unit_price: str
    vat_category: str
    vat_rate: str
    discount: str
    net: str
    exemption_reason: str | None = None


class Payment(SQLModel, table=True):
    """Money received for a finalised invoice; never changed (a mistake is a new entry)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    org_id: str = Field(foreign_key="organization.id", index=True)
    invoice_id: str = Field(foreign_key="invoice.id", index=True)
    amount: str
    currency: str
    paid_on: date
    method: str | None = None
    recorded_by: str | None = None
    created_at: datetime = _when(default_factory=utcnow)


class DocUpdate(SQLModel, table=True):
    """One Yjs update of a draft document, append-only, with its author."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, sa_column=Column(_LogId, primary_key=True))
    invoice_id: str = Field(foreign_key="invoice.id", index=True)
    data: bytes = Field(sa_type=LargeBinary)
    author_id: str | None = None
    created_at: datetime = _when(default_factory=utcnow)


class DocSnapshot(SQLModel, table=True):
    """The merge of every update compacted so far; the log holds only what came after."""

    invoice_id: str = Field(foreign_key="invoice.id", primary_key=True)
    state: bytes = Field(default=b"", sa_type=LargeBinary)
    upto_id: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = _when(default_factory=utcnow)


class NumberSequence(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    org_id: str = Field(foreign_key="organization.id")
    key: str
    next_value: int = 1


class AuditEvent(SQLModel, table=True):
    __table_args__ = (Index("ix_auditevent_org_at", "org_id", "at"),)

    id: int | None = Field(default=None, sa_column=Column(_LogId, primary_key=True))
    org_id: str | None = Field(default=None, index=True)
    user_id: str | None = None
    action: str
    target: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    ip: str | None = None
    at: datetime = _when(default_factory=utcnow)
