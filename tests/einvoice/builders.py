"""Test data of the e-invoice tests: the project's copy of the EN 16931 examples, and a
complete French invoice to change field by field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from invoicer.einvoice import (
    DocumentAllowanceCharge,
    InvoiceDocument,
    InvoiceLine,
    LegalDetails,
    Party,
    PaymentMeans,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "en16931"
OUTPUT = Path(__file__).resolve().parents[1] / "output" / "einvoice"


def example_files() -> list[Path]:
    """Every official example invoice, both syntaxes."""
    files = sorted(path for folder in ("cii", "ubl") for path in (DATA / folder).iterdir())
    assert len(files) >= 26, "the EN 16931 examples are missing from tests/data/en16931"
    return files


def example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def syntax_of(path: Path) -> str:
    return path.parent.name


def french_seller() -> Party:
    return Party(
        name="Atelier Dupont SAS",
        address_lines=("12 rue des Lilas",),
        city="Lyon",
        postcode="69003",
        country="FR",
        vat_number="FR40303265045",
        legal_id="30326504500011",
        legal_id_scheme="0009",
        email="compta@atelier-dupont.example",
    )


def french_buyer() -> Party:
    return Party(
        name="Brasserie du Port SARL",
        address_lines=("4 quai Saint-Antoine", "Bâtiment B"),
        city="Marseille",
        postcode="13002",
        country="FR",
        vat_number="FR44732829320",
        legal_id="732829320",
        legal_id_scheme="0002",
    )


def make_invoice(**changes: object) -> InvoiceDocument:
    """A complete French B2B invoice; keyword arguments replace its fields."""
    values: dict[str, object] = dict(
        type_code="380",
        number="F2026-00042",
        issue_date=date(2026, 3, 2),
        currency="EUR",
        seller=french_seller(),
        buyer=french_buyer(),
        lines=(
            InvoiceLine(
                "1", "Conception graphique du menu", Decimal("3"), Decimal("45.00"), "S",
                Decimal("20"), unit_code="HUR", discount=Decimal("10"),
            ),
            InvoiceLine(
                "2", "Impression menus A4 <b>quadri</b>", Decimal("200"), Decimal("0.55"), "S",
                Decimal("20"), unit_code="H87", item_description="Papier 250 g, pelliculage mat",
            ),
            InvoiceLine("3", "Livres de recettes", Decimal("2"), Decimal("12.50"), "S",
                        Decimal("5.5")),
        ),
        allowances=(
            DocumentAllowanceCharge(
                Decimal("15.00"), "S", Decimal("20"), is_charge=True, reason="Frais de livraison"
            ),
        ),
        due_date=date(2026, 4, 1),
        delivery_date=date(2026, 2, 27),
        buyer_reference="BC-2026-118",
        notes=("Merci pour votre confiance.",),
        payment_terms="30 jours date de facture, par virement",
        payment_means=(
            PaymentMeans("58", iban="FR7630006000011234567890189", bic="AGRIFRPP"),
        ),
        payment_reference="F2026-00042",
        legal=LegalDetails(
            late_penalty="Pénalités de retard : trois fois le taux d'intérêt légal",
            recovery_indemnity=True,
            additional="SAS au capital de 10 000 € – RCS Lyon 303 265 045",
            early_payment_discount="Pas d'escompte pour paiement anticipé",
        ),
    )
    values.update(changes)
    return InvoiceDocument(**values)  # type: ignore[arg-type]
