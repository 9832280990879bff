"""A file that cannot be read says what is wrong and where, and nothing is returned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from invoicer.einvoice import InvoiceFormatError, read_invoice

from .builders import DATA

UBL = DATA / "ubl" / "ubl-tc434-example1.xml"
CII = DATA / "cii" / "CII_example1.xml"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}


def _edited(path: Path, change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(path.read_bytes())
    change(root)
    return etree.tostring(root)


def _set(xpath: str, text: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        root.xpath(xpath, namespaces=NS)[0].text = text
    return change


def _remove(xpath: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        node = root.xpath(xpath, namespaces=NS)[0]
        node.getparent().remove(node)
    return change


def _error(data: bytes) -> str:
    with pytest.raises(InvoiceFormatError) as caught:
        read_invoice(data)
    return str(caught.value)


def test_a_quantity_that_is_not_a_number_is_named_by_its_path() -> None:
    data = _edited(UBL, _set("cac:InvoiceLine[2]/cbc:InvoicedQuantity", "x"))
    assert _error(data) == "/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity: «x» is not a number"


def test_a_cii_amount_that_is_not_a_number_is_named_by_its_path() -> None:
    line = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[3]"
    amount = (
        "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
        "ram:LineTotalAmount"
    )
    data = _edited(CII, _set(f"{line}/{amount}", "12,5,0"))
    assert _error(data) == (
        f"/rsm:CrossIndustryInvoice/{line}/{amount}: «12,5,0» is not a number"
    )


def test_a_missing_required_element_is_named() -> None:
    assert _error(_edited(UBL, _remove("cbc:ID"))) == "/Invoice/cbc:ID: missing"


def test_a_line_without_price_is_named() -> None:
    data = _edited(UBL, _remove("cac:InvoiceLine[5]/cac:Price"))
    assert _error(data) == "/Invoice/cac:InvoiceLine[5]/cac:Price: missing"


def test_an_impossible_date_is_refused() -> None:
    data = _edited(UBL, _set("cbc:IssueDate", "2015-13-45"))
    assert _error(data) == "/Invoice/cbc:IssueDate: «2015-13-45» is not a date (YYYY-MM-DD)"


def test_an_unknown_currency_is_refused() -> None:
    data = _edited(UBL, _set("cbc:DocumentCurrencyCode", "EURO"))
    assert _error(data) == (
        "/Invoice/cbc:DocumentCurrencyCode: «EURO» is not an ISO 4217 currency code"
    )


def test_an_unknown_vat_category_is_refused() -> None:
    data = _edited(UBL, _set("cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory/cbc:ID", "X"))
    assert _error(data) == (
        "/Invoice/cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory/cbc:ID: "
        "«X» is not a VAT category of EN 16931"
    )


def test_a_rate_on_a_category_without_vat_is_refused() -> None:
    path = "cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory/cbc:ID"
    data = _edited(UBL, _set(path, "E"))
    assert _error(data).endswith("cbc:Percent: category E has no VAT, its rate cannot be 6 %")


def test_a_file_that_is_not_xml_says_where_it_breaks() -> None:
    message = _error(b"<Invoice>\n  <cbc:ID>1</Invoice")
    assert message.startswith("not well-formed XML at line 2, column")


def test_an_empty_file_is_refused() -> None:
    assert _error(b"  \n") == "the file is empty"


def test_another_kind_of_document_is_refused() -> None:
    order = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'
    assert _error(order).startswith("/Order: not an invoice")


@pytest.mark.parametrize(
    ("doctype", "reference"),
    [
        # Entity expansion ("billion laughs"), and an external entity reading a local file.
        ('<!DOCTYPE Invoice [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>', "&b;"),
        ('<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>', "&secret;"),
    ],
    ids=["entity-expansion", "external-entity"],
)
def test_a_document_type_declaration_is_refused(doctype: str, reference: str) -> None:
    body = UBL.read_bytes().decode("utf-8").split("?>", 1)[1]
    data = f'<?xml version="1.0"?>\n{doctype}\n{body}'.replace(
        "<cbc:ID>12115118</cbc:ID>", f"<cbc:ID>{reference}</cbc:ID>"
    )
    assert _error(data.encode("utf-8")) == "the file declares a DTD (<!DOCTYPE>); refused"
