"""Exports to CII and UBL pass the official EN 16931 rules and keep the totals."""

from __future__ import annotations

from datetime import date
from importlib import resources
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from lxml import etree

from invoicer.einvoice import (
    InvoiceDocument,
    InvoiceLine,
    compute,
    fatal,
    read_invoice,
    to_cii,
    to_ubl,
    validate,
)
from invoicer.einvoice.cii_writer import EN16931_GUIDELINE
from invoicer.einvoice.ubl_writer import PEPPOL_CUSTOMIZATION, PEPPOL_PROFILE

from .builders import DATA, example_files, example_id, make_invoice, syntax_of

WRITERS = {"cii": to_cii, "ubl": to_ubl}


def _failures(xml: bytes, syntax: str) -> list[str]:
    return [f"{failure.id}: {failure.text}" for failure in fatal(validate(xml, syntax))]


def _xsd_flavor(doc: InvoiceDocument, syntax: str) -> dict[str, str]:
    if syntax == "cii":
        return {"flavor": "factur-x", "level": "en16931"}
    return {"flavor": "ubl-2.1-creditnote" if doc.is_credit_note else "ubl-2.1-invoice"}


@pytest.mark.parametrize("name", ["EN16931-CII-validation.xslt", "EN16931-UBL-validation.xslt"])
def test_the_shipped_rules_are_the_official_release(name: str) -> None:
    shipped = resources.files("invoicer.einvoice").joinpath("rules", name).read_bytes()
    assert shipped == (DATA / "validation" / name).read_bytes()


@pytest.mark.parametrize("path", example_files(), ids=example_id)
def test_the_official_examples_pass_the_official_rules(path: Path) -> None:
    # The validator itself, on the files it was published with.
    assert _failures(path.read_bytes(), syntax_of(path)) == []


def test_the_rules_catch_a_wrong_amount_due() -> None:
    data = (DATA / "ubl" / "ubl-tc434-example1.xml").read_bytes().replace(
        b'<cbc:PayableAmount currencyID="EUR">250.33', b'<cbc:PayableAmount currencyID="EUR">1.00'
    )
    assert [failure.id for failure in fatal(validate(data, "ubl"))] == ["BR-CO-16"]


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
@pytest.mark.parametrize("path", example_files(), ids=example_id)
def test_an_imported_example_exports_valid_and_keeps_its_totals(path: Path, syntax: str) -> None:
    doc = read_invoice(path.read_bytes())
    xml = WRITERS[syntax](doc)

    assert _failures(xml, syntax) == []
    assert facturx.xml_check_xsd(xml, **_xsd_flavor(doc, syntax))
    again = read_invoice(xml)
    assert again.warnings == ()
    assert compute(again).to_dict() == compute(doc).to_dict()


def test_totals_are_computed_never_copied_from_the_input() -> None:
    data = (DATA / "ubl" / "ubl-tc434-example1.xml").read_bytes().replace(
        b'<cbc:PayableAmount currencyID="EUR">250.33', b'<cbc:PayableAmount currencyID="EUR">1.00'
    )
    exported = etree.fromstring(to_ubl(read_invoice(data)))
    assert exported.findtext(".//{*}LegalMonetaryTotal/{*}PayableAmount") == "250.33"


def test_the_documents_name_their_specification(invoice: InvoiceDocument) -> None:
    cii = etree.fromstring(to_cii(invoice))
    assert cii.findtext(".//{*}GuidelineSpecifiedDocumentContextParameter/{*}ID") == (
        EN16931_GUIDELINE
    )
    ubl = etree.fromstring(to_ubl(invoice))
    assert ubl.findtext("{*}CustomizationID") == PEPPOL_CUSTOMIZATION
    assert ubl.findtext("{*}ProfileID") == PEPPOL_PROFILE


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
def test_our_french_invoice_exports_valid(invoice: InvoiceDocument, syntax: str) -> None:
    xml = WRITERS[syntax](invoice)
    assert [f"{f.id} ({f.flag})" for f in validate(xml, syntax)] == []
    totals = compute(read_invoice(xml))
    # 3 x 45.00 less 10 % = 121.50; 200 x 0.55 = 110.00; 2 x 12.50 = 25.00; delivery 15.00.
    assert (totals.net, totals.tax_basis, totals.vat, totals.gross) == (
        Decimal("256.50"), Decimal("271.50"), Decimal("50.68"), Decimal("322.18"),
    )


def test_a_line_discount_is_written_as_a_line_allowance(invoice: InvoiceDocument) -> None:
    line = etree.fromstring(to_ubl(invoice)).find("{*}InvoiceLine")
    allowance = line.find("{*}AllowanceCharge")
    assert allowance.findtext("{*}ChargeIndicator") == "false"
    assert allowance.findtext("{*}MultiplierFactorNumeric") == "10"
    assert allowance.findtext("{*}Amount") == "13.50"
    assert allowance.findtext("{*}BaseAmount") == "135.00"
    assert line.findtext("{*}LineExtensionAmount") == "121.50"


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
def test_a_credit_note_for_a_whole_invoice(syntax: str) -> None:
    # +200.00 and -100.00 at 20 %: the invoice is 100.00 / 20.00 / 120.00, and so is the
    # credit note that cancels it, which names the invoice it corrects.
    lines = (
        InvoiceLine("1", "Prestation", Decimal(1), Decimal("200.00"), "S", Decimal(20)),
        # Typed as a minus price, the way people write a discount line; exported as a
        # negative quantity, since EN 16931 wants prices positive (BR-27).
        InvoiceLine("2", "Geste commercial", Decimal(1), Decimal("-100.00"), "S", Decimal(20)),
    )
    credit = make_invoice(
        type_code="381", number="A2026-00003", lines=lines, allowances=(),
        preceding_invoice="F2026-00042", preceding_invoice_date=date(2026, 3, 2),
    )
    xml = WRITERS[syntax](credit)

    assert _failures(xml, syntax) == []
    again = read_invoice(xml)
    assert again.is_credit_note and again.preceding_invoice == "F2026-00042"
    assert (again.lines[1].quantity, again.lines[1].unit_price) == (-1, 100)
    totals = compute(again)
    assert (totals.tax_basis, totals.vat, totals.due) == (
        Decimal("100.00"), Decimal("20.00"), Decimal("120.00"),
    )
    if syntax == "ubl":
        root = etree.fromstring(xml)
        assert etree.QName(root).localname == "CreditNote"
        assert root.find(".//{*}CreditNoteLine/{*}CreditedQuantity") is not None
