"""Invoices as e-invoice documents (`invoicer.einvoice.InvoiceDocument`), and the legal check.

An issued invoice's document is built from its SQL rows only: the organisation is the seller
(with its SIREN, VAT number, address, account and late payment terms), the customer is the
buyer, and lines, allowances, charges, totals and payment terms are those stored at
finalisation. A credit note is stored with negative amounts (see storage.credit_notes) but
written with positive ones, as EN 16931 wants: its type code (381) says it is a credit.

Finalisation judges the same document with `einvoice.legal` before it commits (`legal_check`),
so what is refused there is exactly what would be missing from the exports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..einvoice import (
    DocumentAllowanceCharge,
    Exemption,
    InvoiceDocument,
    InvoiceLine,
    LegalDetails,
    Party,
    PaymentMeans,
    legal_problems,
)
from ..einvoice.labels import LANGUAGES, vat_category_mention
from ..invoicing.draft import Draft, Problem
from ..storage.finalise import charge_record, payment_terms
from ..storage.issued import IssuedInvoice, party_snapshot
from ..storage.models import CREDIT_NOTE_TYPE, Customer, Invoice, Organization

__all__ = [
    "buyer_party",
    "document_language",
    "draft_preview_document",
    "issued_document",
    "legal_check",
    "seller_party",
]

# Categories whose mention has one legal wording (reverse charge, EU supply, export, out of
# scope): printed by default. An exemption (E) has many grounds, so its reason must be given.
_DEFAULT_MENTION = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G",
                    "O": "VATEX-EU-O"}
_POSTCODE_FIRST = re.compile(r"(?P<postcode>\S*\d\S*)\s+(?P<city>\D.*)")
_POSTCODE_LAST = re.compile(r"(?P<city>\D+?)\s+(?P<postcode>\S*\d[\S ]*)")
# Every customer is taken for a business: Invoicer invoices companies, and the mentions owed
# to a business (late penalties, the 40 EUR indemnity) do no harm on a consumer's invoice.
B2B = True


def document_language(invoice: Invoice, org: Organization) -> str:
    """The language the invoice is printed in: its own, else the seller's country's."""
    if invoice.language in LANGUAGES:
        return str(invoice.language)
    return "fr" if org.country.upper() == "FR" else "en"


# -- parties ------------------------------------------------------------------------------------


def seller_party(seller: Mapping[str, Any]) -> Party:
    """The seller from the organisation's details (storage.issued.SELLER_FIELDS)."""
    siret = "".join(str(seller.get("siret") or "").split())
    siren = "".join(str(seller.get("siren") or "").split()) or siret[:9]
    email = str(seller.get("email") or "")
    return Party(
        name=str(seller.get("name") or ""),
        address_lines=_lines(seller.get("address")),
        city=str(seller.get("city") or ""),
        postcode=str(seller.get("postcode") or ""),
        country=str(seller.get("country") or ""),
        vat_number=str(seller.get("vat_number") or ""),
        legal_id=siren,
        legal_id_scheme="0002" if siren else "",  # ISO 6523: the French SIREN
        email=email,
        endpoint=email,
        endpoint_scheme="EM" if email else "",
    )


def buyer_party(buyer: Mapping[str, Any] | None) -> Party:
    """The buyer from the customer's details (storage.issued.BUYER_FIELDS)."""
    if buyer is None:
        return Party(name="")
    street, postcode, city = customer_address(
        str(buyer.get("address") or ""), str(buyer.get("postcode") or ""),
        str(buyer.get("city") or ""),
    )
    email = str(buyer.get("email") or "")
    return Party(
        name=str(buyer.get("name") or ""),
        address_lines=street,
        city=city,
        postcode=postcode,
        country=str(buyer.get("country") or ""),
        vat_number=str(buyer.get("vat_number") or ""),
        email=email,
        endpoint=email,
        endpoint_scheme="EM" if email else "",
    )


def _lines(text: Any) -> tuple[str, ...]:
    return tuple(line.strip() for line in str(text or "").splitlines() if line.strip())


def customer_address(address: str, postcode: str, city: str) -> tuple[tuple[str, ...], str, str]:
    """(street lines, postcode, city). Without a city and postcode of their own, the last
    line or comma-separated part of the address is read as «postcode city» or «city
    postcode» («8 place des Lices, 35000 Rennes»)."""
    parts = [part.strip() for part in re.split(r"[\n,]", address) if part.strip()]
    if city or postcode or not parts:
        return _lines(address), postcode, city
    last = parts[-1]
    for pattern in (_POSTCODE_FIRST, _POSTCODE_LAST):
        found = pattern.fullmatch(last)
        if found and len(parts) > 1:
            return tuple(parts[:-1]), found["postcode"].strip(), found["city"].strip()
    return tuple(parts), "", ""


# -- an issued invoice --------------------------------------------------------------------------


def issued_document(issued: IssuedInvoice) -> InvoiceDocument:
    """The document of an issued invoice or credit note, from its stored rows."""
    invoice, org = issued.invoice, issued.org
    credit = invoice.type_code == CREDIT_NOTE_TYPE
    sign = Decimal(-1) if credit else Decimal(1)
    language = document_language(invoice, org)
    lines = tuple(
        InvoiceLine(
            id=line.line_key or str(line.position),
            description=line.description,
            quantity=Decimal(line.quantity) * sign,
            unit_price=Decimal(line.unit_price),
            vat_category=line.vat_category,
            vat_rate=Decimal(line.vat_rate),
            unit_code=line.unit or "C62",
            discount=Decimal(line.discount),
            exemption_reason=line.exemption_reason,
        )
        for line in issued.lines
    )
    allowances = tuple(_allowance(item, sign) for item in invoice.charges or [])
    payment = invoice.payment or payment_terms({}, org)
    issue_date = invoice.issue_date or datetime.now(UTC).date()
    return InvoiceDocument(
        type_code=invoice.type_code,
        number=invoice.number or "",
        issue_date=issue_date,
        currency=invoice.currency,
        seller=seller_party(issued.seller),
        buyer=buyer_party(issued.buyer),
        lines=lines,
        allowances=allowances,
        due_date=invoice.due_date,
        # The date of supply: the draft's, else the issue date (also for invoices issued
        # before it was kept).
        delivery_date=invoice.delivery_date or issue_date,
        deliver_to_country=_deliver_to(lines, issued.buyer),
        buyer_reference=invoice.reference or "",
        notes=(invoice.notes,) if invoice.notes.strip() else (),
        payment_terms=str(payment.get("terms") or ""),
        payment_means=_means(payment.get("means") or []),
        payment_reference=str(payment.get("reference") or invoice.number or ""),
        prepaid=Decimal(invoice.prepaid or 0) * sign,
        exemptions=_exemptions(lines, allowances, language, invoice.charges or []),
        preceding_invoice=(issued.corrected.number or "") if issued.corrected else "",
        preceding_invoice_date=issued.corrected.issue_date if issued.corrected else None,
        legal=_legal(issued.seller),
    )


def _deliver_to(lines: Sequence[InvoiceLine], buyer: Mapping[str, Any] | None) -> str:
    # An intra-community supply (K) is delivered to another member state, which EN 16931
    # wants stated (BR-IC-12): the buyer's country, the draft having no delivery address.
    if buyer is None or not any(line.vat_category == "K" for line in lines):
        return ""
    return str(buyer.get("country") or "")


def _allowance(item: Mapping[str, Any], sign: Decimal) -> DocumentAllowanceCharge:
    return DocumentAllowanceCharge(
        amount=Decimal(str(item["amount"])) * sign,
        vat_category=str(item["vat_category"]),
        vat_rate=Decimal(str(item["vat_rate"])),
        is_charge=bool(item["is_charge"]),
        reason=str(item.get("reason") or ""),
    )


def _means(means: Iterable[Mapping[str, Any]]) -> tuple[PaymentMeans, ...]:
    return tuple(
        PaymentMeans(code=str(item.get("code") or "58"), iban=str(item.get("iban") or ""),
                     bic=str(item.get("bic") or ""),
                     account_name=str(item.get("account_name") or ""))
        for item in means
    )


def _exemptions(
    lines: Sequence[InvoiceLine], allowances: Sequence[DocumentAllowanceCharge], language: str,
    charges: Sequence[Mapping[str, Any]] = (),
) -> tuple[Exemption, ...]:
    """The legal mention of each category without VAT: the reason a document charge of that
    category gives (an imported file's, typically), else the category's one wording, unless
    every line of the category gives its own reason."""
    used = {line.vat_category for line in lines} | {item.vat_category for item in allowances}
    given = {str(c.get("vat_category")): str(c["exemption_reason"])
             for c in charges if c.get("exemption_reason")}
    exemptions = []
    for category in sorted(used & (set(_DEFAULT_MENTION) | set(given))):
        own = [line.exemption_reason for line in lines if line.vat_category == category]
        if own and all(own):
            continue
        if category in given:
            exemptions.append(Exemption(category, given[category], ""))
        else:
            exemptions.append(Exemption(category, vat_category_mention(category, language),
                                        _DEFAULT_MENTION[category]))
    return tuple(exemptions)


def _legal(seller: Mapping[str, Any]) -> LegalDetails:
    return LegalDetails(late_penalty=str(seller.get("late_penalty_text") or ""),
                        recovery_indemnity=B2B,
                        additional=str(seller.get("legal_information") or ""))


def legal_check(issued: IssuedInvoice) -> list[Problem]:
    """The `storage.LegalCheck` of finalisation: one problem per missing legal mention."""
    return [
        Problem(None, None, problem.field, problem.message)
        for problem in legal_problems(issued_document(issued), b2b=B2B)
    ]


# -- a draft, for its watermarked preview --------------------------------------------------------


def draft_preview_document(
    org: Organization, customer: Customer | None, draft: Draft, payment: Mapping[str, Any],
    language: str,
) -> InvoiceDocument:
    """The draft as it would be issued today, from the lines that parse (no number yet)."""
    currency = draft.totals.currency
    lines = tuple(
        InvoiceLine(
            id=line.key, description=line.description,
            quantity=line.quantity or Decimal(0), unit_price=line.unit_price or Decimal(0),
            vat_category=line.vat_category or "S", vat_rate=line.vat_rate or Decimal(0),
            unit_code=line.unit or "C62", discount=line.discount or Decimal(0),
            exemption_reason=line.exemption_reason,
        )
        for line in draft.lines if line.valid
    )
    allowances = tuple(
        _allowance(charge_record(item, currency), Decimal(1)) for item in draft.charges
    )
    terms = payment_terms(payment, org)
    meta = draft.meta
    parties = party_snapshot(org, customer)
    return InvoiceDocument(
        type_code="380",
        number="—",
        issue_date=meta.issue_date or datetime.now(UTC).date(),
        currency=currency,
        seller=seller_party(parties["seller"]),
        buyer=buyer_party(parties["buyer"]),
        lines=lines,
        allowances=allowances,
        due_date=meta.due_date,
        buyer_reference=meta.reference or "",
        notes=(draft.notes,) if draft.notes.strip() else (),
        payment_terms=terms["terms"],
        payment_means=_means(terms["means"]),
        prepaid=draft.prepaid,
        exemptions=_exemptions(lines, allowances, language,
                               [charge_record(item, currency) for item in draft.charges]),
        legal=_legal(parties["seller"]),
    )
