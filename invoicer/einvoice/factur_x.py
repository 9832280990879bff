"""Factur-X: the printed invoice as PDF/A-3 with its CII XML embedded (EN 16931 profile)."""

from __future__ import annotations

from .cii_writer import to_cii
from .labels import LOCALES, labels_for
from .model import InvoiceDocument
from .pdf import Logo, render_pdf

__all__ = ["FACTURX_LEVEL", "to_facturx"]

FACTURX_LEVEL = "en16931"


def to_facturx(doc: InvoiceDocument, language: str, *, logo: Logo | None = None) -> bytes:
    """A Factur-X PDF of `doc` in `language`.

    The `factur-x` package embeds the XML and checks it against the Factur-X EN 16931 schema
    (its own check raises if the XML does not conform). Raises ExportLimitError when an amount
    cannot be carried by EN 16931 (see `to_cii`).
    """
    from facturx import generate_from_binary  # heavy import, only where Factur-X is made

    xml = to_cii(doc)
    pdf = render_pdf(doc, language, logo=logo, pdf_variant="pdf/a-3b")
    kind = labels_for(language)["credit_note" if doc.is_credit_note else "invoice"]
    return generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=FACTURX_LEVEL,
        check_xsd=True,
        check_schematron=False,  # it would call a Saxon server; validation.py runs the rules
        pdf_metadata={
            "author": doc.seller.name,
            "keywords": f"Factur-X, {kind}",
            "title": f"{doc.seller.name}: {kind} {doc.number}",
            "subject": f"Factur-X: {kind} {doc.number}, {doc.issue_date}, {doc.seller.name}",
        },
        lang=LOCALES[language].replace("_", "-"),
    )
