"""Reading an e-invoice file of either syntax, detected by its root element."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from .calculation import reconcile_lines, reconcile_rounding
from .cii_reader import CII_PREFIXES, read_cii
from .errors import InvoiceFormatError
from .model import InvoiceDocument
from .ubl_reader import CREDIT_NOTE_NS, INVOICE_NS, read_ubl
from .xmlnode import parse_xml

__all__ = ["detect_syntax", "read_invoice"]

_ROOTS = {
    f"{{{INVOICE_NS}}}Invoice": "ubl",
    f"{{{CREDIT_NOTE_NS}}}CreditNote": "ubl",
    f"{{{CII_PREFIXES['rsm']}}}CrossIndustryInvoice": "cii",
}


def detect_syntax(root: etree._Element) -> str:
    """ "ubl" or "cii", from the root element; InvoiceFormatError for anything else."""
    syntax = _ROOTS.get(root.tag)
    if syntax is None:
        name = etree.QName(root)
        raise InvoiceFormatError(
            f"/{name.localname}",
            f"not an invoice: the root element {{{name.namespace or ''}}}{name.localname} is "
            "neither a UBL Invoice or CreditNote nor a CII CrossIndustryInvoice",
        )
    return syntax


def read_invoice(data: bytes) -> InvoiceDocument:
    """Read a UBL Invoice, UBL CreditNote or CII invoice.

    Raises InvoiceFormatError naming the element and the problem when the file cannot be
    read; nothing is returned half read. The stated totals are kept in `doc.stated` for
    comparison; `doc.warnings` says what had to be interpreted (see `reconcile_lines`).
    """
    root = parse_xml(data)
    doc = read_ubl(root) if detect_syntax(root) == "ubl" else read_cii(root)
    return reconcile_rounding(reconcile_lines(_with_line_exemptions(doc)))


def _with_line_exemptions(doc: InvoiceDocument) -> InvoiceDocument:
    # The syntaxes state an exemption reason per VAT category (BT-120); the calculator takes
    # it per line so that its breakdown carries it.
    lines = []
    for line in doc.lines:
        exemption = doc.exemption_for(line.vat_category)
        if line.exemption_reason is None and exemption and exemption.reason:
            line = replace(line, exemption_reason=exemption.reason)
        lines.append(line)
    return replace(doc, lines=tuple(lines))
