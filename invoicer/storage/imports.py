"""Importing an invoice file as a new draft: its buyer becomes a customer, in one transaction.

The caller (the server, which reads the file) gives the buyer's details and a function that
makes the draft's first document update once the customer's id is known: the customer with
the same VAT number, else the same name, or a new one. Customer, invoice row, document
update and audit events commit together, or nothing does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..invoicing.lifecycle import Status
from .audit import record_event
from .customers import CUSTOMER_FIELDS
from .db import Database
from .models import Customer, DocUpdate, Invoice

__all__ = ["ImportedDraft", "import_draft"]


@dataclass(frozen=True)
class ImportedDraft:
    invoice: Invoice
    customer: Customer
    customer_created: bool


def import_draft(
    db: Database,
    org_id: str,
    *,
    actor_id: str | None,
    buyer: Mapping[str, Any],
    currency: str,
    issue_date: date,
    due_date: date | None,
    language: str | None,
    totals: Mapping[str, str],
    document: Callable[[str], bytes],
    detail: Mapping[str, Any],
    ip: str | None = None,
) -> ImportedDraft:
    """Create the draft (and its customer if new); `document(customer_id)` gives the draft's
    first update, `totals` its net, vat and gross, `detail` what the audit event records."""
    unknown = set(buyer) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"not customer fields: {sorted(unknown)}")
    with db.transaction() as session:
        customer = _matching_customer(session, org_id, buyer)
        created = customer is None
        if customer is None:
            customer = Customer(org_id=org_id, **buyer)
            session.add(customer)
            session.flush()
            record_event(session, org_id=org_id, user_id=actor_id, action="customer.create",
                         target=customer.id, ip=ip,
                         detail={"name": customer.name, "via": "import"})
        invoice = Invoice(
            org_id=org_id, customer_id=customer.id, status=Status.DRAFT.value,
            currency=currency, issue_date=issue_date, due_date=due_date, language=language,
            reference=None, created_by=actor_id,
            net=totals["net"], vat=totals["vat"], gross=totals["gross"],
        )
        session.add(invoice)
        session.flush()  # the update row's foreign key needs the invoice first
        session.add(DocUpdate(invoice_id=invoice.id, data=document(customer.id),
                              author_id=actor_id))
        record_event(session, org_id=org_id, user_id=actor_id, action="invoice.import",
                     target=invoice.id, ip=ip,
                     detail={**detail, "customer_id": customer.id,
                             "customer_created": created})
    return ImportedDraft(invoice, customer, created)


def _matching_customer(
    session: Session, org_id: str, buyer: Mapping[str, Any]
) -> Customer | None:
    """The organisation's customer with the buyer's VAT number, else with its name."""
    vat_number = str(buyer.get("vat_number") or "")
    if vat_number:
        found = session.exec(
            select(Customer).where(Customer.org_id == org_id,
                                   Customer.vat_number == vat_number)
            .order_by(col(Customer.created_at))
        ).first()
        if found is not None:
            return found
    name = str(buyer.get("name") or "").strip()
    statement = select(Customer).where(
        Customer.org_id == org_id, func.lower(Customer.name) == name.lower()
    )
    if vat_number:
        # A namesake with another VAT number is another company.
        statement = statement.where(col(Customer.vat_number).in_(["", vat_number]))
    return session.exec(statement.order_by(col(Customer.created_at))).first()
