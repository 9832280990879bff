"""The invoice as printed: HTML from the Jinja2 template web/templates/pdf/, PDF by WeasyPrint.

Everything is formatted here, in the reader's language and locale (Babel); the template only
places the strings, with autoescaping on, so no text from an invoice is ever rendered as
markup. The renderer fetches nothing from the network: only the template's own files and
inline data are allowed.
"""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from invoicer.invoicing.money import format_money, minor_units, normalized
from invoicer.invoicing.totals import RATED_CATEGORIES

from .labels import (
    LANGUAGES,
    LOCALES,
    category_name,
    in_language,
    labels_for,
    unit_name,
    vat_category_mention,
)
from .model import InvoiceDocument, LineAllowanceCharge, Party
from .prepared import DISCOUNT_REASON, Prepared, PreparedLine, prepare

__all__ = ["TEMPLATE_DIR", "render_html", "render_pdf"]

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "web" / "templates" / "pdf"
_TEMPLATE = "invoice.html"
_LOGO_TYPES = frozenset({"image/png", "image/jpeg", "image/svg+xml"})


@dataclass(frozen=True)
class Logo:
    """The organisation's logo, embedded in the page (never fetched from a URL)."""

    data: bytes
    media_type: str = "image/png"

    def data_uri(self) -> str:
        if self.media_type not in _LOGO_TYPES:
            raise ValueError(f"a logo must be one of {sorted(_LOGO_TYPES)}")
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def render_html(
    doc: InvoiceDocument, language: str, *, watermark: bool = False, logo: Logo | None = None,
    template_dir: Path = TEMPLATE_DIR,
) -> str:
    """The invoice page as HTML, for the PDF or for a preview in the browser."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not «{language}»")
    context = _Formatter(prepare(doc, language), language).context(watermark, logo)
    return _environment(template_dir).get_template(_TEMPLATE).render(context)


def render_pdf(
    doc: InvoiceDocument, language: str, *, watermark: bool = False, logo: Logo | None = None,
    pdf_variant: str | None = None, template_dir: Path = TEMPLATE_DIR,
) -> bytes:
    """The invoice as a PDF. `watermark` prints "BROUILLON / DRAFT" across draft previews;
    `pdf_variant` ("pdf/a-3b" for Factur-X) asks WeasyPrint for an archival PDF."""
    from weasyprint import HTML  # heavy import, only where PDFs are made
    from weasyprint.urls import URLFetcher

    html = render_html(doc, language, watermark=watermark, logo=logo, template_dir=template_dir)
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    page = HTML(string=html, base_url=str(template_dir) + "/", url_fetcher=fetcher)
    return page.write_pdf(pdf_variant=pdf_variant)


@cache
def _environment(template_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class _Formatter:
    """Turns a prepared invoice into the strings the template prints."""

    def __init__(self, prepared: Prepared, language: str) -> None:
        self.p = prepared
        self.doc = prepared.doc
        self.language = language
        self.locale = LOCALES[language]
        self.t = labels_for(language)

    # -- values ------------------------------------------------------------------------------

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.doc.currency, self.locale)

    def price(self, amount: Decimal) -> str:
        """A unit price with all its decimals (0.00880 EUR stays so), at least the currency's."""
        exponent = normalized(amount).as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        digits = max(minor_units(self.doc.currency), places)
        pattern = copy.copy(Locale.parse(self.locale).currency_formats["standard"])
        pattern.frac_prec = (digits, digits)
        return pattern.apply(
            amount, self.locale, currency=self.doc.currency, currency_digits=False
        )

    def number(self, value: Decimal) -> str:
        return format_decimal(normalized(value), locale=self.locale, decimal_quantization=False)

    def rate(self, value: Decimal) -> str:
        space = "\u202f" if self.language == "fr" else ""
        return f"{self.number(value)}{space}%"

    def day(self, value: date | None) -> str:
        return format_date(value, format="long", locale=self.locale) if value else ""

    def country(self, code: str) -> str:
        return Locale.parse(self.locale).territories.get(code.upper(), code)

    # -- blocks ------------------------------------------------------------------------------

    def context(self, watermark: bool, logo: Logo | None) -> dict[str, Any]:
        doc, t = self.doc, self.t
        return {
            "t": t,
            "lang": self.language,
            "title": t["credit_note"] if doc.is_credit_note else t["invoice"],
            "number": doc.number,
            "facts": self.facts(),
            "seller": self.party(doc.seller),
            "buyer": self.party(doc.buyer),
            "legal_information": doc.legal.additional,
            "lines": [self.line(line) for line in self.p.lines],
            "vat_rows": self.vat_rows(),
            "totals": self.totals(),
            "notes": list(doc.notes),
            "payment": self.payment(),
            "legal": self.legal(),
            "watermark": watermark,
            "logo": logo.data_uri() if logo else None,
            "initials": _initials(doc.seller.name),
        }

    def facts(self) -> list[tuple[str, str]]:
        doc, t = self.doc, self.t
        facts = [(t["issue_date"], self.day(doc.issue_date))]
        if doc.delivery_date:
            facts.append((t["delivery_date"], self.day(doc.delivery_date)))
        if doc.period_start or doc.period_end:
            period = f"{self.day(doc.period_start)} – {self.day(doc.period_end)}".strip(" –")
            facts.append((t["period"], period))
        if doc.due_date:
            facts.append((t["due_date"], self.day(doc.due_date)))
        if doc.buyer_reference:
            facts.append((t["buyer_reference"], doc.buyer_reference))
        if doc.order_reference:
            facts.append((t["order_reference"], doc.order_reference))
        if doc.preceding_invoice:
            corrected = doc.preceding_invoice
            if doc.preceding_invoice_date:
                corrected += f" {t['of']} {self.day(doc.preceding_invoice_date)}"
            facts.append((t["corrects"], corrected))
        return facts

    def party(self, party: Party) -> dict[str, Any]:
        t = self.t
        french = party.country.upper() == "FR"
        identifiers = []
        if party.legal_id:
            identifiers.append((t["legal_id"] if french else t["legal_id_other"], party.legal_id))
        if party.vat_number:
            identifiers.append((t["vat_number"], party.vat_number))
        town = " ".join(part for part in (party.postcode, party.city) if part)
        return {
            "name": party.name,
            "trading_name": party.trading_name,
            "address": [*party.address_lines, town, self.country(party.country)],
            "identifiers": identifiers,
            "email": party.email,
        }

    def line(self, prepared: PreparedLine) -> dict[str, Any]:
        line = prepared.line
        unit = unit_name(line.unit_code, self.language)
        price = self.price(line.unit_price)
        if line.price_base_quantity != 1:
            price += f" / {self.number(line.price_base_quantity)} {unit}".rstrip()
        details = [text for text in (line.item_description, line.note) if text]
        return {
            "description": line.description,
            "details": details,
            "adjustments": [self._adjustment(item) for item in prepared.allowances],
            "quantity": self.number(line.quantity),
            "unit": unit,
            "price": price,
            "vat": self._vat_label(line.vat_category, line.vat_rate),
            "net": self.money(prepared.net),
        }

    def _adjustment(self, item: LineAllowanceCharge) -> str:
        """The text printed under a line for one of its allowances or charges."""
        t = self.t
        label = item.reason or (t["charge"] if item.is_charge else t["allowance"])
        if item.reason == DISCOUNT_REASON:
            label = t["discount"]
        if item.percent is not None:
            label += f" {self.rate(item.percent)}"
        sign = "+" if item.is_charge else "−"
        colon = "\u00a0:" if self.language == "fr" else ":"
        return f"{label}{colon} {sign}{self.money(item.amount)}"

    def _vat_label(self, category: str, rate: Decimal) -> str:
        if category in RATED_CATEGORIES:
            return self.rate(rate)
        return category_name(category, self.language)

    def vat_rows(self) -> list[dict[str, str]]:
        rows = []
        for vat in self.p.vat:
            row = vat.row
            rows.append({
                "label": self._vat_label(row.category, row.rate),
                "base": self.money(row.base),
                "amount": self.money(row.amount),
                "mention": vat_category_mention(row.category, self.language, vat.reason),
            })
        return rows

    def totals(self) -> list[tuple[str, str, bool]]:
        totals, t = self.p.totals, self.t
        rows = []
        if self.doc.allowances:
            rows.append((t["total_lines"], self.money(totals.net), False))
        if self.p.document_allowances:
            rows.append((t["total_allowances"], "−" + self.money(totals.allowance_total), False))
        if self.p.document_charges:
            rows.append((t["total_charges"], self.money(totals.charge_total), False))
        rows.append((t["total_net"], self.money(totals.tax_basis), False))
        rows.append((t["total_vat"], self.money(totals.vat), False))
        settled = totals.prepaid or totals.rounding
        gross_label = t["total_gross"]
        if self.doc.is_credit_note and not settled:
            gross_label = t["credit_due"]
        rows.append((gross_label, self.money(totals.gross), not settled))
        if totals.prepaid:
            rows.append((t["prepaid"], "−" + self.money(totals.prepaid), False))
        if totals.rounding:
            rows.append((t["rounding"], self.money(totals.rounding), False))
        if settled:
            label = t["credit_due"] if self.doc.is_credit_note else t["due"]
            rows.append((label, self.money(totals.due), True))
        return rows

    def payment(self) -> dict[str, Any]:
        doc = self.doc
        if doc.is_credit_note:
            # The customer pays nothing: the amount is credited to them.
            return {"credited": self.t["credited"], "terms": "", "due_date": "",
                    "reference": "", "means": []}
        means = []
        for item in doc.payment_means:
            means.append({
                "iban": _formatted_iban(item.iban),
                "bic": item.bic,
                "account_name": item.account_name,
                "information": item.information,
            })
        return {
            "credited": "",
            "terms": doc.payment_terms,
            "due_date": self.day(doc.due_date),
            "reference": doc.payment_reference,
            "means": means,
        }

    def legal(self) -> list[str]:
        legal = self.doc.legal
        mentions = [in_language(text, self.language)
                    for text in (legal.late_penalty, legal.early_payment_discount) if text]
        if legal.recovery_indemnity:
            mentions.append(self.t["recovery_indemnity"])
        return mentions


def _formatted_iban(text: str) -> str:
    try:
        return IBAN(text).formatted
    except SchwiftyException:
        return text


def _initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"
