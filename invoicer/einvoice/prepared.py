"""What both writers (CII, UBL) and the PDF print, derived once from a document.

Totals come from the calculator, never from the document's stated values; a line's discount
(a percentage, as the editor has it) becomes the line allowance EN 16931 expects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from invoicer.invoicing.money import round_money
from invoicer.invoicing.totals import Totals, VatBreakdown, vat_mention

from .calculation import compute
from .model import (
    DocumentAllowanceCharge,
    InvoiceDocument,
    InvoiceLine,
    LineAllowanceCharge,
    Party,
)
from .xmlbuild import AmountWriter

__all__ = [
    "DISCOUNT_REASON", "Prepared", "PreparedLine", "PreparedVat", "check_precision", "prepare",
]

DISCOUNT_REASON = "Discount"
_DISCOUNT_CODE = "95"  # UNTDID 5189: discount

# VATEX codes (CEF list) that say why a category carries no VAT, for the rules that ask for a
# reason or a code (BR-AE-10, BR-IC-10, BR-G-10, BR-O-10). Exempt (E) depends on the article.
_VATEX = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G", "O": "VATEX-EU-O"}
_NEEDS_REASON = frozenset({"E", "AE", "K", "G", "O"})


@dataclass(frozen=True)
class PreparedLine:
    line: InvoiceLine
    net: Decimal  # BT-131 by the calculator
    allowances: tuple[LineAllowanceCharge, ...]  # the line's own, plus its discount
    gross_amount: Decimal  # quantity x price / base quantity, rounded
    quantity: Decimal  # as written: negative rather than a negative price (BR-27)
    unit_price: Decimal
    gross_price: Decimal | None


@dataclass(frozen=True)
class PreparedVat:
    row: VatBreakdown
    reason: str  # BT-120
    code: str  # BT-121


@dataclass(frozen=True)
class Prepared:
    doc: InvoiceDocument
    totals: Totals
    lines: tuple[PreparedLine, ...]
    vat: tuple[PreparedVat, ...]

    @property
    def out_of_scope(self) -> bool:
        """A line not subject to VAT (O): then neither party may show a VAT identifier in
        the XML (BR-O-02), though the PDF still prints them."""
        return any(line.vat_category == "O" for line in self.doc.lines)

    @property
    def seller(self) -> Party:
        """The seller as the XML writers write it (see out_of_scope)."""
        return _without_vat_number(self.doc.seller) if self.out_of_scope else self.doc.seller

    @property
    def buyer(self) -> Party:
        return _without_vat_number(self.doc.buyer) if self.out_of_scope else self.doc.buyer

    @property
    def document_allowances(self) -> list[DocumentAllowanceCharge]:
        return [item for item in self.doc.allowances if not item.is_charge]

    @property
    def document_charges(self) -> list[DocumentAllowanceCharge]:
        return [item for item in self.doc.allowances if item.is_charge]


def _without_vat_number(party: Party) -> Party:
    return replace(party, vat_number="")


def prepare(doc: InvoiceDocument, language: str | None = None) -> Prepared:
    """Totals, lines and VAT rows of `doc`; mentions in `language` (default: the seller's)."""
    totals = compute(doc)
    lines = tuple(
        _prepared_line(line, total.net, doc.currency)
        for line, total in zip(doc.lines, totals.lines, strict=True)
    )
    language = language or ("fr" if doc.seller.country.upper() == "FR" else "en")
    vat = tuple(_prepared_vat(doc, row, language) for row in totals.vat_breakdown)
    return Prepared(doc=doc, totals=totals, lines=lines, vat=vat)


def _prepared_line(line: InvoiceLine, net: Decimal, currency: str) -> PreparedLine:
    gross = round_money(line.quantity * line.unit_price / line.price_base_quantity, currency)
    allowances = line.allowances
    if line.discount:
        # What the calculator took off: the gross less the net before allowances and charges.
        own = sum((a.amount if a.is_charge else -a.amount for a in line.allowances), Decimal(0))
        discount = LineAllowanceCharge(
            amount=gross - (net - own),
            reason=DISCOUNT_REASON,
            reason_code=_DISCOUNT_CODE,
            percent=line.discount,
            base_amount=gross,
        )
        allowances = (discount,) + allowances
    # EN 16931 wants prices positive (BR-27, BR-28); a "minus" line (a credit, a return, a
    # discount typed as a line) is the same amount with a negative quantity.
    sign = -1 if line.unit_price < 0 else 1
    gross_price = line.gross_price * sign if line.gross_price is not None else None
    return PreparedLine(
        line=line, net=net, allowances=allowances, gross_amount=gross,
        quantity=line.quantity * sign, unit_price=line.unit_price * sign,
        gross_price=gross_price if gross_price is None or gross_price >= 0 else None,
    )


def _prepared_vat(doc: InvoiceDocument, row: VatBreakdown, language: str) -> PreparedVat:
    exemption = doc.exemption_for(row.category)
    reason = (exemption.reason if exemption else "") or row.exemption_reason or ""
    code = exemption.code if exemption else ""
    if row.category in _NEEDS_REASON and not reason and not code:
        reason = vat_mention(row.category, language) or ""
        code = _VATEX.get(row.category, "")
    return PreparedVat(row=row, reason=reason, code=code)


def check_precision(prepared: Prepared, syntax: str) -> None:
    """Raise ExportLimitError for the first amount, in reading order, that EN 16931 cannot
    carry, so that the message names the cause (a line) rather than a total it feeds."""
    amount = AmountWriter(syntax, prepared.doc.currency)
    for line in prepared.lines:
        amount(line.net, f"line {line.line.id} net amount (BT-131)")
        for number, item in enumerate(line.allowances, start=1):
            amount(item.amount, f"line {line.line.id} allowance/charge {number} amount")
    for number, item in enumerate(prepared.doc.allowances, start=1):
        amount(item.amount, f"document allowance/charge {number} amount")
    for vat in prepared.vat:
        amount(vat.row.base, f"VAT {vat.row.category} base (BT-116)")
        amount(vat.row.amount, f"VAT {vat.row.category} amount (BT-117)")
    totals = prepared.totals
    amount(totals.prepaid, "paid amount (BT-113)")
    amount(totals.rounding, "rounding amount (BT-114)")
