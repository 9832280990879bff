"""Factur-X: a PDF/A-3 whose embedded CII passes factur-x's own checks and reads back."""

from __future__ import annotations

import io

import facturx
import pypdf
from lxml import etree

from invoicer.einvoice import (
    InvoiceDocument,
    compute,
    fatal,
    read_invoice,
    to_cii,
    to_facturx,
    validate,
)

from .builders import DATA


def test_the_embedded_xml_passes_facturx_checks_and_reads_back(invoice: InvoiceDocument) -> None:
    pdf = to_facturx(invoice, "fr")

    assert pdf.startswith(b"%PDF-")
    # factur-x checks the XML against its EN 16931 schema again while extracting it.
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert xml == to_cii(invoice)
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    assert fatal(validate(xml, "cii")) == []
    assert compute(read_invoice(xml)).to_dict() == compute(invoice).to_dict()


def test_the_pdf_declares_pdfa3_and_the_factur_x_profile(invoice: InvoiceDocument) -> None:
    reader = pypdf.PdfReader(io.BytesIO(to_facturx(invoice, "en")))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")

    assert "<pdfaid:part>3</pdfaid:part>" in metadata
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in metadata
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert "Fixed compensation for recovery costs: €40" in reader.pages[0].extract_text()


def test_an_imported_example_becomes_factur_x() -> None:
    doc = read_invoice((DATA / "ubl" / "ubl-tc434-example2.xml").read_bytes())
    _, xml = facturx.get_facturx_xml_from_pdf(to_facturx(doc, "en"), check_xsd=True)
    assert compute(read_invoice(xml)).due == doc.stated.due
