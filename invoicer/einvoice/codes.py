"""Reading coded values (currency, VAT category and rate, indicators) the same way for both
syntaxes, checked as the calculator will need them."""

from __future__ import annotations

from decimal import Decimal

from invoicer.invoicing.money import is_currency
from invoicer.invoicing.totals import RATED_CATEGORIES, VAT_CATEGORIES

from .xmlnode import Node

__all__ = ["read_category", "read_currency", "read_indicator"]

ZERO = Decimal(0)


def read_category(node: Node, code_path: str, rate_path: str) -> tuple[str, Decimal]:
    """The (category, rate) under `node`, checked as the calculator will need them."""
    code_node = node.required(code_path)
    category = code_node.value.upper()
    if category not in VAT_CATEGORIES:
        raise code_node.error(f"«{code_node.value}» is not a VAT category of EN 16931")
    rate_node = node.find(rate_path)
    if rate_node is None:
        if category in RATED_CATEGORIES:
            raise node.error(f"missing (category {category} needs a VAT rate)", rate_path)
        return category, ZERO
    rate = rate_node.number()
    if rate < 0 or rate >= 100:
        raise rate_node.error(f"«{rate_node.value}» is not a VAT rate")
    if category not in RATED_CATEGORIES and rate != 0:
        raise rate_node.error(f"category {category} has no VAT, its rate cannot be {rate} %")
    return category, rate


def read_indicator(node: Node) -> bool:
    """An xs:boolean charge indicator: true/1 is a charge, false/0 an allowance."""
    if node.value in ("true", "1"):
        return True
    if node.value in ("false", "0"):
        return False
    raise node.error(f"«{node.value}» is not true or false")


def read_currency(node: Node) -> str:
    """An ISO 4217 currency code that invoices can use."""
    if not is_currency(node.value):
        raise node.error(f"«{node.value}» is not an ISO 4217 currency code")
    return node.value
