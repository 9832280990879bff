"""The JSON shapes of the REST API (see docs/contracts.md).

An invoice has one shape whether it is a draft (computed from its live document) or
finalised (read from its immutable SQL rows), so clients need not care which.
"""

from __future__ import annotations

from typing import Any

from ..invoicing.draft import draft_view, read_draft
from ..invoicing.permissions import Permission, can
from ..storage.models import Customer, Invoice, InvoiceLine, Organization
from .auth import AuthUser

__all__ = ["customer_view", "draft_invoice_view", "final_invoice_view", "me_view"]


def customer_view(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "name": customer.name,
        "email": customer.email or None,
        "country": customer.country or None,
        "vat_number": customer.vat_number or None,
        "currency": customer.currency,
        "address": customer.address or None,
        "created_at": customer.created_at.isoformat(),
    }


def _header(invoice: Invoice, editors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "status": invoice.status,
        "number": invoice.number,
        "editors": editors,
        "created_at": invoice.created_at.isoformat(),
        "updated_at": invoice.updated_at.isoformat(),
    }


def draft_invoice_view(
    invoice: Invoice, document: dict[str, Any], editors: list[dict[str, Any]]
) -> dict[str, Any]:
    """A draft as its live document stands, with totals and the problems it has."""
    return {**_header(invoice, editors), **draft_view(read_draft(document))}


def final_invoice_view(
    invoice: Invoice, lines: list[InvoiceLine], editors: list[dict[str, Any]]
) -> dict[str, Any]:
    """A finalised invoice, from the rows stored at finalisation."""
    return {
        **_header(invoice, editors),
        "customer_id": invoice.customer_id,
        "currency": invoice.currency,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "reference": invoice.reference,
        "language": invoice.language,
        "notes": invoice.notes,
        "lines": [_line_view(line) for line in lines],
        "totals": {
            "currency": invoice.currency,
            "net": invoice.net,
            "tax_basis": invoice.net,
            "vat": invoice.vat,
            "gross": invoice.gross,
            "due": invoice.gross,
            "lines": [{"id": line.line_key, "net": line.net} for line in lines],
            "vat_breakdown": invoice.vat_breakdown,
        },
        "problems": [],
        "finalised_at": invoice.finalised_at.isoformat() if invoice.finalised_at else None,
        "finalised_by": invoice.finalised_by,
        "hash": invoice.hash,
    }


def _line_view(line: InvoiceLine) -> dict[str, Any]:
    return {
        "id": line.line_key,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "vat_rate": line.vat_rate,
        "discount": line.discount,
        "unit": line.unit,
        "vat_category": line.vat_category,
        "net": line.net,
    }


def me_view(user: AuthUser, org: Organization | None) -> dict[str, Any]:
    return {
        **user.to_dict(),
        "organization": {"id": org.id, "name": org.name} if org is not None else None,
        "permissions": sorted(p.value for p in Permission if can(user.role, p)),
    }
