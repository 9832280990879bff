"""Writing a UN/CEFACT CII invoice, EN 16931 profile (the XML of Factur-X EN 16931).

Elements follow the order of the Factur-X 1.0 EN 16931 schema, which `factur-x` checks.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from invoicer.invoicing.totals import VatBreakdown

from .cii_reader import CII_PREFIXES
from .model import DocumentAllowanceCharge, InvoiceDocument, LineAllowanceCharge, Party
from .prepared import Prepared, PreparedLine, check_precision, prepare
from .xmlbuild import AmountWriter, Builder, compact_date, plain, serialize

__all__ = ["EN16931_GUIDELINE", "to_cii"]

EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"

_B = Builder(CII_PREFIXES)
_NO_RATE = frozenset({"O"})  # BR-O-05: "not subject to VAT" carries no rate


def to_cii(doc: InvoiceDocument) -> bytes:
    """The invoice as CII XML, totals computed by the calculator.

    Raises ExportLimitError for an amount EN 16931 cannot carry (more than two decimals).
    """
    prepared = prepare(doc)
    check_precision(prepared, "CII")
    return serialize(_Writer(prepared).document())


class _Writer:
    def __init__(self, prepared: Prepared) -> None:
        self.p = prepared
        self.doc = prepared.doc
        self.amount = AmountWriter("CII", self.doc.currency)

    def document(self) -> etree._Element:
        root = _B.root("rsm:CrossIndustryInvoice")
        context = _B.sub(root, "rsm:ExchangedDocumentContext")
        guideline = _B.sub(context, "ram:GuidelineSpecifiedDocumentContextParameter")
        _B.sub(guideline, "ram:ID", EN16931_GUIDELINE)
        self.header(_B.sub(root, "rsm:ExchangedDocument"))
        trade = _B.sub(root, "rsm:SupplyChainTradeTransaction")
        for line in self.p.lines:
            self.line(_B.sub(trade, "ram:IncludedSupplyChainTradeLineItem"), line)
        self.agreement(_B.sub(trade, "ram:ApplicableHeaderTradeAgreement"))
        self.delivery(_B.sub(trade, "ram:ApplicableHeaderTradeDelivery"))
        self.settlement(_B.sub(trade, "ram:ApplicableHeaderTradeSettlement"))
        return root

    def header(self, header: etree._Element) -> None:
        doc = self.doc
        _B.sub(header, "ram:ID", doc.number)
        _B.sub(header, "ram:TypeCode", doc.type_code)
        _date(header, "ram:IssueDateTime", doc.issue_date, "udt")
        for note in self._notes():
            _B.sub(_B.sub(header, "ram:IncludedNote"), "ram:Content", note)

    def _notes(self) -> list[str]:
        notes = list(self.doc.notes)
        legal = self.doc.legal
        # French mentions travel as notes too, so that the XML alone is a complete invoice.
        notes += [text for text in (legal.late_penalty, legal.early_payment_discount) if text]
        return notes

    # -- lines -------------------------------------------------------------------------------

    def line(self, item: etree._Element, prepared: PreparedLine) -> None:
        line = prepared.line
        document = _B.sub(item, "ram:AssociatedDocumentLineDocument")
        _B.sub(document, "ram:LineID", line.id)
        if line.note:
            _B.sub(_B.sub(document, "ram:IncludedNote"), "ram:Content", line.note)
        product = _B.sub(item, "ram:SpecifiedTradeProduct")
        _B.optional(product, "ram:SellerAssignedID", line.seller_item_id)
        _B.sub(product, "ram:Name", line.description)
        _B.optional(product, "ram:Description", line.item_description)

        agreement = _B.sub(item, "ram:SpecifiedLineTradeAgreement")
        base = plain(line.price_base_quantity) if line.price_base_quantity != 1 else ""
        price, gross_price = prepared.unit_price, prepared.gross_price
        if gross_price is not None and gross_price >= price:
            gross = _B.sub(agreement, "ram:GrossPriceProductTradePrice")
            _B.sub(gross, "ram:ChargeAmount", plain(gross_price))
            if base:
                _B.sub(gross, "ram:BasisQuantity", base, unitCode=line.unit_code)
            if gross_price > price:
                discount = _B.sub(gross, "ram:AppliedTradeAllowanceCharge")
                _indicator(discount, False)
                _B.sub(discount, "ram:ActualAmount", plain(gross_price - price))
        net = _B.sub(agreement, "ram:NetPriceProductTradePrice")
        _B.sub(net, "ram:ChargeAmount", plain(price))
        if base:
            _B.sub(net, "ram:BasisQuantity", base, unitCode=line.unit_code)

        delivery = _B.sub(item, "ram:SpecifiedLineTradeDelivery")
        _B.sub(delivery, "ram:BilledQuantity", plain(prepared.quantity), unitCode=line.unit_code)

        settlement = _B.sub(item, "ram:SpecifiedLineTradeSettlement")
        _tax(settlement, "ram:ApplicableTradeTax", line.vat_category, line.vat_rate)
        _period(settlement, line.period_start, line.period_end)
        for number, allowance in enumerate(prepared.allowances, start=1):
            self.allowance(settlement, allowance, f"line {line.id} allowance/charge {number}")
        summation = _B.sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _B.sub(
            summation, "ram:LineTotalAmount",
            self.amount(prepared.net, f"line {line.id} net amount (BT-131)"),
        )

    def allowance(
        self, parent: etree._Element, item: LineAllowanceCharge | DocumentAllowanceCharge,
        where: str,
    ) -> None:
        node = _B.sub(parent, "ram:SpecifiedTradeAllowanceCharge")
        _indicator(node, item.is_charge)
        if item.percent is not None:
            _B.sub(node, "ram:CalculationPercent", plain(item.percent))
        if item.base_amount is not None:
            _B.sub(node, "ram:BasisAmount", self.amount(item.base_amount, f"{where} base"))
        _B.sub(node, "ram:ActualAmount", self.amount(item.amount, f"{where} amount"))
        _B.optional(node, "ram:ReasonCode", item.reason_code)
        _B.optional(node, "ram:Reason", item.reason)
        if isinstance(item, DocumentAllowanceCharge):
            _tax(node, "ram:CategoryTradeTax", item.vat_category, item.vat_rate)

    # -- header ------------------------------------------------------------------------------

    def agreement(self, agreement: etree._Element) -> None:
        doc = self.doc
        _B.optional(agreement, "ram:BuyerReference", doc.buyer_reference)
        _party(_B.sub(agreement, "ram:SellerTradeParty"), self.p.seller, doc.legal.additional)
        _party(_B.sub(agreement, "ram:BuyerTradeParty"), self.p.buyer, "")
        if doc.order_reference:
            order = _B.sub(agreement, "ram:BuyerOrderReferencedDocument")
            _B.sub(order, "ram:IssuerAssignedID", doc.order_reference)

    def delivery(self, delivery: etree._Element) -> None:
        if self.doc.deliver_to_country:
            ship_to = _B.sub(delivery, "ram:ShipToTradeParty")
            address = _B.sub(ship_to, "ram:PostalTradeAddress")
            _B.sub(address, "ram:CountryID", self.doc.deliver_to_country)
        if self.doc.delivery_date is not None:
            event = _B.sub(delivery, "ram:ActualDeliverySupplyChainEvent")
            _date(event, "ram:OccurrenceDateTime", self.doc.delivery_date, "udt")

    def settlement(self, settlement: etree._Element) -> None:
        doc = self.doc
        _B.optional(settlement, "ram:PaymentReference", doc.payment_reference)
        tax_currency = doc.tax_currency if doc.tax_currency_vat is not None else ""
        if tax_currency and tax_currency != doc.currency:
            _B.sub(settlement, "ram:TaxCurrencyCode", tax_currency)
        _B.sub(settlement, "ram:InvoiceCurrencyCode", doc.currency)
        for means in doc.payment_means:
            node = _B.sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
            _B.sub(node, "ram:TypeCode", means.code)
            _B.optional(node, "ram:Information", means.information)
            if means.iban:
                account = _B.sub(node, "ram:PayeePartyCreditorFinancialAccount")
                _B.sub(account, "ram:IBANID", means.iban.replace(" ", ""))
                _B.optional(account, "ram:AccountName", means.account_name)
            if means.bic:
                bank = _B.sub(node, "ram:PayeeSpecifiedCreditorFinancialInstitution")
                _B.sub(bank, "ram:BICID", means.bic)
        for vat in self.p.vat:
            row = vat.row
            node = _B.sub(settlement, "ram:ApplicableTradeTax")
            amount = self.amount(row.amount, _vat_field(row, "BT-117"))
            _B.sub(node, "ram:CalculatedAmount", amount)
            _B.sub(node, "ram:TypeCode", "VAT")
            _B.optional(node, "ram:ExemptionReason", vat.reason)
            _B.sub(node, "ram:BasisAmount", self.amount(row.base, _vat_field(row, "BT-116")))
            _B.sub(node, "ram:CategoryCode", row.category)
            _B.optional(node, "ram:ExemptionReasonCode", vat.code)
            if row.category not in _NO_RATE:
                _B.sub(node, "ram:RateApplicablePercent", plain(row.rate))
        _period(settlement, doc.period_start, doc.period_end)
        for number, item in enumerate(doc.allowances, start=1):
            self.allowance(settlement, item, f"document allowance/charge {number}")
        if doc.payment_terms or doc.due_date:
            terms = _B.sub(settlement, "ram:SpecifiedTradePaymentTerms")
            _B.optional(terms, "ram:Description", doc.payment_terms)
            if doc.due_date is not None:
                _date(terms, "ram:DueDateDateTime", doc.due_date, "udt")
        self.summation(_B.sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation"))
        if doc.preceding_invoice:
            reference = _B.sub(settlement, "ram:InvoiceReferencedDocument")
            _B.sub(reference, "ram:IssuerAssignedID", doc.preceding_invoice)
            if doc.preceding_invoice_date is not None:
                _date(reference, "ram:FormattedIssueDateTime", doc.preceding_invoice_date, "qdt")

    def summation(self, node: etree._Element) -> None:
        totals, amount, doc = self.p.totals, self.amount, self.doc
        _B.sub(node, "ram:LineTotalAmount", amount(totals.net, "sum of line net amounts (BT-106)"))
        if self.p.document_charges:
            _B.sub(node, "ram:ChargeTotalAmount", amount(totals.charge_total, "charges (BT-108)"))
        if self.p.document_allowances:
            _B.sub(
                node, "ram:AllowanceTotalAmount",
                amount(totals.allowance_total, "allowances (BT-107)"),
            )
        _B.sub(node, "ram:TaxBasisTotalAmount", amount(totals.tax_basis, "total net (BT-109)"))
        _B.sub(
            node, "ram:TaxTotalAmount", amount(totals.vat, "total VAT (BT-110)"),
            currencyID=doc.currency,
        )
        if doc.tax_currency_vat is not None and doc.tax_currency not in ("", doc.currency):
            _B.sub(
                node, "ram:TaxTotalAmount",
                AmountWriter("CII", doc.tax_currency)(doc.tax_currency_vat, "VAT (BT-111)"),
                currencyID=doc.tax_currency,
            )
        if totals.rounding:
            _B.sub(node, "ram:RoundingAmount", amount(totals.rounding, "rounding (BT-114)"))
        _B.sub(node, "ram:GrandTotalAmount", amount(totals.gross, "total with VAT (BT-112)"))
        if totals.prepaid:
            _B.sub(node, "ram:TotalPrepaidAmount", amount(totals.prepaid, "paid (BT-113)"))
        _B.sub(node, "ram:DuePayableAmount", amount(totals.due, "amount due (BT-115)"))


def _vat_field(row: VatBreakdown, term: str) -> str:
    return f"VAT {row.category} {plain(row.rate)} % ({term})"


def _date(parent: etree._Element, name: str, day: date, datatype: str) -> None:
    _B.sub(_B.sub(parent, name), f"{datatype}:DateTimeString", compact_date(day), format="102")


def _indicator(parent: etree._Element, is_charge: bool) -> None:
    indicator = _B.sub(parent, "ram:ChargeIndicator")
    _B.sub(indicator, "udt:Indicator", "true" if is_charge else "false")


def _tax(parent: etree._Element, name: str, category: str, rate: Decimal) -> None:
    tax = _B.sub(parent, name)
    _B.sub(tax, "ram:TypeCode", "VAT")
    _B.sub(tax, "ram:CategoryCode", category)
    if category not in _NO_RATE:
        _B.sub(tax, "ram:RateApplicablePercent", plain(rate))


def _period(parent: etree._Element, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    period = _B.sub(parent, "ram:BillingSpecifiedPeriod")
    if start is not None:
        _date(period, "ram:StartDateTime", start, "udt")
    if end is not None:
        _date(period, "ram:EndDateTime", end, "udt")


def _party(node: etree._Element, party: Party, legal_information: str) -> None:
    if party.identifier_scheme:
        _B.sub(node, "ram:GlobalID", party.identifier, schemeID=party.identifier_scheme)
    else:
        _B.optional(node, "ram:ID", party.identifier)
    _B.sub(node, "ram:Name", party.name)
    _B.optional(node, "ram:Description", legal_information)
    if party.legal_id or party.trading_name:
        legal = _B.sub(node, "ram:SpecifiedLegalOrganization")
        _B.optional(legal, "ram:ID", party.legal_id, schemeID=party.legal_id_scheme)
        _B.optional(legal, "ram:TradingBusinessName", party.trading_name)
    if party.email:
        contact = _B.sub(node, "ram:DefinedTradeContact")
        email = _B.sub(contact, "ram:EmailURIUniversalCommunication")
        _B.sub(email, "ram:URIID", party.email)
    address = _B.sub(node, "ram:PostalTradeAddress")
    _B.optional(address, "ram:PostcodeCode", party.postcode)
    lines = party.address_lines
    if len(lines) > 3:  # CII has three address lines; the rest joins the third
        lines = (*lines[:2], ", ".join(lines[2:]))
    for name, text in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), lines):
        _B.sub(address, name, text)
    _B.optional(address, "ram:CityName", party.city)
    _B.sub(address, "ram:CountryID", party.country)
    _B.optional(address, "ram:CountrySubDivisionName", party.subdivision)
    if party.endpoint:
        uri = _B.sub(node, "ram:URIUniversalCommunication")
        _B.sub(uri, "ram:URIID", party.endpoint, schemeID=party.endpoint_scheme)
    if party.vat_number:
        registration = _B.sub(node, "ram:SpecifiedTaxRegistration")
        _B.sub(registration, "ram:ID", party.vat_number, schemeID="VA")
