"""An imported invoice seeds a live draft: the draft's JSON shape, with the same amounts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from invoicer.einvoice import draft_document, read_invoice
from invoicer.invoicing.draft import read_draft

from .builders import DATA, example_files, example_id

LINE_KEYS = {
    "id", "description", "quantity", "unit_price", "vat_rate", "discount", "unit",
    "vat_category", "exemption_reason",
}
CHARGE_KEYS = {"id", "is_charge", "amount", "reason", "vat_category", "vat_rate",
               "exemption_reason"}
META_KEYS = {"customer_id", "currency", "issue_date", "due_date", "reference", "language"}


def _draft(name: str) -> dict:
    return draft_document(read_invoice((DATA / name).read_bytes()), language="en")


@pytest.mark.parametrize("path", example_files(), ids=example_id)
def test_the_draft_has_the_same_line_nets_as_the_file(path: Path) -> None:
    doc = read_invoice(path.read_bytes())
    data = json.loads(json.dumps(draft_document(doc)))  # plain JSON all the way down

    assert set(data["meta"]) == META_KEYS
    assert all(set(line) == LINE_KEYS for line in data["lines"])
    assert all(set(charge) == CHARGE_KEYS for charge in data["charges"])
    draft = read_draft(data)
    assert [p.text() for p in draft.problems if p.line is not None] == []
    assert draft.totals.net == doc.stated.net
    assert len({line["id"] for line in data["lines"]}) == len(data["lines"])


def test_header_parties_and_payment_are_carried() -> None:
    data = _draft("cii/CII_example5.xml")
    assert data["meta"] == {
        "customer_id": None, "currency": "DKK", "issue_date": "2013-04-10",
        "due_date": "2013-05-10", "reference": "qwerty", "language": "en",
    }
    assert data["parties"]["buyer"]["name"] == "Buyercompany ltd"
    assert data["parties"]["buyer"]["vat_number"] == "DK16356607"
    assert data["parties"]["seller"]["address_lines"] == ["Hoofdstraat 4", "Om de hoek"]
    assert data["payment"]["terms"] == "50% prepaid, 50% within one month"
    assert data["payment"]["prepaid"] == "2337.5"
    assert data["payment"]["means"][0]["iban"] == "DK1212341234123412"
    assert data["source"]["number"] == "TOSL110"
    assert data["charges"] == [
        {"id": "c1", "is_charge": False, "amount": "150", "reason": "Loyal customer",
         "vat_category": "S", "vat_rate": "25", "exemption_reason": None},
        {"id": "c2", "is_charge": True, "amount": "150", "reason": "Packaging",
         "vat_category": "S", "vat_rate": "25", "exemption_reason": None},
    ]


def test_a_price_per_base_quantity_becomes_a_price_per_unit() -> None:
    line = _draft("cii/huf_example_cii.xml")["lines"][0]
    assert (line["quantity"], line["unit_price"], line["unit"]) == ("64", "361.09", "LTR")


def test_line_allowances_and_charges_become_lines_of_their_own() -> None:
    lines = _draft("ubl/ubl-tc434-example2.xml")["lines"]
    assert [(line["id"], line["description"], line["quantity"], line["unit_price"])
            for line in lines[:4]] == [
        ("1", "Laptop computer", "2", "1273"),
        ("1-1", "Damage (Laptop computer)", "1", "-12"),
        ("1-2", "Testing (Laptop computer)", "1", "12"),
        ("1-3", "Adjustment to the stated line net amount (Laptop computer)", "1", "-1273"),
    ]
    assert {line["vat_rate"] for line in lines[:4]} == {"25"}


def test_repeated_line_ids_are_made_unique() -> None:
    ids = [line["id"] for line in _draft("cii/CII-BR-CO-10-RoundingIssue.xml")["lines"]]
    assert ids == ["1", "1.2", "2", "2.2"]


def test_exempt_lines_keep_their_category_and_reason() -> None:
    line = _draft("ubl/ubl-tc434-creditnote1.xml")["lines"][0]
    assert (line["vat_category"], line["vat_rate"], line["exemption_reason"]) == (
        "E", "0", "Taxes are not applicable",
    )
    assert Decimal(line["unit_price"]) == Decimal("100.11")
