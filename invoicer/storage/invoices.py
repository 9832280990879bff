"""Invoices: creating drafts, reading them, caching draft totals, moving the status.

A draft's content lives in its document (the update log); the Invoice row caches what the
lists and the board need (customer, currency, dates, totals) and is refreshed as the
document changes. A finalised invoice's row and lines are its content, never changed after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, delete, select

from ..invoicing.lifecycle import Status, can_transition, is_editable, is_final
from ..invoicing.totals import format_amount
from .audit import record_event
from .db import Database
from .errors import Conflict, NotFound
from .models import Customer, DocSnapshot, DocUpdate, Invoice, InvoiceLine, User, utcnow

__all__ = [
    "DraftCache",
    "InvoiceRow",
    "board_row",
    "board_rows",
    "cache_draft",
    "create_draft",
    "get_invoice",
    "invoice_lines",
    "invoice_by_idempotency_key",
    "invoice_info",
    "invoice_org",
    "invoice_row",
    "list_invoice_rows",
    "set_status",
]


@dataclass(frozen=True)
class InvoiceRow:
    """An invoice with its customer's name, as lists and the board show it."""

    invoice: Invoice
    customer_name: str | None


@dataclass(frozen=True)
class DraftCache:
    """What the Invoice row mirrors of a draft document."""

    customer_id: str | None
    currency: str | None
    issue_date: date | None
    due_date: date | None
    reference: str | None
    net: str
    vat: str
    gross: str


def create_draft(
    db: Database,
    org_id: str,
    *,
    actor_id: str,
    customer_id: str | None,
    currency: str,
    issue_date: date,
    due_date: date,
    language: str | None,
    document: bytes,
    ip: str | None = None,
) -> Invoice:
    """The Invoice row and the first update of its document, in one transaction."""
    with db.transaction() as session:
        zero = format_amount(Decimal(0), currency)
        invoice = Invoice(
            org_id=org_id, customer_id=customer_id, status=Status.DRAFT.value,
            currency=currency, issue_date=issue_date, due_date=due_date,
            language=language, created_by=actor_id, net=zero, vat=zero, gross=zero,
        )
        session.add(invoice)
        session.flush()  # the update row's foreign key needs the invoice first
        session.add(DocUpdate(invoice_id=invoice.id, data=document, author_id=actor_id))
        record_event(session, org_id=org_id, user_id=actor_id, action="invoice.create",
                     target=invoice.id, detail={"customer_id": customer_id}, ip=ip)
    return invoice


def get_invoice(db: Database, org_id: str, invoice_id: str) -> Invoice | None:
    with db.session() as session:
        invoice = session.get(Invoice, invoice_id)
    return invoice if invoice is not None and invoice.org_id == org_id else None


def invoice_by_idempotency_key(db: Database, org_id: str, key: str) -> Invoice | None:
    """The invoice an earlier finalisation request with this key finalised, if any."""
    with db.session() as session:
        return session.exec(
            select(Invoice).where(Invoice.org_id == org_id, Invoice.idempotency_key == key)
        ).first()


def invoice_org(db: Database, invoice_id: str) -> str | None:
    with db.session() as session:
        return session.exec(select(Invoice.org_id).where(Invoice.id == invoice_id)).first()


def invoice_info(db: Database, invoice_id: str) -> dict[str, Any] | None:
    """What the live endpoints need to admit a client: organisation, status, number, and
    the name of who finalised it."""
    with db.session() as session:
        found = session.exec(
            select(Invoice.org_id, Invoice.status, Invoice.number, User.name)
            .outerjoin(User, col(User.id) == col(Invoice.finalised_by))
            .where(Invoice.id == invoice_id)
        ).first()
    if found is None:
        return None
    org_id, status, number, finalised_by = found
    return {"id": invoice_id, "org_id": org_id, "status": status, "number": number,
            "finalised_by": finalised_by}


def invoice_lines(db: Database, invoice_id: str) -> list[InvoiceLine]:
    with db.session() as session:
        statement = (
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(col(InvoiceLine.position))
        )
        return list(session.exec(statement).all())


def _rows_query() -> Any:
    return select(Invoice, Customer.name).outerjoin(
        Customer, col(Customer.id) == col(Invoice.customer_id)
    )


def invoice_row(db: Database, invoice_id: str) -> InvoiceRow | None:
    with db.session() as session:
        found = session.exec(_rows_query().where(Invoice.id == invoice_id)).first()
    return None if found is None else InvoiceRow(found[0], found[1])


def list_invoice_rows(
    db: Database, org_id: str, *, status: str | None = None, limit: int = 1000
) -> list[InvoiceRow]:
    """The organisation's invoices, most recently changed first."""
    statement = _rows_query().where(Invoice.org_id == org_id)
    if status is not None:
        statement = statement.where(Invoice.status == status)
    statement = statement.order_by(col(Invoice.updated_at).desc()).limit(limit)
    with db.session() as session:
        return [InvoiceRow(invoice, name) for invoice, name in session.exec(statement).all()]


_OVERDUE_WHEN = frozenset({Status.FINALISED, Status.SENT, Status.PARTLY_PAID, Status.OVERDUE})


def board_row(row: InvoiceRow, today: date | None = None) -> dict[str, Any]:
    """One invoice as the status board shows it (editors are added by the caller)."""
    invoice = row.invoice
    today = today or datetime.now(UTC).date()
    overdue = invoice.status == Status.OVERDUE or (
        invoice.status in _OVERDUE_WHEN and invoice.due_date is not None
        and invoice.due_date < today
    )
    return {
        "id": invoice.id,
        "number": invoice.number,
        "type_code": invoice.type_code,
        "status": invoice.status,
        "customer_id": invoice.customer_id,
        "customer_name": row.customer_name,
        "currency": invoice.currency,
        "net": invoice.net,
        "vat": invoice.vat,
        "gross": invoice.gross,
        "issue_date": _iso(invoice.issue_date),
        "due_date": _iso(invoice.due_date),
        "overdue": overdue,
        "editors": [],
        "updated_at": invoice.updated_at.isoformat(),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def board_rows(db: Database, org_id: str) -> list[dict[str, Any]]:
    return [board_row(row) for row in list_invoice_rows(db, org_id)]


def cache_draft(db: Database, invoice_id: str, cache: DraftCache) -> Invoice | None:
    """Mirror a draft document into its row; None when the invoice is no longer a draft.

    A customer id that is not one of the organisation's customers is not mirrored (the
    editors see it as a problem of the draft, the board shows no customer).
    """
    with db.transaction() as session:
        # Locked, so that a finalisation committing meanwhile is seen: a finalised row must
        # never take a draft's values (its hash covers them).
        invoice = session.exec(
            select(Invoice)
            .where(Invoice.id == invoice_id)
            .with_for_update(key_share=True)
        ).first()
        if invoice is None or not is_editable(invoice.status):
            return None
        invoice.customer_id = _own_customer(session, invoice.org_id, cache.customer_id)
        invoice.currency = cache.currency or invoice.currency
        invoice.issue_date = cache.issue_date or invoice.issue_date
        invoice.due_date = cache.due_date or invoice.due_date
        invoice.reference = cache.reference
        invoice.net, invoice.vat, invoice.gross = cache.net, cache.vat, cache.gross
        invoice.updated_at = utcnow()
        session.add(invoice)
    return invoice


def _own_customer(session: Session, org_id: str, customer_id: str | None) -> str | None:
    if not customer_id:
        return None
    customer = session.get(Customer, customer_id)
    return customer_id if customer is not None and customer.org_id == org_id else None


def set_status(
    db: Database,
    org_id: str,
    invoice_id: str,
    status: Status | str,
    *,
    actor_id: str | None,
    ip: str | None = None,
) -> Invoice:
    """Move a finalised invoice along its life cycle (sent, paid...); finalising is not here."""
    target = Status(status)
    with db.transaction() as session:
        invoice = session.exec(
            select(Invoice)
            .where(Invoice.id == invoice_id, Invoice.org_id == org_id)
            .with_for_update(key_share=True)
        ).first()
        if invoice is None:
            raise NotFound(f"invoice {invoice_id} does not exist")
        if target is Status.FINALISED or (is_final(target) and not is_final(invoice.status)):
            raise Conflict("a draft is finalised through finalisation, which numbers it")
        if not can_transition(invoice.status, target):
            raise Conflict(f"invoice {invoice_id} cannot go from {invoice.status} to {target}")
        previous, invoice.status = invoice.status, target.value
        invoice.updated_at = utcnow()
        session.add(invoice)
        record_event(session, org_id=org_id, user_id=actor_id, action="invoice.status",
                     target=invoice.id, ip=ip, detail={"from": previous, "to": target.value})
    return invoice


def delete_draft(
    db: Database, org_id: str, invoice_id: str, *, actor_id: str, ip: str | None = None
) -> Invoice:
    """Delete a draft and its document. Drafts carry no number, so this leaves no gap;
    an issued invoice is never deleted (it is corrected by a credit note)."""
    with db.transaction() as session:
        invoice = session.exec(
            select(Invoice)
            .where(Invoice.id == invoice_id, Invoice.org_id == org_id)
            .with_for_update()
        ).first()
        if invoice is None:
            raise NotFound(f"invoice {invoice_id} does not exist")
        if not is_editable(invoice.status) or invoice.number:
            raise Conflict(
                f"invoice {invoice.number or invoice_id} is {invoice.status}: an issued invoice "
                "is never deleted; correct it with a credit note"
            )
        session.execute(delete(DocUpdate).where(col(DocUpdate.invoice_id) == invoice_id))
        session.execute(delete(DocSnapshot).where(col(DocSnapshot.invoice_id) == invoice_id))
        session.delete(invoice)
        record_event(session, org_id=org_id, user_id=actor_id, action="invoice.delete_draft",
                     target=invoice_id, ip=ip, detail={"customer_id": invoice.customer_id})
    return invoice
