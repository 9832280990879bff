"""Every official EN 16931 example: the totals we compute from its lines equal its own."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest

from invoicer.einvoice import InvoiceDocument, StatedVat, calculator_inputs, read_invoice
from invoicer.einvoice.calculation import ADJUSTMENT_REASON
from invoicer.invoicing.money import normalized, round_money
from invoicer.invoicing.totals import Totals, VatBreakdown, compute_totals

from .builders import DATA, example_files, example_id

ZERO = Decimal(0)
# Files whose VAT is not base x rate rounded to the cent (BR-CO-17 tolerates one unit): the
# HUF example rounds its VAT to whole forints. Listed so that no other file slips in.
VAT_ROUNDED_BY_FILE = {"cii/huf_example_cii.xml"}


def _totals(path: Path) -> tuple[InvoiceDocument, Totals]:
    doc = read_invoice(path.read_bytes())
    lines, allowances, charges, prepaid, rounding = calculator_inputs(doc)
    totals = compute_totals(
        lines, doc.currency, allowances=allowances, charges=charges, prepaid=prepaid,
        rounding=rounding,
    )
    return doc, totals


Row = tuple[str, Decimal, Decimal, Decimal]


def _rows(rows: Iterable[StatedVat | VatBreakdown]) -> list[Row]:
    return sorted((row.category, normalized(row.rate), row.base, row.amount) for row in rows)


def _vat_rounded_by_file(doc: InvoiceDocument) -> bool:
    return any(
        row.amount != round_money(row.base * row.rate / 100, doc.currency)
        for row in doc.stated.vat_breakdown
    )


@pytest.mark.parametrize("path", example_files(), ids=example_id)
def test_computed_totals_equal_the_totals_stated_in_the_file(path: Path) -> None:
    doc, totals = _totals(path)
    stated = doc.stated

    assert totals.net == stated.net
    assert totals.allowance_total == (stated.allowance_total or ZERO)
    assert totals.charge_total == (stated.charge_total or ZERO)
    assert totals.tax_basis == stated.tax_basis
    assert totals.prepaid == (stated.prepaid or ZERO)
    assert totals.due == stated.due
    if example_id(path) in VAT_ROUNDED_BY_FILE:
        _assert_vat_by_en16931(doc, totals)
        return
    assert not _vat_rounded_by_file(doc)
    assert totals.vat == (stated.vat or ZERO)  # BT-110 is absent when nothing is taxed
    assert totals.gross == stated.gross
    assert totals.rounding == (stated.rounding or ZERO)
    assert _rows(totals.vat_breakdown) == _rows(stated.vat_breakdown)


def _assert_vat_by_en16931(doc: InvoiceDocument, totals: Totals) -> None:
    """The file's VAT is rounded its own way: ours is base x rate to the cent (BR-CO-17),
    within the one unit the rule tolerates, and the amount due is reached the way EN 16931
    says, with the rounding amount (BT-114)."""
    assert _vat_rounded_by_file(doc)
    stated_rows = _rows(doc.stated.vat_breakdown)
    ours = _rows(totals.vat_breakdown)
    assert [row[:3] for row in ours] == [row[:3] for row in stated_rows]
    for (category, rate, base, amount), stated_row in zip(ours, stated_rows, strict=True):
        assert amount == round_money(base * rate / 100, doc.currency)
        assert abs(amount - stated_row[3]) < 1
    assert totals.rounding == doc.stated.gross - totals.gross
    assert any("rounding amount" in warning for warning in doc.warnings)


def test_the_list_of_examples_is_complete() -> None:
    names = {example_id(path) for path in example_files()}
    assert VAT_ROUNDED_BY_FILE <= names
    assert {"ubl/ubl-tc434-creditnote1.xml", "cii/CII_example5.xml"} <= names


def test_a_return_written_with_a_positive_quantity_is_read_as_a_return() -> None:
    doc = read_invoice((DATA / "ubl" / "ubl-tc434-example1.xml").read_bytes())
    line = doc.lines[19]
    assert (line.id, line.quantity, line.stated_net) == ("20", Decimal(-6), Decimal("-109.98"))
    assert any(w.startswith("line 20:") and "return" in w for w in doc.warnings)


def test_a_base_quantity_that_repeats_the_price_is_read_per_unit() -> None:
    doc = read_invoice((DATA / "cii" / "CII_example2.xml").read_bytes())
    line = doc.lines[0]
    assert (line.quantity, line.unit_price, line.price_base_quantity) == (1, 1273, 1)
    assert "ignoring its base quantity" in doc.warnings[0]


def test_any_other_difference_is_kept_as_an_explicit_line_allowance() -> None:
    doc = read_invoice((DATA / "ubl" / "ubl-tc434-example3.xml").read_bytes())
    adjustment = doc.lines[0].allowances[-1]
    assert adjustment.reason == ADJUSTMENT_REASON
    assert (adjustment.amount, adjustment.is_charge) == (Decimal("800.00"), False)
    assert "kept as a line allowance of 800.00" in doc.warnings[0]


def test_a_consistent_file_is_read_without_warnings() -> None:
    doc = read_invoice((DATA / "cii" / "CII_example5.xml").read_bytes())
    assert doc.warnings == ()


def test_parties_payment_and_references_are_read() -> None:
    doc = read_invoice((DATA / "cii" / "CII_example5.xml").read_bytes())
    assert (doc.number, doc.type_code, doc.currency) == ("TOSL110", "380", "DKK")
    assert doc.seller.name == "SellerCompany"
    assert doc.seller.vat_number == "NL16356706"
    assert doc.seller.address_lines == ("Hoofdstraat 4", "Om de hoek")
    assert doc.buyer.country == "DK"
    assert doc.buyer_reference == "qwerty"
    assert doc.payment_means[0].iban == "DK1212341234123412"
    assert doc.payment_terms == "50% prepaid, 50% within one month"
    assert doc.preceding_invoice == "TOSL109"
    assert (doc.tax_currency, doc.tax_currency_vat) == ("EUR", Decimal("628.62"))
    assert [(a.is_charge, a.amount, a.reason) for a in doc.allowances] == [
        (False, Decimal(150), "Loyal customer"), (True, Decimal(150), "Packaging"),
    ]


def test_exemption_reasons_of_the_breakdown_reach_the_lines() -> None:
    doc = read_invoice((DATA / "ubl" / "ubl-tc434-creditnote1.xml").read_bytes())
    assert doc.is_credit_note
    assert doc.lines[0].exemption_reason == "Taxes are not applicable"
    assert doc.exemption_for("E").reason == "Taxes are not applicable"
