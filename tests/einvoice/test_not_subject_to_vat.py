"""An invoice not subject to VAT (category O) exports as valid EN 16931 (BR-O rules)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from invoicer.einvoice import InvoiceLine, fatal, to_cii, to_ubl, validate

from .builders import make_invoice

WRITERS = {"cii": to_cii, "ubl": to_ubl}


def out_of_scope_invoice():
    base = make_invoice()
    line = InvoiceLine(id="1", description="Débours refacturés", quantity=Decimal(1),
                       unit_price=Decimal("120.00"), vat_category="O", vat_rate=Decimal(0))
    return replace(base, lines=(line,), allowances=())


@pytest.mark.parametrize("syntax", sorted(WRITERS))
def test_an_out_of_scope_invoice_passes_the_en16931_rules(syntax):
    doc = out_of_scope_invoice()
    assert doc.seller.vat_number and doc.buyer.vat_number  # dropped by the writer, not here

    xml = WRITERS[syntax](doc)

    failures = [f"{failure.id}: {failure.text}" for failure in fatal(validate(xml, syntax))]
    assert failures == []
    assert b"FR" in xml and doc.seller.vat_number.encode() not in xml
