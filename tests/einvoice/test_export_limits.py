"""Currencies whose minor unit is not the cent: nothing is rounded silently on the way out."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from lxml import etree

from invoicer.einvoice import (
    InvoiceDocument,
    ExportLimitError,
    InvoiceLine,
    compute,
    fatal,
    read_invoice,
    to_cii,
    to_facturx,
    to_ubl,
    validate,
)

from .builders import make_invoice


Export = Callable[[InvoiceDocument], bytes]


def _invoice(currency: str, *lines: tuple[str, str]) -> InvoiceDocument:
    return make_invoice(
        currency=currency,
        allowances=(),
        lines=tuple(
            InvoiceLine(str(n), f"Article {n}", Decimal(q), Decimal(p), "S", Decimal(20))
            for n, (q, p) in enumerate(lines, start=1)
        ),
    )


@pytest.mark.parametrize("export", [to_cii, to_ubl], ids=["cii", "ubl"])
def test_a_kwd_amount_with_three_decimals_is_refused_not_rounded(export: Export) -> None:
    kwd = _invoice("KWD", ("3", "1.125"))
    assert compute(kwd).net == Decimal("3.375")

    with pytest.raises(ExportLimitError) as caught:
        export(kwd)
    message = str(caught.value)
    assert "line 1 net amount (BT-131) is 3.375 KWD" in message
    assert "at most 2 decimals" in message


def test_factur_x_refuses_it_too() -> None:
    with pytest.raises(ExportLimitError):
        to_facturx(_invoice("KWD", ("3", "1.125")), "en")


@pytest.mark.parametrize(("export", "syntax"), [(to_cii, "cii"), (to_ubl, "ubl")])
def test_a_kwd_invoice_whose_amounts_fit_two_decimals_exports_unchanged(
    export: Export, syntax: str
) -> None:
    kwd = _invoice("KWD", ("3", "1.250"))
    xml = export(kwd)

    assert fatal(validate(xml, syntax)) == []
    assert compute(read_invoice(xml)).to_dict() == compute(kwd).to_dict()
    assert compute(kwd).to_dict()["net"] == "3.750"


@pytest.mark.parametrize(("export", "syntax"), [(to_cii, "cii"), (to_ubl, "ubl")])
def test_jpy_amounts_are_whole_yen(export: Export, syntax: str) -> None:
    # Two lines of 1 x 100.5 JPY: each line is 101, the invoice 202, and they add up.
    jpy = _invoice("JPY", ("1", "100.5"), ("1", "100.5"))
    xml = export(jpy)

    assert fatal(validate(xml, syntax)) == []
    root = etree.fromstring(xml)
    nets = [node.text for node in root.iter() if etree.QName(node).localname in (
        "LineTotalAmount", "LineExtensionAmount",
    )]
    assert nets.count("101") == 2 and "202" in nets
    totals = compute(read_invoice(xml))
    assert [line.net for line in totals.lines] == [Decimal(101), Decimal(101)]
    assert totals.net == Decimal(202)
