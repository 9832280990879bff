"""An issued invoice or credit note with everything its documents are made from.

The PDF, Factur-X, CII and UBL of a finalised invoice are built from its SQL rows: the
organisation (the seller), the customer (the buyer), the invoice and its lines, and for a
credit note the invoice it corrects. Finalisation builds the same thing before it commits,
so that the legal check (`LegalCheck`, supplied by the server) judges the very document that
will be exported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ..invoicing.draft import Problem
from .db import Database
from .errors import DraftRejected
from .models import Customer, Invoice, InvoiceLine, Organization

__all__ = [
    "BUYER_FIELDS",
    "SELLER_FIELDS",
    "IssuedInvoice",
    "LegalCheck",
    "check_issued",
    "load_issued",
    "party_snapshot",
    "read_issued",
]

# What an issued invoice keeps of its parties: the details printed on it, as they were at
# issue, so that a later change of address reprints no invoice differently (and the hash
# covers them).
SELLER_FIELDS = ("name", "address", "city", "postcode", "country", "siren", "siret",
                 "vat_number", "email", "late_penalty_text", "legal_information")
BUYER_FIELDS = ("name", "email", "country", "vat_number", "address", "city", "postcode")


@dataclass(frozen=True)
class IssuedInvoice:
    org: Organization
    customer: Customer | None
    invoice: Invoice
    lines: list[InvoiceLine]
    corrected: Invoice | None = None  # the invoice a credit note corrects

    @property
    def seller(self) -> Mapping[str, Any]:
        """The seller's details as issued (as they are now, for invoices issued before
        parties were kept)."""
        kept = (self.invoice.parties or {}).get("seller")
        return kept if kept is not None else _fields(self.org, SELLER_FIELDS)

    @property
    def buyer(self) -> Mapping[str, Any] | None:
        kept = (self.invoice.parties or {}).get("buyer")
        if kept is not None or self.customer is None:
            return kept
        return _fields(self.customer, BUYER_FIELDS)


def _fields(row: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def party_snapshot(org: Organization, customer: Customer | None) -> dict[str, Any]:
    """The parties' details to keep with an invoice being issued."""
    return {"seller": _fields(org, SELLER_FIELDS),
            "buyer": _fields(customer, BUYER_FIELDS) if customer is not None else None}


# What the law asks of an invoice, judged on the invoice about to be issued: one problem per
# missing or invalid mention (field "seller.legal_id", "buyer.address"...).
LegalCheck = Callable[[IssuedInvoice], Sequence[Problem]]


def check_issued(check: LegalCheck | None, issued: IssuedInvoice) -> None:
    """Raise DraftRejected with every problem `check` finds (nothing when no check)."""
    if check is None:
        return
    problems = list(check(issued))
    if problems:
        raise DraftRejected(problems)


def read_issued(session: Session, invoice: Invoice) -> IssuedInvoice:
    """The invoice's parts, read in the caller's session."""
    org = session.get(Organization, invoice.org_id)
    assert org is not None, "an invoice always belongs to an organisation"
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    lines = list(session.exec(
        select(InvoiceLine)
        .where(InvoiceLine.invoice_id == invoice.id)
        .order_by(col(InvoiceLine.position))
    ).all())
    corrected = session.get(Invoice, invoice.corrects_id) if invoice.corrects_id else None
    return IssuedInvoice(org, customer, invoice, lines, corrected)


def load_issued(db: Database, org_id: str, invoice_id: str) -> IssuedInvoice | None:
    """The invoice of the organisation with its parts, or None if it has no such invoice."""
    with db.session() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or invoice.org_id != org_id:
            return None
        return read_issued(session, invoice)
