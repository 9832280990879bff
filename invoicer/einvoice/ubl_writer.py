"""Writing an OASIS UBL 2.1 Invoice or CreditNote, Peppol BIS Billing 3.0 (EN 16931).

Elements follow the order of the UBL 2.1 schemas.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from invoicer.invoicing.totals import VatBreakdown

from .model import DocumentAllowanceCharge, InvoiceDocument, LineAllowanceCharge, Party
from .prepared import Prepared, PreparedLine, check_precision, prepare
from .ubl_reader import CAC, CBC, CREDIT_NOTE_NS, INVOICE_NS
from .xmlbuild import AmountWriter, Builder, plain, serialize

__all__ = ["PEPPOL_CUSTOMIZATION", "PEPPOL_PROFILE", "to_ubl"]

PEPPOL_CUSTOMIZATION = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_NO_RATE = frozenset({"O"})  # BR-O-05: "not subject to VAT" carries no rate
_UNDEFINED_MEANS = "1"  # UNTDID 4461: instrument not defined


def to_ubl(doc: InvoiceDocument) -> bytes:
    """The invoice as UBL 2.1 XML (a CreditNote for a credit note), totals by the calculator.

    Raises ExportLimitError for an amount EN 16931 cannot carry (more than two decimals).
    """
    prepared = prepare(doc)
    check_precision(prepared, "UBL")
    return serialize(_Writer(prepared).document())


class _Writer:
    def __init__(self, prepared: Prepared) -> None:
        self.p = prepared
        self.doc = prepared.doc
        self.credit = self.doc.is_credit_note
        self.kind = "CreditNote" if self.credit else "Invoice"
        namespace = CREDIT_NOTE_NS if self.credit else INVOICE_NS
        self.b = Builder({"": namespace, "cac": CAC, "cbc": CBC})
        self.money = AmountWriter("UBL", self.doc.currency)

    def amount(
        self, parent: etree._Element, name: str, value: Decimal, field: str
    ) -> etree._Element:
        return self.b.sub(parent, name, self.money(value, field), currencyID=self.doc.currency)

    def document(self) -> etree._Element:
        b, doc = self.b, self.doc
        root = b.root(self.kind)
        b.sub(root, "cbc:CustomizationID", PEPPOL_CUSTOMIZATION)
        b.sub(root, "cbc:ProfileID", PEPPOL_PROFILE)
        b.sub(root, "cbc:ID", doc.number)
        b.sub(root, "cbc:IssueDate", doc.issue_date.isoformat())
        if doc.due_date is not None and not self.credit:
            b.sub(root, "cbc:DueDate", doc.due_date.isoformat())
        b.sub(root, f"cbc:{self.kind}TypeCode", doc.type_code)
        for note in self._notes():
            b.sub(root, "cbc:Note", note)
        b.sub(root, "cbc:DocumentCurrencyCode", doc.currency)
        if self._tax_currency():
            b.sub(root, "cbc:TaxCurrencyCode", doc.tax_currency)
        b.optional(root, "cbc:BuyerReference", doc.buyer_reference)
        self.period(root, doc.period_start, doc.period_end)
        if doc.order_reference:
            b.sub(b.sub(root, "cac:OrderReference"), "cbc:ID", doc.order_reference)
        if doc.preceding_invoice:
            reference = b.sub(b.sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
            b.sub(reference, "cbc:ID", doc.preceding_invoice)
            if doc.preceding_invoice_date is not None:
                b.sub(reference, "cbc:IssueDate", doc.preceding_invoice_date.isoformat())
        self.party(b.sub(root, "cac:AccountingSupplierParty"), self.p.seller,
                   doc.legal.additional)
        self.party(b.sub(root, "cac:AccountingCustomerParty"), self.p.buyer, "")
        if doc.delivery_date is not None or doc.deliver_to_country:
            delivery = b.sub(root, "cac:Delivery")
            if doc.delivery_date is not None:
                b.sub(delivery, "cbc:ActualDeliveryDate", doc.delivery_date.isoformat())
            if doc.deliver_to_country:
                location = b.sub(b.sub(delivery, "cac:DeliveryLocation"), "cac:Address")
                country = b.sub(location, "cac:Country")
                b.sub(country, "cbc:IdentificationCode", doc.deliver_to_country)
        self.payment(root)
        for number, item in enumerate(doc.allowances, start=1):
            self.allowance(root, item, f"document allowance/charge {number}")
        self.tax_totals(root)
        self.monetary_total(b.sub(root, "cac:LegalMonetaryTotal"))
        for line in self.p.lines:
            self.line(b.sub(root, f"cac:{self.kind}Line"), line)
        return root

    def _notes(self) -> list[str]:
        legal = self.doc.legal
        extra = [text for text in (legal.late_penalty, legal.early_payment_discount) if text]
        return list(self.doc.notes) + extra

    def _tax_currency(self) -> bool:
        doc = self.doc
        return bool(
            doc.tax_currency and doc.tax_currency != doc.currency
            and doc.tax_currency_vat is not None
        )

    def period(self, parent: etree._Element, start: date | None, end: date | None) -> None:
        if start is None and end is None:
            return
        period = self.b.sub(parent, "cac:InvoicePeriod")
        if start is not None:
            self.b.sub(period, "cbc:StartDate", start.isoformat())
        if end is not None:
            self.b.sub(period, "cbc:EndDate", end.isoformat())

    # -- parties -----------------------------------------------------------------------------

    def party(self, role: etree._Element, party: Party, legal_information: str) -> None:
        b = self.b
        node = b.sub(role, "cac:Party")
        b.optional(node, "cbc:EndpointID", party.endpoint, schemeID=party.endpoint_scheme)
        if party.identifier:
            identification = b.sub(node, "cac:PartyIdentification")
            b.sub(identification, "cbc:ID", party.identifier, schemeID=party.identifier_scheme)
        if party.trading_name:
            b.sub(b.sub(node, "cac:PartyName"), "cbc:Name", party.trading_name)
        address = b.sub(node, "cac:PostalAddress")
        lines = party.address_lines
        b.optional(address, "cbc:StreetName", lines[0] if lines else "")
        b.optional(address, "cbc:AdditionalStreetName", lines[1] if len(lines) > 1 else "")
        b.optional(address, "cbc:CityName", party.city)
        b.optional(address, "cbc:PostalZone", party.postcode)
        b.optional(address, "cbc:CountrySubentity", party.subdivision)
        if len(lines) > 2:
            b.sub(b.sub(address, "cac:AddressLine"), "cbc:Line", ", ".join(lines[2:]))
        b.sub(b.sub(address, "cac:Country"), "cbc:IdentificationCode", party.country)
        if party.vat_number:
            scheme = b.sub(node, "cac:PartyTaxScheme")
            b.sub(scheme, "cbc:CompanyID", party.vat_number)
            b.sub(b.sub(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
        legal = b.sub(node, "cac:PartyLegalEntity")
        b.sub(legal, "cbc:RegistrationName", party.name)
        b.optional(legal, "cbc:CompanyID", party.legal_id, schemeID=party.legal_id_scheme)
        b.optional(legal, "cbc:CompanyLegalForm", legal_information)
        if party.email:
            b.sub(b.sub(node, "cac:Contact"), "cbc:ElectronicMail", party.email)

    # -- payment -----------------------------------------------------------------------------

    def payment(self, root: etree._Element) -> None:
        b, doc = self.b, self.doc
        means_list = list(doc.payment_means)
        if self.credit and doc.due_date is not None and not means_list:
            # A UBL credit note carries its due date in a payment means (BT-9).
            means_list = [None]
        for means in means_list:
            node = b.sub(root, "cac:PaymentMeans")
            code = means.code if means else _UNDEFINED_MEANS
            b.sub(node, "cbc:PaymentMeansCode", code, name=means.information if means else "")
            if self.credit and doc.due_date is not None:
                b.sub(node, "cbc:PaymentDueDate", doc.due_date.isoformat())
            b.optional(node, "cbc:PaymentID", doc.payment_reference)
            if means and means.iban:
                account = b.sub(node, "cac:PayeeFinancialAccount")
                b.sub(account, "cbc:ID", means.iban.replace(" ", ""))
                b.optional(account, "cbc:Name", means.account_name)
                if means.bic:
                    branch = b.sub(account, "cac:FinancialInstitutionBranch")
                    b.sub(branch, "cbc:ID", means.bic)
        if doc.payment_terms:
            b.sub(b.sub(root, "cac:PaymentTerms"), "cbc:Note", doc.payment_terms)

    # -- allowances and taxes ----------------------------------------------------------------

    def allowance(
        self, parent: etree._Element, item: LineAllowanceCharge | DocumentAllowanceCharge,
        where: str,
    ) -> None:
        b = self.b
        node = b.sub(parent, "cac:AllowanceCharge")
        b.sub(node, "cbc:ChargeIndicator", "true" if item.is_charge else "false")
        b.optional(node, "cbc:AllowanceChargeReasonCode", item.reason_code)
        b.optional(node, "cbc:AllowanceChargeReason", item.reason)
        if item.percent is not None:
            b.sub(node, "cbc:MultiplierFactorNumeric", plain(item.percent))
        self.amount(node, "cbc:Amount", item.amount, f"{where} amount")
        if item.base_amount is not None:
            self.amount(node, "cbc:BaseAmount", item.base_amount, f"{where} base")
        if isinstance(item, DocumentAllowanceCharge):
            self.category(node, "cac:TaxCategory", item.vat_category, item.vat_rate)

    def category(
        self, parent: etree._Element, name: str, category: str, rate: Decimal,
        reason: str = "", code: str = "",
    ) -> None:
        b = self.b
        node = b.sub(parent, name)
        b.sub(node, "cbc:ID", category)
        if category not in _NO_RATE:
            b.sub(node, "cbc:Percent", plain(rate))
        b.optional(node, "cbc:TaxExemptionReasonCode", code)
        b.optional(node, "cbc:TaxExemptionReason", reason)
        b.sub(b.sub(node, "cac:TaxScheme"), "cbc:ID", "VAT")

    def tax_totals(self, root: etree._Element) -> None:
        b, doc = self.b, self.doc
        total = b.sub(root, "cac:TaxTotal")
        self.amount(total, "cbc:TaxAmount", self.p.totals.vat, "total VAT (BT-110)")
        for vat in self.p.vat:
            row = vat.row
            sub = b.sub(total, "cac:TaxSubtotal")
            self.amount(sub, "cbc:TaxableAmount", row.base, _vat_field(row, "BT-116"))
            self.amount(sub, "cbc:TaxAmount", row.amount, _vat_field(row, "BT-117"))
            self.category(sub, "cac:TaxCategory", row.category, row.rate, vat.reason, vat.code)
        if self._tax_currency() and doc.tax_currency_vat is not None:
            other = b.sub(root, "cac:TaxTotal")
            written = AmountWriter("UBL", doc.tax_currency)(doc.tax_currency_vat, "VAT (BT-111)")
            b.sub(other, "cbc:TaxAmount", written, currencyID=doc.tax_currency)

    def monetary_total(self, node: etree._Element) -> None:
        totals = self.p.totals
        self.amount(node, "cbc:LineExtensionAmount", totals.net, "sum of line nets (BT-106)")
        self.amount(node, "cbc:TaxExclusiveAmount", totals.tax_basis, "total net (BT-109)")
        self.amount(node, "cbc:TaxInclusiveAmount", totals.gross, "total with VAT (BT-112)")
        if self.p.document_allowances:
            self.amount(
                node, "cbc:AllowanceTotalAmount", totals.allowance_total, "allowances (BT-107)"
            )
        if self.p.document_charges:
            self.amount(node, "cbc:ChargeTotalAmount", totals.charge_total, "charges (BT-108)")
        if totals.prepaid:
            self.amount(node, "cbc:PrepaidAmount", totals.prepaid, "paid (BT-113)")
        if totals.rounding:
            self.amount(node, "cbc:PayableRoundingAmount", totals.rounding, "rounding (BT-114)")
        self.amount(node, "cbc:PayableAmount", totals.due, "amount due (BT-115)")

    # -- lines -------------------------------------------------------------------------------

    def line(self, node: etree._Element, prepared: PreparedLine) -> None:
        b, line = self.b, prepared.line
        b.sub(node, "cbc:ID", line.id)
        b.optional(node, "cbc:Note", line.note)
        quantity = "cbc:CreditedQuantity" if self.credit else "cbc:InvoicedQuantity"
        b.sub(node, quantity, plain(prepared.quantity), unitCode=line.unit_code)
        self.amount(
            node, "cbc:LineExtensionAmount", prepared.net, f"line {line.id} net amount (BT-131)"
        )
        self.period(node, line.period_start, line.period_end)
        for number, allowance in enumerate(prepared.allowances, start=1):
            self.allowance(node, allowance, f"line {line.id} allowance/charge {number}")
        item = b.sub(node, "cac:Item")
        b.optional(item, "cbc:Description", line.item_description)
        b.sub(item, "cbc:Name", line.description)
        if line.seller_item_id:
            b.sub(b.sub(item, "cac:SellersItemIdentification"), "cbc:ID", line.seller_item_id)
        self.category(item, "cac:ClassifiedTaxCategory", line.vat_category, line.vat_rate)
        price = b.sub(node, "cac:Price")
        currency = self.doc.currency
        b.sub(price, "cbc:PriceAmount", plain(prepared.unit_price), currencyID=currency)
        if line.price_base_quantity != 1:
            b.sub(
                price, "cbc:BaseQuantity", plain(line.price_base_quantity),
                unitCode=line.unit_code,
            )
        gross = prepared.gross_price
        if gross is not None and gross > prepared.unit_price:
            discount = b.sub(price, "cac:AllowanceCharge")
            b.sub(discount, "cbc:ChargeIndicator", "false")
            amount = plain(gross - prepared.unit_price)
            b.sub(discount, "cbc:Amount", amount, currencyID=currency)
            b.sub(discount, "cbc:BaseAmount", plain(gross), currencyID=currency)


def _vat_field(row: VatBreakdown, term: str) -> str:
    return f"VAT {row.category} {plain(row.rate)} % ({term})"
