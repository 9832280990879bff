"""E-invoices: reading UBL and CII, writing CII, UBL, Factur-X and the printed PDF, checking
the official EN 16931 rules and the French legal mentions.

Totals always come from the one calculator, `invoicer.invoicing.totals.compute_totals`: this
package moves invoices between formats, it never computes money on its own.
"""

from .calculation import calculator_inputs, compute
from .cii_writer import to_cii
from .draft import draft_document
from .errors import EInvoiceError, ExportLimitError, InvoiceFormatError
from .factur_x import to_facturx
from .legal import LegalProblem, legal_problems, missing_mentions
from .model import (
    CREDIT_NOTE,
    INVOICE,
    DocumentAllowanceCharge,
    Exemption,
    InvoiceDocument,
    InvoiceLine,
    LegalDetails,
    LineAllowanceCharge,
    Party,
    PaymentMeans,
    StatedTotals,
    StatedVat,
)
from .pdf import Logo, render_html, render_pdf
from .reader import detect_syntax, read_invoice
from .ubl_writer import to_ubl
from .validation import Failure, fatal, validate

__all__ = [
    "CREDIT_NOTE",
    "DocumentAllowanceCharge",
    "EInvoiceError",
    "Exemption",
    "ExportLimitError",
    "Failure",
    "INVOICE",
    "InvoiceDocument",
    "InvoiceFormatError",
    "InvoiceLine",
    "LegalDetails",
    "LegalProblem",
    "LineAllowanceCharge",
    "Logo",
    "Party",
    "PaymentMeans",
    "StatedTotals",
    "StatedVat",
    "calculator_inputs",
    "compute",
    "detect_syntax",
    "draft_document",
    "fatal",
    "legal_problems",
    "missing_mentions",
    "read_invoice",
    "render_html",
    "render_pdf",
    "to_cii",
    "to_facturx",
    "to_ubl",
    "validate",
]
