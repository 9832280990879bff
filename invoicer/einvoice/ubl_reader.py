"""Reading an OASIS UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0, EN 16931)."""

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

__all__ = ["CAC", "CBC", "CREDIT_NOTE_NS", "INVOICE_NS", "read_ubl"]

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def read_ubl(root: etree._Element) -> InvoiceDocument:
    credit = etree.QName(root).localname == "CreditNote"
    doc = Node(root, {"": CREDIT_NOTE_NS if credit else INVOICE_NS, "cac": CAC, "cbc": CBC})
    kind = "CreditNote" if credit else "Invoice"
    currency = read_currency(doc.required("cbc:DocumentCurrencyCode"))
    taxes = _tax_totals(doc, currency)
    means = doc.findall("cac:PaymentMeans")
    return InvoiceDocument(
        type_code=doc.required_text(f"cbc:{kind}TypeCode"),
        number=doc.required_text("cbc:ID"),
        issue_date=_required_date(doc, "cbc:IssueDate"),
        currency=currency,
        seller=_party(doc.required("cac:AccountingSupplierParty")),
        buyer=_party(doc.required("cac:AccountingCustomerParty")),
        lines=tuple(_line(node, credit) for node in _lines(doc, kind)),
        allowances=tuple(_allowance(node) for node in doc.findall("cac:AllowanceCharge")),
        due_date=doc.iso_date("cbc:DueDate") or _means_due_date(means),
        delivery_date=doc.iso_date("cac:Delivery/cbc:ActualDeliveryDate"),
        deliver_to_country=doc.text(
            "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode"
        ),
        period_start=doc.iso_date("cac:InvoicePeriod/cbc:StartDate"),
        period_end=doc.iso_date("cac:InvoicePeriod/cbc:EndDate"),
        buyer_reference=doc.text("cbc:BuyerReference"),
        order_reference=doc.text("cac:OrderReference/cbc:ID"),
        notes=tuple(doc.texts("cbc:Note")),
        payment_terms="\n".join(doc.texts("cac:PaymentTerms/cbc:Note")),
        payment_means=tuple(_payment_means(node) for node in means),
        payment_reference=next((text for n in means if (text := n.text("cbc:PaymentID"))), ""),
        prepaid=doc.decimal("cac:LegalMonetaryTotal/cbc:PrepaidAmount") or Decimal(0),
        rounding=doc.decimal("cac:LegalMonetaryTotal/cbc:PayableRoundingAmount") or Decimal(0),
        exemptions=tuple(taxes.exemptions),
        preceding_invoice=doc.text("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        preceding_invoice_date=doc.iso_date(
            "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate"
        ),
        tax_currency=doc.text("cbc:TaxCurrencyCode"),
        tax_currency_vat=taxes.tax_currency_vat,
        stated=_stated_totals(doc, taxes),
    )


def _required_date(node: Node, path: str) -> date:
    found = node.iso_date(path)
    if found is None:
        raise node.error("missing", path)
    return found


def _lines(doc: Node, kind: str) -> list[Node]:
    lines = doc.findall(f"cac:{kind}Line")
    if not lines:
        raise doc.error("missing (an invoice has at least one line)", f"cac:{kind}Line")
    return lines


def _means_due_date(means: list[Node]) -> date | None:
    # A UBL CreditNote has no DueDate element: Peppol puts it in PaymentMeans.
    for node in means:
        if (found := node.iso_date("cbc:PaymentDueDate")) is not None:
            return found
    return None


# -- parties ----------------------------------------------------------------------------------


def _party(role: Node) -> Party:
    party = role.required("cac:Party")
    name = party.text("cac:PartyLegalEntity/cbc:RegistrationName")
    trading_name = party.text("cac:PartyName/cbc:Name")
    if not name and not trading_name:
        raise party.error("missing", "cac:PartyLegalEntity/cbc:RegistrationName")
    address = party.find("cac:PostalAddress")
    legal = party.find("cac:PartyLegalEntity/cbc:CompanyID")
    endpoint = party.find("cbc:EndpointID")
    identifier = party.find("cac:PartyIdentification/cbc:ID")
    return Party(
        name=name or trading_name,
        address_lines=_address_lines(address) if address is not None else (),
        city=address.text("cbc:CityName") if address is not None else "",
        postcode=address.text("cbc:PostalZone") if address is not None else "",
        country=address.text("cac:Country/cbc:IdentificationCode") if address is not None else "",
        subdivision=address.text("cbc:CountrySubentity") if address is not None else "",
        vat_number=_vat_number(party),
        legal_id=legal.value if legal is not None else "",
        legal_id_scheme=legal.attribute("schemeID") if legal is not None else "",
        trading_name=trading_name if trading_name != name else "",
        identifier=identifier.value if identifier is not None else "",
        identifier_scheme=identifier.attribute("schemeID") if identifier is not None else "",
        email=party.text("cac:Contact/cbc:ElectronicMail"),
        endpoint=endpoint.value if endpoint is not None else "",
        endpoint_scheme=endpoint.attribute("schemeID") if endpoint is not None else "",
    )


def _address_lines(address: Node) -> tuple[str, ...]:
    lines = [address.text("cbc:StreetName"), address.text("cbc:AdditionalStreetName")]
    lines += address.texts("cac:AddressLine/cbc:Line")
    return tuple(line for line in lines if line)


def _vat_number(party: Node) -> str:
    for scheme in party.findall("cac:PartyTaxScheme"):
        if scheme.text("cac:TaxScheme/cbc:ID").upper() == "VAT":
            return scheme.text("cbc:CompanyID")
    return ""


# -- lines ------------------------------------------------------------------------------------


def _line(node: Node, credit: bool) -> InvoiceLine:
    quantity = node.required("cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity")
    item = node.required("cac:Item")
    category, rate = read_category(
        item.required("cac:ClassifiedTaxCategory"), "cbc:ID", "cbc:Percent"
    )
    price = node.required("cac:Price")
    unit_price = price.required_decimal("cbc:PriceAmount")
    return InvoiceLine(
        id=node.required_text("cbc:ID"),
        description=item.text("cbc:Name") or item.required_text("cbc:Name"),
        quantity=quantity.number(),
        unit_price=unit_price,
        vat_category=category,
        vat_rate=rate,
        unit_code=quantity.attribute("unitCode") or "C62",
        price_base_quantity=_base_quantity(price),
        gross_price=_gross_price(price, unit_price),
        allowances=tuple(_line_allowance(ac) for ac in node.findall("cac:AllowanceCharge")),
        stated_net=node.required_decimal("cbc:LineExtensionAmount"),
        note=node.text("cbc:Note"),
        item_description=item.text("cbc:Description"),
        seller_item_id=item.text("cac:SellersItemIdentification/cbc:ID"),
        period_start=node.iso_date("cac:InvoicePeriod/cbc:StartDate"),
        period_end=node.iso_date("cac:InvoicePeriod/cbc:EndDate"),
    )


def _base_quantity(price: Node) -> Decimal:
    node = price.find("cbc:BaseQuantity")
    if node is None:
        return Decimal(1)
    value = node.number()
    if value <= 0:
        raise node.error(f"«{node.value}» is not a positive base quantity")
    return value


def _gross_price(price: Node, net_price: Decimal) -> Decimal | None:
    discount = price.find("cac:AllowanceCharge")
    if discount is None:
        return None
    gross = discount.decimal("cbc:BaseAmount")
    if gross is not None:
        return gross
    amount = discount.decimal("cbc:Amount")
    return net_price + amount if amount is not None else None


def _line_allowance(node: Node) -> LineAllowanceCharge:
    return LineAllowanceCharge(
        amount=node.required_decimal("cbc:Amount"),
        is_charge=read_indicator(node.required("cbc:ChargeIndicator")),
        reason=node.text("cbc:AllowanceChargeReason"),
        reason_code=node.text("cbc:AllowanceChargeReasonCode"),
        percent=node.decimal("cbc:MultiplierFactorNumeric"),
        base_amount=node.decimal("cbc:BaseAmount"),
    )


def _allowance(node: Node) -> DocumentAllowanceCharge:
    category, rate = read_category(node.required("cac:TaxCategory"), "cbc:ID", "cbc:Percent")
    return DocumentAllowanceCharge.with_tax(_line_allowance(node), category, rate)


# -- payment ----------------------------------------------------------------------------------


def _payment_means(node: Node) -> PaymentMeans:
    code = node.required("cbc:PaymentMeansCode")
    account = node.find("cac:PayeeFinancialAccount")
    return PaymentMeans(
        code=code.value,
        iban=account.text("cbc:ID") if account is not None else "",
        bic=account.text("cac:FinancialInstitutionBranch/cbc:ID") if account is not None else "",
        account_name=account.text("cbc:Name") if account is not None else "",
        information=code.attribute("name"),
    )


# -- totals -----------------------------------------------------------------------------------


@dataclass
class _TaxTotals:
    vat: Decimal | None = None  # BT-110, in the document's currency
    rows: list[StatedVat] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    tax_currency_vat: Decimal | None = None  # BT-111


def _tax_totals(doc: Node, currency: str) -> _TaxTotals:
    found = _TaxTotals()
    for total in doc.findall("cac:TaxTotal"):
        amount = total.required("cbc:TaxAmount")
        if amount.attribute("currencyID") not in ("", currency):
            found.tax_currency_vat = amount.number()
            continue
        found.vat = amount.number()
        for sub in total.findall("cac:TaxSubtotal"):
            row = _stated_vat(sub)
            found.rows.append(row)
            if row.exemption_reason or row.exemption_code:
                found.exemptions.append(
                    Exemption(row.category, row.exemption_reason, row.exemption_code)
                )
    return found


def _stated_vat(sub: Node) -> StatedVat:
    tax = sub.required("cac:TaxCategory")
    category, rate = read_category(tax, "cbc:ID", "cbc:Percent")
    return StatedVat(
        category=category,
        rate=rate,
        base=sub.required_decimal("cbc:TaxableAmount"),
        amount=sub.required_decimal("cbc:TaxAmount"),
        exemption_reason=tax.text("cbc:TaxExemptionReason"),
        exemption_code=tax.text("cbc:TaxExemptionReasonCode"),
    )


def _stated_totals(doc: Node, taxes: _TaxTotals) -> StatedTotals:
    totals = doc.required("cac:LegalMonetaryTotal")
    return StatedTotals(
        net=totals.decimal("cbc:LineExtensionAmount"),
        allowance_total=totals.decimal("cbc:AllowanceTotalAmount"),
        charge_total=totals.decimal("cbc:ChargeTotalAmount"),
        tax_basis=totals.decimal("cbc:TaxExclusiveAmount"),
        vat=taxes.vat,
        gross=totals.decimal("cbc:TaxInclusiveAmount"),
        prepaid=totals.decimal("cbc:PrepaidAmount"),
        rounding=totals.decimal("cbc:PayableRoundingAmount"),
        due=totals.decimal("cbc:PayableAmount"),
        vat_breakdown=tuple(taxes.rows),
    )
