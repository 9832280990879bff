"""Building XML with prefixed names, and writing values the way EN 16931 accepts them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from lxml import etree

from invoicer.invoicing.money import minor_units, normalized, round_money

from .errors import ExportLimitError

__all__ = ["AMOUNT_DECIMALS", "AmountWriter", "Builder", "compact_date", "plain", "serialize"]

# EN 16931 allows at most two decimals for every amount, whatever the currency (BR-DEC-*).
AMOUNT_DECIMALS = 2


class Builder:
    """Creates elements named "prefix:Local" in the given namespaces."""

    def __init__(self, namespaces: Mapping[str, str]) -> None:
        self.namespaces = dict(namespaces)

    def _clark(self, name: str) -> str:
        prefix, _, local = name.rpartition(":")
        return f"{{{self.namespaces[prefix]}}}{local}"

    def root(self, name: str) -> etree._Element:
        nsmap = {prefix or None: uri for prefix, uri in self.namespaces.items()}
        return etree.Element(self._clark(name), nsmap=nsmap)

    def sub(
        self, parent: etree._Element, tag: str, text: str | None = None, /, **attributes: str
    ) -> etree._Element:
        attrib = {key: value for key, value in attributes.items() if value}
        child = etree.SubElement(parent, self._clark(tag), attrib)
        if text is not None:
            child.text = text
        return child

    def optional(
        self, parent: etree._Element, tag: str, text: str | None, /, **attributes: str
    ) -> etree._Element | None:
        """An element only when there is text to put in it."""
        return self.sub(parent, tag, text, **attributes) if text else None


def plain(value: Decimal) -> str:
    """A quantity, price or rate as written: no exponent, no needless zeros (20.00 -> 20)."""
    return format(normalized(value), "f")


class AmountWriter:
    """Writes amounts at the currency's precision, refusing what EN 16931 cannot hold."""

    def __init__(self, syntax: str, currency: str) -> None:
        self.syntax = syntax
        self.currency = currency
        self.digits = min(minor_units(currency), AMOUNT_DECIMALS)

    def __call__(self, value: Decimal, field: str) -> str:
        exact = round_money(value, self.currency)
        written = exact.quantize(Decimal(1).scaleb(-self.digits))
        if written != exact:
            raise ExportLimitError(
                self.syntax, field, f"{format(exact, 'f')} {self.currency}",
                f"EN 16931 allows at most {AMOUNT_DECIMALS} decimals for amounts (BR-DEC rules); "
                "the amount is not rounded silently, so this invoice cannot be exported in this "
                "format",
            )
        return format(abs(written) if written.is_zero() else written, "f")


def compact_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
