"""The printed invoice: rendered, turned into an image to look at, and read back as text."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from invoicer.einvoice import (
    InvoiceDocument,
    InvoiceLine,
    Logo,
    read_invoice,
    render_html,
    render_pdf,
)

from .builders import DATA, make_invoice

PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
# The logo travels inside the page, never as a link.
LOGO = Logo(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    b'<rect width="40" height="40" rx="8" fill="#0f766e"/>'
    b'<text x="48" y="27" font-family="sans-serif" font-size="18" fill="#0f766e">Dupont</text>'
    b"</svg>",
    "image/svg+xml",
)


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _to_png(pdf: bytes, output: Path, name: str) -> list[Path]:
    assert Path(PDFTOPPM).exists(), "poppler-utils (pdftoppm) is needed to check the layout"
    source = output / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in output.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run([PDFTOPPM, "-png", "-r", "80", str(source), str(output / name)], check=True,
                   timeout=60)
    return sorted(output.glob(f"{name}-*.png"))


def test_a_french_draft_preview(invoice: InvoiceDocument, output_dir: Path) -> None:
    pdf = render_pdf(invoice, "fr", watermark=True)

    images = _to_png(pdf, output_dir, "invoice-fr-draft")
    assert len(images) == 1 and images[0].stat().st_size > 20_000
    text = _text(pdf)
    for expected in (
        "FACTURE", "F2026-00042", "Atelier Dupont SAS", "30326504500011", "FR40303265045",
        "Brasserie du Port SARL", "FR44732829320", "2 mars 2026", "1 avril 2026",
        "27 février 2026", "121,50 €", "322,18 €", "Remise 10",
        "FR76 3000 6000 0112 3456 7890 189", "Pénalités de retard",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €", "BROUILLON / DRAFT",
    ):
        assert expected in text, expected
    # Text from the invoice is printed as text, never as markup.
    assert "Impression menus A4 <b>quadri</b>" in text


def test_an_english_final_invoice(invoice: InvoiceDocument, output_dir: Path) -> None:
    pdf = render_pdf(invoice, "en", logo=LOGO)

    _to_png(pdf, output_dir, "invoice-en")
    text = _text(pdf)
    for expected in ("INVOICE", "2 March 2026", "€322.18", "Total excl. VAT",
                     "Fixed compensation for recovery costs: €40"):
        assert expected in text, expected
    assert "BROUILLON" not in text


def test_exemption_mentions_and_three_decimal_currencies_are_printed(output_dir: Path) -> None:
    doc = make_invoice(
        currency="KWD", allowances=(),
        lines=(
            InvoiceLine("1", "Consulting", Decimal(3), Decimal("1.125"), "S", Decimal(20)),
            InvoiceLine("2", "Training", Decimal(1), Decimal("10"), "E", Decimal(0),
                        exemption_reason="Exonération de TVA, article 261-4-4° du CGI"),
        ),
    )
    pdf = render_pdf(doc, "en")

    _to_png(pdf, output_dir, "invoice-kwd")
    text = _text(pdf)
    assert "KWD3.375" in text  # Babel's en_GB currency format, three decimals kept
    assert "Exonération de TVA, article 261-4-4° du CGI" in text


def test_an_imported_credit_note_prints_as_a_credit_note(output_dir: Path) -> None:
    doc = read_invoice((DATA / "ubl" / "ubl-tc434-creditnote1.xml").read_bytes())
    pdf = render_pdf(doc, "fr")
    _to_png(pdf, output_dir, "credit-note-fr")
    assert "AVOIR" in _text(pdf)


def test_the_html_is_escaped_and_fetches_nothing(invoice: InvoiceDocument) -> None:
    html = render_html(invoice, "fr")
    assert "&lt;b&gt;quadri&lt;/b&gt;" in html
    assert "http://" not in html and "https://" not in html


def test_only_known_languages() -> None:
    with pytest.raises(ValueError, match="language"):
        render_html(make_invoice(), "de")
