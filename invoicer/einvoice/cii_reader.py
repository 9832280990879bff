"""Reading a UN/CEFACT Cross Industry Invoice (D16B, the XML of Factur-X and ZUGFeRD)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lxml import etree

from .model import (
    DocumentAllowanceCharge,
    Exemption,
    InvoiceDocument,
    InvoiceLine,
    LineAllowanceCharge,
    Party,
    PaymentMeans,
    StatedTotals,
    StatedVat,
)
from .codes import read_category, read_currency, read_indicator
from .xmlnode import Node

__all__ = ["CII_PREFIXES", "read_cii"]

CII_PREFIXES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
_DATE = "udt:DateTimeString"
_PERIOD_START = f"ram:BillingSpecifiedPeriod/ram:StartDateTime/{_DATE}"
_PERIOD_END = f"ram:BillingSpecifiedPeriod/ram:EndDateTime/{_DATE}"


def read_cii(root: etree._Element) -> InvoiceDocument:
    doc = Node(root, CII_PREFIXES)
    header = doc.required("rsm:ExchangedDocument")
    trade = doc.required("rsm:SupplyChainTradeTransaction")
    agreement = trade.required("ram:ApplicableHeaderTradeAgreement")
    delivery = trade.find("ram:ApplicableHeaderTradeDelivery")
    settlement = trade.required("ram:ApplicableHeaderTradeSettlement")
    currency = read_currency(settlement.required("ram:InvoiceCurrencyCode"))
    taxes = _tax_totals(settlement, currency)
    terms = settlement.find("ram:SpecifiedTradePaymentTerms")
    means = settlement.findall("ram:SpecifiedTradeSettlementPaymentMeans")
    summation = settlement.required("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    preceding = settlement.find("ram:InvoiceReferencedDocument")
    delivery_event = f"ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/{_DATE}"
    return InvoiceDocument(
        type_code=header.required_text("ram:TypeCode"),
        number=header.required_text("ram:ID"),
        issue_date=_required_date(header, f"ram:IssueDateTime/{_DATE}"),
        currency=currency,
        seller=_party(agreement.required("ram:SellerTradeParty")),
        buyer=_party(agreement.required("ram:BuyerTradeParty")),
        lines=tuple(_line(node) for node in _lines(trade)),
        allowances=tuple(
            _allowance(node) for node in settlement.findall("ram:SpecifiedTradeAllowanceCharge")
        ),
        due_date=_optional_date(terms, f"ram:DueDateDateTime/{_DATE}"),
        delivery_date=_optional_date(delivery, delivery_event),
        deliver_to_country=(
            delivery.text("ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID")
            if delivery is not None else ""
        ),
        period_start=settlement.compact_date(_PERIOD_START),
        period_end=settlement.compact_date(_PERIOD_END),
        buyer_reference=agreement.text("ram:BuyerReference"),
        order_reference=agreement.text("ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        notes=tuple(header.texts("ram:IncludedNote/ram:Content")),
        payment_terms=terms.text("ram:Description") if terms is not None else "",
        payment_means=tuple(_payment_means(node) for node in means),
        payment_reference=settlement.text("ram:PaymentReference"),
        prepaid=summation.decimal("ram:TotalPrepaidAmount") or Decimal(0),
        rounding=summation.decimal("ram:RoundingAmount") or Decimal(0),
        exemptions=tuple(taxes.exemptions),
        preceding_invoice=preceding.text("ram:IssuerAssignedID") if preceding is not None else "",
        preceding_invoice_date=_optional_date(
            preceding, "ram:FormattedIssueDateTime/qdt:DateTimeString"
        ),
        tax_currency=settlement.text("ram:TaxCurrencyCode"),
        tax_currency_vat=taxes.tax_currency_vat,
        stated=_stated_totals(summation, taxes, currency),
    )


def _required_date(node: Node, path: str) -> date:
    found = node.compact_date(path)
    if found is None:
        raise node.error("missing", path)
    return found


def _optional_date(node: Node | None, path: str) -> date | None:
    return node.compact_date(path) if node is not None else None


def _lines(trade: Node) -> list[Node]:
    lines = trade.findall("ram:IncludedSupplyChainTradeLineItem")
    if not lines:
        raise trade.error(
            "missing (an invoice has at least one line)", "ram:IncludedSupplyChainTradeLineItem"
        )
    return lines


# -- parties ----------------------------------------------------------------------------------


def _party(party: Node) -> Party:
    legal = party.find("ram:SpecifiedLegalOrganization")
    legal_id = legal.find("ram:ID") if legal is not None else None
    address = party.find("ram:PostalTradeAddress")
    endpoint = party.find("ram:URIUniversalCommunication/ram:URIID")
    identifier = party.find("ram:ID")
    if identifier is None:
        identifier = party.find("ram:GlobalID")
    return Party(
        name=party.required_text("ram:Name"),
        address_lines=_address_lines(address) if address is not None else (),
        city=address.text("ram:CityName") if address is not None else "",
        postcode=address.text("ram:PostcodeCode") if address is not None else "",
        country=address.text("ram:CountryID") if address is not None else "",
        subdivision=address.text("ram:CountrySubDivisionName") if address is not None else "",
        vat_number=_tax_registration(party, "VA"),
        legal_id=legal_id.value if legal_id is not None else "",
        legal_id_scheme=legal_id.attribute("schemeID") if legal_id is not None else "",
        trading_name=legal.text("ram:TradingBusinessName") if legal is not None else "",
        identifier=identifier.value if identifier is not None else "",
        identifier_scheme=identifier.attribute("schemeID") if identifier is not None else "",
        email=party.text("ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
        endpoint=endpoint.value if endpoint is not None else "",
        endpoint_scheme=endpoint.attribute("schemeID") if endpoint is not None else "",
    )


def _address_lines(address: Node) -> tuple[str, ...]:
    lines = [address.text(f"ram:Line{n}") for n in ("One", "Two", "Three")]
    return tuple(line for line in lines if line)


def _tax_registration(party: Node, scheme: str) -> str:
    for node in party.findall("ram:SpecifiedTaxRegistration/ram:ID"):
        if node.attribute("schemeID") == scheme:
            return node.value
    return ""


# -- lines ------------------------------------------------------------------------------------


def _line(node: Node) -> InvoiceLine:
    document = node.required("ram:AssociatedDocumentLineDocument")
    product = node.required("ram:SpecifiedTradeProduct")
    agreement = node.required("ram:SpecifiedLineTradeAgreement")
    net_price = agreement.required("ram:NetPriceProductTradePrice")
    quantity = node.required("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
    settlement = node.required("ram:SpecifiedLineTradeSettlement")
    category, rate = read_category(
        settlement.required("ram:ApplicableTradeTax"), "ram:CategoryCode",
        "ram:RateApplicablePercent",
    )
    return InvoiceLine(
        id=document.required_text("ram:LineID"),
        description=product.required_text("ram:Name"),
        quantity=quantity.number(),
        unit_price=net_price.required_decimal("ram:ChargeAmount"),
        vat_category=category,
        vat_rate=rate,
        unit_code=quantity.attribute("unitCode") or "C62",
        price_base_quantity=_base_quantity(net_price),
        gross_price=_gross_price(agreement, net_price),
        allowances=tuple(
            _line_allowance(ac) for ac in settlement.findall("ram:SpecifiedTradeAllowanceCharge")
        ),
        stated_net=settlement.required_decimal(
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
        ),
        note=document.text("ram:IncludedNote/ram:Content"),
        item_description=product.text("ram:Description"),
        seller_item_id=product.text("ram:SellerAssignedID"),
        period_start=settlement.compact_date(_PERIOD_START),
        period_end=settlement.compact_date(_PERIOD_END),
    )


def _base_quantity(price: Node) -> Decimal:
    node = price.find("ram:BasisQuantity")
    if node is None:
        return Decimal(1)
    value = node.number()
    if value <= 0:
        raise node.error(f"«{node.value}» is not a positive base quantity")
    return value


def _gross_price(agreement: Node, net_price: Node) -> Decimal | None:
    gross = agreement.find("ram:GrossPriceProductTradePrice")
    if gross is None:
        return None
    # Only comparable with the net price when both are per the same quantity.
    if _base_quantity(gross) != _base_quantity(net_price):
        return None
    return gross.required_decimal("ram:ChargeAmount")


def _line_allowance(node: Node) -> LineAllowanceCharge:
    return LineAllowanceCharge(
        amount=node.required_decimal("ram:ActualAmount"),
        is_charge=read_indicator(node.required("ram:ChargeIndicator/udt:Indicator")),
        reason=node.text("ram:Reason"),
        reason_code=node.text("ram:ReasonCode"),
        percent=node.decimal("ram:CalculationPercent"),
        base_amount=node.decimal("ram:BasisAmount"),
    )


def _allowance(node: Node) -> DocumentAllowanceCharge:
    category, rate = read_category(
        node.required("ram:CategoryTradeTax"), "ram:CategoryCode", "ram:RateApplicablePercent"
    )
    return DocumentAllowanceCharge.with_tax(_line_allowance(node), category, rate)


# -- payment ----------------------------------------------------------------------------------


def _payment_means(node: Node) -> PaymentMeans:
    account = node.find("ram:PayeePartyCreditorFinancialAccount")
    iban = ""
    if account is not None:
        iban = account.text("ram:IBANID") or account.text("ram:ProprietaryID")
    return PaymentMeans(
        code=node.required_text("ram:TypeCode"),
        iban=iban,
        bic=node.text("ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        account_name=account.text("ram:AccountName") if account is not None else "",
        information=node.text("ram:Information"),
    )


# -- totals -----------------------------------------------------------------------------------


@dataclass
class _TaxTotals:
    rows: list[StatedVat] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    tax_currency_vat: Decimal | None = None  # BT-111


def _tax_totals(settlement: Node, currency: str) -> _TaxTotals:
    found = _TaxTotals()
    for tax in settlement.findall("ram:ApplicableTradeTax"):
        category, rate = read_category(tax, "ram:CategoryCode", "ram:RateApplicablePercent")
        row = StatedVat(
            category=category,
            rate=rate,
            base=tax.required_decimal("ram:BasisAmount"),
            amount=tax.required_decimal("ram:CalculatedAmount"),
            exemption_reason=tax.text("ram:ExemptionReason"),
            exemption_code=tax.text("ram:ExemptionReasonCode"),
        )
        found.rows.append(row)
        if row.exemption_reason or row.exemption_code:
            found.exemptions.append(Exemption(category, row.exemption_reason, row.exemption_code))
    summation = settlement.required("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    for amount in summation.findall("ram:TaxTotalAmount"):
        if amount.attribute("currencyID") not in ("", currency):
            found.tax_currency_vat = amount.number()
    return found


def _vat_total(summation: Node, currency: str) -> Decimal | None:
    for amount in summation.findall("ram:TaxTotalAmount"):
        if amount.attribute("currencyID") in ("", currency):
            return amount.number()
    return None


def _stated_totals(summation: Node, taxes: _TaxTotals, currency: str) -> StatedTotals:
    return StatedTotals(
        net=summation.decimal("ram:LineTotalAmount"),
        allowance_total=summation.decimal("ram:AllowanceTotalAmount"),
        charge_total=summation.decimal("ram:ChargeTotalAmount"),
        tax_basis=summation.decimal("ram:TaxBasisTotalAmount"),
        vat=_vat_total(summation, currency),
        gross=summation.decimal("ram:GrandTotalAmount"),
        prepaid=summation.decimal("ram:TotalPrepaidAmount"),
        rounding=summation.decimal("ram:RoundingAmount"),
        due=summation.decimal("ram:DuePayableAmount"),
        vat_breakdown=tuple(taxes.rows),
    )
