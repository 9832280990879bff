"""The JSON shapes of the REST API (see docs/contracts.md).

An invoice has one shape whether it is a draft (computed from its live document) or
finalised (read from its immutable SQL rows), so clients need not care which.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..invoicing.draft import draft_view, read_draft
from ..invoicing.permissions import Permission, can
from ..invoicing.totals import format_amount
from ..storage.finalise import charge_record, payment_terms
from ..storage.ledger import ChainState
from ..storage.models import Customer, Invoice, InvoiceLine, Organization, Payment
from ..storage.settlement import Balance, Settlement
from .auth import AuthUser

__all__ = [
    "balance_view",
    "chain_view",
    "customer_view",
    "draft_invoice_view",
    "final_invoice_view",
    "me_view",
    "payment_view",
]


def customer_view(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "name": customer.name,
        "email": customer.email or None,
        "country": customer.country or None,
        "vat_number": customer.vat_number or None,
        "currency": customer.currency,
        "address": customer.address or None,
        "city": customer.city or None,
        "postcode": customer.postcode or None,
        "created_at": customer.created_at.isoformat(),
    }


def _header(invoice: Invoice, editors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "type_code": invoice.type_code,
        "status": invoice.status,
        "number": invoice.number,
        "editors": editors,
        "created_at": invoice.created_at.isoformat(),
        "updated_at": invoice.updated_at.isoformat(),
    }


def draft_invoice_view(
    invoice: Invoice, document: dict[str, Any], editors: list[dict[str, Any]],
    org: Organization | None = None,
) -> dict[str, Any]:
    """A draft as its live document stands, with totals and the problems it has.

    Its payment means are those finalisation would keep: the document's, else a transfer
    to the organisation's account (when `org` is given).
    """
    draft = read_draft(document)
    currency = draft.totals.currency
    root, meta = document.get("payment"), document.get("meta")
    payment = root if isinstance(root, dict) else {}
    delivery = meta.get("delivery_date") if isinstance(meta, dict) else None
    return {
        **_header(invoice, editors),
        **draft_view(draft),
        "delivery_date": str(delivery) if delivery else None,
        "charges": [charge_record(item, currency) for item in draft.charges],
        "payment": payment_terms(payment, org) if org is not None else _terms(payment),
        "exchange_rate": None,
        "corrects": None,
    }


def _terms(payment: dict[str, Any]) -> dict[str, Any]:
    return {"terms": str(payment.get("terms") or ""),
            "reference": str(payment.get("reference") or ""), "means": []}


def final_invoice_view(
    invoice: Invoice, lines: list[InvoiceLine], editors: list[dict[str, Any]], *,
    settlement: Settlement | None = None, corrected: Invoice | None = None,
) -> dict[str, Any]:
    """A finalised invoice or credit note, from the rows stored at finalisation; with what
    was paid and credited when `settlement` is given."""
    return {
        **_header(invoice, editors),
        "customer_id": invoice.customer_id,
        "currency": invoice.currency,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "delivery_date": invoice.delivery_date.isoformat() if invoice.delivery_date else None,
        "reference": invoice.reference,
        "language": invoice.language,
        "notes": invoice.notes,
        "lines": [_line_view(line) for line in lines],
        "totals": _final_totals(invoice, lines),
        "problems": [],
        "charges": list(invoice.charges or []),
        "payment": invoice.payment or {"terms": "", "reference": "", "means": []},
        "exchange_rate": invoice.exchange_rate,
        "corrects": {"id": corrected.id, "number": corrected.number} if corrected else None,
        "finalised_at": invoice.finalised_at.isoformat() if invoice.finalised_at else None,
        "finalised_by": invoice.finalised_by,
        "hash": invoice.hash,
        **({"settlement": _settlement_view(settlement)} if settlement is not None else {}),
    }


def _final_totals(invoice: Invoice, lines: list[InvoiceLine]) -> dict[str, Any]:
    # Invoices finalised before every total was stored: what they had implies the rest.
    zero = format_amount(Decimal(0), invoice.currency)
    return {
        "currency": invoice.currency,
        "net": invoice.net,
        "allowance_total": invoice.allowance_total or zero,
        "charge_total": invoice.charge_total or zero,
        "tax_basis": invoice.tax_basis or invoice.net,
        "vat": invoice.vat,
        "gross": invoice.gross,
        "prepaid": invoice.prepaid or zero,
        "rounding": zero,
        "due": invoice.due or invoice.gross,
        "lines": [{"id": line.line_key, "net": line.net} for line in lines],
        "vat_breakdown": invoice.vat_breakdown,
    }


def _settlement_view(settlement: Settlement) -> dict[str, Any]:
    money = settlement.money
    return {
        "paid": money(settlement.paid),
        "credited": money(settlement.credited),
        "outstanding": money(settlement.outstanding),
        "payments": [payment_view(payment) for payment in settlement.payments],
        "credit_notes": [{"id": note.id, "number": note.number, "due": money(note.due)}
                         for note in settlement.credit_notes],
    }


def payment_view(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "invoice_id": payment.invoice_id,
        "amount": payment.amount,
        "currency": payment.currency,
        "date": payment.paid_on.isoformat(),
        "method": payment.method,
        "recorded_by": payment.recorded_by,
        "created_at": payment.created_at.isoformat(),
    }


def balance_view(customer: Customer, balances: list[Balance], default: str) -> dict[str, Any]:
    """The customer's balance in its currency (else `default`), and in every currency."""
    currency = customer.currency or default
    main = next((item for item in balances if item.currency == currency), Balance(currency))
    return {"customer_id": customer.id, **main.to_dict(),
            "currencies": [item.to_dict() for item in balances]}


def chain_view(state: ChainState) -> dict[str, Any]:
    broken = state.first_break
    return {
        "ok": state.ok,
        "count": state.count,
        "length": state.length,
        "last_hash": state.last_hash,
        "last_number": state.last_number,
        "first_break": None if broken is None else {
            "invoice_id": broken.invoice_id, "number": broken.number,
            "chain_index": broken.chain_index, "reason": broken.reason,
        },
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
        "exemption_reason": line.exemption_reason,
        "net": line.net,
    }


def me_view(user: AuthUser, org: Organization | None) -> dict[str, Any]:
    return {
        **user.to_dict(),
        "organization": {"id": org.id, "name": org.name} if org is not None else None,
        "permissions": sorted(p.value for p in Permission if can(user.role, p)),
    }
