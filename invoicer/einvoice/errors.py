"""What can go wrong when reading or writing an e-invoice.

    EInvoiceError                 base of this package's errors
    ├── InvoiceFormatError        a file that cannot be read: says what and where (element path)
    └── ExportLimitError          a value the target format cannot hold without changing it
"""

from __future__ import annotations

__all__ = ["EInvoiceError", "ExportLimitError", "InvoiceFormatError"]


class EInvoiceError(ValueError):
    """Base class of the e-invoice errors."""


class InvoiceFormatError(EInvoiceError):
    """An input file that is not a readable invoice.

    `path` is the element the problem is at ("/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity"),
    or "" when the file is not XML at all; `problem` says what is wrong there.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


class ExportLimitError(EInvoiceError):
    """An amount or value the target format cannot carry as it is.

    Raised instead of rounding silently: EN 16931 allows at most two decimals for amounts
    (rules BR-DEC-*), so a KWD invoice with 3.375 cannot be written as CII or UBL.
    """

    def __init__(self, syntax: str, field: str, value: str, limit: str) -> None:
        super().__init__(f"{syntax}: {field} is {value}, but {limit}")
        self.syntax = syntax
        self.field = field
        self.value = value
        self.limit = limit
