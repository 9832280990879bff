"""An imported invoice as the plain JSON shape of a live draft, to seed a new draft.

The draft document (DESIGN.md section 3) knows lines with a quantity, a unit price and a
discount, and document-level allowances and charges. An e-invoice line can say more: a price
per base quantity, allowances and charges of its own. Each is turned into what the draft can
hold without changing any amount: a price per unit, and one more line per line allowance or
charge, at the same VAT. The line nets, the tax basis and the VAT stay those of the file.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal, localcontext
from typing import Any

from invoicer.invoicing.money import MAX_DECIMAL_PLACES, normalized, round_money

from .model import InvoiceDocument, InvoiceLine, Party

__all__ = ["draft_document"]


def draft_document(doc: InvoiceDocument, *, language: str | None = None) -> dict[str, Any]:
    """The draft JSON: meta, notes, lines, charges, plus parties, payment and source.

    Values are decimal strings, as in the live document; the file's number is not the
    draft's (a draft has none) and is kept under "source".
    """
    return {
        "meta": {
            "customer_id": None,
            "currency": doc.currency,
            "issue_date": doc.issue_date.isoformat(),
            "due_date": doc.due_date.isoformat() if doc.due_date else None,
            "reference": doc.buyer_reference or doc.order_reference or None,
            "language": language,
        },
        "notes": "\n".join(doc.notes),
        "lines": _lines(doc),
        "charges": [
            {
                "id": f"c{number}",
                "is_charge": item.is_charge,
                "amount": _text(item.amount),
                "reason": item.reason,
                "vat_category": item.vat_category,
                "vat_rate": _text(item.vat_rate),
                "exemption_reason": _exemption_reason(doc, item.vat_category),
            }
            for number, item in enumerate(doc.allowances, start=1)
        ],
        "parties": {"seller": _party(doc.seller), "buyer": _party(doc.buyer)},
        "payment": {
            "terms": doc.payment_terms,
            "reference": doc.payment_reference,
            "prepaid": _text(doc.prepaid),
            "rounding": _text(doc.rounding),
            "means": [asdict(means) for means in doc.payment_means],
        },
        "source": {
            "number": doc.number,
            "type_code": doc.type_code,
            "preceding_invoice": doc.preceding_invoice,
            "exemptions": [asdict(item) for item in doc.exemptions],
            "warnings": list(doc.warnings),
        },
    }


def _text(value: Decimal) -> str:
    return format(normalized(value), "f")


def _party(party: Party) -> dict[str, Any]:
    values = asdict(party)
    values["address_lines"] = list(party.address_lines)
    return values


def _lines(doc: InvoiceDocument) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    used: set[str] = set()
    for line in doc.lines:
        line_id = _unique(line.id, used)
        quantity, price = _per_unit(line, doc.currency)
        lines.append(_line(line, line_id, quantity, price, line.description))
        for number, item in enumerate(line.allowances, start=1):
            amount = item.amount if item.is_charge else -item.amount
            label = item.reason or ("Charge" if item.is_charge else "Allowance")
            lines.append(
                _line(
                    line, _unique(f"{line_id}-{number}", used), "1", _text(amount),
                    f"{label} ({line.description})",
                )
            )
    return lines


def _line(
    line: InvoiceLine, line_id: str, quantity: str, price: str, description: str
) -> dict[str, Any]:
    return {
        "id": line_id,
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": _text(line.vat_rate),
        "discount": _text(line.discount),
        "unit": line.unit_code,
        "vat_category": line.vat_category,
        "exemption_reason": line.exemption_reason,
    }


def _unique(line_id: str, used: set[str]) -> str:
    # Draft lines need distinct ids; files may repeat one (nothing in EN 16931 forbids it).
    candidate, suffix = line_id or "line", 1
    while candidate in used:
        suffix += 1
        candidate = f"{line_id}.{suffix}"
    used.add(candidate)
    return candidate


def _per_unit(line: InvoiceLine, currency: str) -> tuple[str, str]:
    """(quantity, unit price) giving the same net without a base quantity."""
    base = line.price_base_quantity
    if base == 1:
        return _text(line.quantity), _text(line.unit_price)
    for quantity, price in (
        (line.quantity, _exact(line.unit_price / base)),
        (_exact(line.quantity / base), line.unit_price),
    ):
        if quantity is not None and price is not None:
            return _text(quantity), _text(price)
    # Neither divides exactly: one "lot" at the rounded amount, which is the line's net.
    gross = round_money(line.quantity * line.unit_price / base, currency)
    return "1", _text(gross)


def _exact(value: Decimal) -> Decimal | None:
    """`value` when it has few enough decimals for a draft field, else None."""
    with localcontext() as context:
        context.prec = 40
        value = normalized(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
        return None
    return value


def _exemption_reason(doc: InvoiceDocument, category: str) -> str | None:
    """The file's exemption reason (BT-120) for a category, kept with the charges of that
    category so that finalisation finds it even when no line carries the category."""
    for exemption in doc.exemptions:
        if exemption.category == category and exemption.reason:
            return exemption.reason
    return None
