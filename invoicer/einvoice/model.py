"""An invoice as an e-invoice carries it: the semantic model of EN 16931, as far as we use it.

The model is syntax-neutral: `ubl_reader` and `cii_reader` fill it from a file, `ubl_writer`
and `cii_writer` write it out, the PDF prints it. Amounts are `Decimal` as the document states
them; the totals are never trusted from here but computed again by
`invoicer.invoicing.totals.compute_totals` (the `stated` totals are kept only to compare).

The business term numbers (BT-n, BG-n) are those of EN 16931-1, so that a reader can look a
field up in the standard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = [
    "CREDIT_NOTE",
    "DocumentAllowanceCharge",
    "Exemption",
    "INVOICE",
    "InvoiceDocument",
    "InvoiceLine",
    "LegalDetails",
    "LineAllowanceCharge",
    "Party",
    "PaymentMeans",
    "StatedTotals",
    "StatedVat",
]

INVOICE = "380"  # UNTDID 1001: commercial invoice
CREDIT_NOTE = "381"
# Other UNTDID 1001 codes that EN 16931 accepts as an invoice or as a credit note.
CREDIT_NOTE_CODES = frozenset({"81", "83", "381", "396", "532"})

ZERO = Decimal(0)


@dataclass(frozen=True)
class Party:
    """Seller (BG-4) or buyer (BG-7)."""

    name: str  # BT-27 / BT-44, the registered name
    address_lines: tuple[str, ...] = ()  # BT-35..37, BT-162 / BT-50..52, BT-163
    city: str = ""  # BT-37 / BT-52
    postcode: str = ""  # BT-38 / BT-53
    country: str = ""  # BT-40 / BT-55, ISO 3166-1 alpha-2
    subdivision: str = ""  # BT-39 / BT-54
    vat_number: str = ""  # BT-31 / BT-48, with its country prefix
    legal_id: str = ""  # BT-30 / BT-47: SIREN (9 digits) or SIRET (14) in France
    legal_id_scheme: str = ""  # ISO 6523 ICD: "0002" SIREN, "0009" SIRET
    trading_name: str = ""  # BT-28 / BT-45
    identifier: str = ""  # BT-29 / BT-46, e.g. a GLN or the seller's own customer number
    identifier_scheme: str = ""  # ISO 6523 ICD of the identifier, "" when none
    email: str = ""  # BT-43 / BT-58, the contact's e-mail
    endpoint: str = ""  # BT-34 / BT-49, the electronic address
    endpoint_scheme: str = ""  # its scheme (CEF EAS code list), "EM" for an e-mail

    @property
    def has_address(self) -> bool:
        return bool(self.address_lines and self.city and self.postcode and self.country)


@dataclass(frozen=True)
class LineAllowanceCharge:
    """An allowance (BG-27) or charge (BG-28) on one line. It takes the line's VAT."""

    amount: Decimal  # BT-136 / BT-141, positive
    is_charge: bool = False
    reason: str = ""  # BT-139 / BT-144
    reason_code: str = ""  # BT-140 / BT-145 (UNTDID 5189 allowances, 7161 charges)
    percent: Decimal | None = None  # BT-138 / BT-143
    base_amount: Decimal | None = None  # BT-137 / BT-142


@dataclass(frozen=True)
class InvoiceLine:
    """One line (BG-25)."""

    id: str  # BT-126
    description: str  # BT-153, the item name
    quantity: Decimal  # BT-129
    unit_price: Decimal  # BT-146, the net price, after any price discount
    vat_category: str = "S"  # BT-151 (UNTDID 5305)
    vat_rate: Decimal = ZERO  # BT-152, percent
    unit_code: str = "C62"  # BT-130 (UN/ECE rec. 20; C62 = one, H87 = piece)
    price_base_quantity: Decimal = Decimal(1)  # BT-149
    gross_price: Decimal | None = None  # BT-148, before the price discount (BT-147)
    discount: Decimal = ZERO  # percent of the price, as a draft line states it
    exemption_reason: str | None = None
    allowances: tuple[LineAllowanceCharge, ...] = ()  # allowances and charges
    stated_net: Decimal | None = None  # BT-131 as read from a file, to compare only
    note: str = ""  # BT-127
    item_description: str = ""  # BT-154
    seller_item_id: str = ""  # BT-155
    period_start: date | None = None  # BT-134
    period_end: date | None = None  # BT-135


@dataclass(frozen=True)
class DocumentAllowanceCharge:
    """A document-level allowance (BG-20) or charge (BG-21) with the VAT it falls under."""

    amount: Decimal  # BT-92 / BT-99, positive
    vat_category: str  # BT-95 / BT-102
    vat_rate: Decimal = ZERO  # BT-96 / BT-103
    is_charge: bool = False
    reason: str = ""  # BT-97 / BT-104
    reason_code: str = ""  # BT-98 / BT-105
    percent: Decimal | None = None  # BT-94 / BT-101
    base_amount: Decimal | None = None  # BT-93 / BT-100

    @classmethod
    def with_tax(cls, item: LineAllowanceCharge, vat_category: str, vat_rate: Decimal
                 ) -> DocumentAllowanceCharge:
        """The same allowance or charge at the document level, under the given VAT."""
        return cls(
            amount=item.amount, vat_category=vat_category, vat_rate=vat_rate,
            is_charge=item.is_charge, reason=item.reason, reason_code=item.reason_code,
            percent=item.percent, base_amount=item.base_amount,
        )


@dataclass(frozen=True)
class Exemption:
    """Why a VAT category carries no VAT (BT-120, BT-121), printed on the invoice."""

    category: str
    reason: str = ""
    code: str = ""  # VATEX code list, e.g. "vatex-eu-ic"


@dataclass(frozen=True)
class PaymentMeans:
    """How to pay (BG-16). Code 30/58 = credit transfer / SEPA credit transfer."""

    code: str  # BT-81 (UNTDID 4461)
    iban: str = ""  # BT-84, the payee's account (an IBAN for a credit transfer)
    bic: str = ""  # BT-86
    account_name: str = ""  # BT-85
    information: str = ""  # BT-82

    @property
    def is_credit_transfer(self) -> bool:
        return self.code in {"30", "58"}


@dataclass(frozen=True)
class StatedVat:
    """A VAT breakdown row (BG-23) as a file states it."""

    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    exemption_reason: str = ""
    exemption_code: str = ""


@dataclass(frozen=True)
class StatedTotals:
    """The totals (BG-22) as a file states them: for comparison, never for output."""

    net: Decimal | None = None  # BT-106
    allowance_total: Decimal | None = None  # BT-107
    charge_total: Decimal | None = None  # BT-108
    tax_basis: Decimal | None = None  # BT-109
    vat: Decimal | None = None  # BT-110
    gross: Decimal | None = None  # BT-112
    prepaid: Decimal | None = None  # BT-113
    rounding: Decimal | None = None  # BT-114
    due: Decimal | None = None  # BT-115
    vat_breakdown: tuple[StatedVat, ...] = ()


@dataclass(frozen=True)
class LegalDetails:
    """What French law makes the seller print (Code de commerce L441-10, CGI 242 nonies A)."""

    late_penalty: str = ""  # the late payment penalty rate, as a sentence
    recovery_indemnity: bool = False  # print the 40 EUR fixed indemnity (business buyers)
    additional: str = ""  # BT-33: legal form, share capital, registry ("SAS au capital...")
    early_payment_discount: str = ""  # "Pas d'escompte pour paiement anticipé"


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice or credit note (EN 16931 BG-0)."""

    type_code: str  # BT-3: "380" invoice, "381" credit note
    number: str  # BT-1
    issue_date: date  # BT-2
    currency: str  # BT-5
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...] = ()
    allowances: tuple[DocumentAllowanceCharge, ...] = ()  # allowances and charges
    due_date: date | None = None  # BT-9
    delivery_date: date | None = None  # BT-72, the date of supply
    deliver_to_country: str = ""  # BT-80, where goods go (required for an EU supply, BR-IC-12)
    period_start: date | None = None  # BT-73
    period_end: date | None = None  # BT-74
    buyer_reference: str = ""  # BT-10
    order_reference: str = ""  # BT-13
    notes: tuple[str, ...] = ()  # BT-22
    payment_terms: str = ""  # BT-20
    payment_means: tuple[PaymentMeans, ...] = ()
    payment_reference: str = ""  # BT-83, the remittance information
    prepaid: Decimal = ZERO  # BT-113
    rounding: Decimal = ZERO  # BT-114
    exemptions: tuple[Exemption, ...] = ()
    preceding_invoice: str = ""  # BT-25, the invoice a credit note corrects
    preceding_invoice_date: date | None = None  # BT-26
    tax_currency: str = ""  # BT-6, when VAT is accounted in another currency
    tax_currency_vat: Decimal | None = None  # BT-111, the VAT total in that currency
    legal: LegalDetails = field(default_factory=LegalDetails)
    stated: StatedTotals | None = None
    # What the importer had to interpret, in words, for the person who checks the draft.
    warnings: tuple[str, ...] = ()

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_CODES

    def exemption_for(self, category: str) -> Exemption | None:
        return next((item for item in self.exemptions if item.category == category), None)
