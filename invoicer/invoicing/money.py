"""Currencies, rounding, parsing and formatting of money amounts.

Amounts are `Decimal` from end to end. Rounding is ROUND_HALF_UP to the currency's
minor unit as ISO 4217 defines it (EUR 2, JPY 0, KWD 3), which is what EN 16931 and
the tax administrations expect.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.core import get_global
from babel.numbers import list_currencies

__all__ = [
    "AMOUNT_MESSAGES",
    "MAX_ABS_AMOUNT",
    "MAX_DECIMAL_PLACES",
    "AmountError",
    "CurrencyError",
    "format_money",
    "is_currency",
    "minor_units",
    "normalized",
    "parse_decimal",
    "quantum",
    "round_money",
    "to_plain",
]

# ISO 4217 exponents that differ from 2. Babel's get_currency_precision follows CLDR, which
# gives HUF, TWD and others their cash digits (0) where ISO 4217 and invoices use 2: not safe.
_ISO_EXPONENTS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

# A currency withdrawn since this day is still accepted, so that an invoice issued in it
# (Croatian kuna, Bulgarian lev...) can be corrected by a credit note in the same currency.
_WITHDRAWN_SINCE = date(2023, 1, 1)


def _invoiceable_currencies() -> frozenset[str]:
    # Babel's list also holds former currencies (FRF, DEM), funds and metals (XAU, XXX):
    # keep the codes that are legal tender somewhere, from CLDR's territory data.
    codes = set()
    for entries in get_global("territory_currencies").values():
        for code, _start, end, tender in entries:
            if tender and (end is None or date(*end) >= _WITHDRAWN_SINCE):
                codes.add(code)
    return frozenset(codes) & frozenset(list_currencies())


_KNOWN_CODES = _invoiceable_currencies()

MAX_DECIMAL_PLACES = 6
MAX_ABS_AMOUNT = Decimal(10) ** 12
# Spaces, no-break spaces and narrow no-break spaces group thousands in many locales.
_GROUP_SPACES = re.compile("[ \u00a0\u202f\t]+")
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class CurrencyError(ValueError):
    """A code that is not the ISO 4217 code of a currency in use."""


# What is wrong with a typed amount, by a stable code: the English of the API, and the
# msgids the pages translate (placeholders in braces are the error's params).
AMOUNT_MESSAGES: Mapping[str, str] = {
    "number_required": "a number is required",
    "number_wrong_type": "a number is required, not {type}",
    "not_a_number": "«{value}» is not a number",
    "number_too_large": "«{value}» is too large",
    "too_many_decimals": "«{value}» has more than {places} decimals",
}


class AmountError(ValueError):
    """A value that is not an acceptable decimal amount, quantity or rate.

    `code` names what is wrong (a key of AMOUNT_MESSAGES) and `params` fills its message, so
    that a reader's language can say it too; `message` is the English.
    """

    def __init__(self, field: str, code: str, params: Mapping[str, str] | None = None) -> None:
        self.field = field
        self.code = code
        self.params = dict(params or {})
        self.message = AMOUNT_MESSAGES[code].format(**self.params)
        super().__init__(f"{field}: {self.message}" if field else self.message)


def is_currency(code: object) -> bool:
    return isinstance(code, str) and code in _KNOWN_CODES


def minor_units(currency: str) -> int:
    """Number of decimals of the currency's minor unit (ISO 4217 exponent)."""
    if not is_currency(currency):
        raise CurrencyError(f"«{currency}» is not a known ISO 4217 currency code")
    return _ISO_EXPONENTS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    """The smallest amount of the currency: Decimal("0.01") for EUR, Decimal("1") for JPY."""
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit ("0.005" EUR -> "0.01")."""
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def normalized(value: Decimal) -> Decimal:
    """The same number without trailing zeros nor exponent: 20.00 -> 20, 5.50 -> 5.5."""
    value = Decimal(value).normalize()
    if value == 0:
        return Decimal(0)
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else value


def to_plain(value: Decimal) -> str:
    """A decimal as a plain string without exponent nor trailing zeros: 5.50 -> "5.5"."""
    return format(normalized(value), "f")


def parse_decimal(text: str | int | Decimal | None, *, field: str = "") -> Decimal:
    """Read a user-typed decimal: "12.50", " 12,50 ", "-3" -> Decimal.

    Refuses empty text, words, exponents, NaN and infinities, more than six decimals and
    values of 10^12 or more, with a message a person can act on.
    """
    if isinstance(text, bool) or text is None:
        raise AmountError(field, "number_required")
    if isinstance(text, int):
        return _checked(Decimal(text), str(text), field)
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise AmountError(field, "not_a_number", {"value": str(text)})
        return _checked(text, str(text), field)
    if not isinstance(text, str):
        raise AmountError(field, "number_wrong_type", {"type": type(text).__name__})
    cleaned = _GROUP_SPACES.sub("", text)
    if not cleaned:
        raise AmountError(field, "number_required")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _looks_decimal(cleaned):
        raise AmountError(field, "not_a_number", {"value": _shorten(text.strip())})
    return _checked(Decimal(cleaned), text.strip(), field)


def _looks_decimal(text: str) -> bool:
    # Decimal() alone would also take "1e5", "NaN", "1_000" and non-ASCII digits.
    return _DECIMAL_TEXT.fullmatch(text) is not None


def _checked(value: Decimal, shown: str, field: str) -> Decimal:
    if abs(value) >= MAX_ABS_AMOUNT:
        raise AmountError(field, "number_too_large", {"value": _shorten(shown)})
    # Trailing zeros do not count: "1.5000000" is 1.5.
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
        raise AmountError(field, "too_many_decimals",
                          {"value": _shorten(shown), "places": str(MAX_DECIMAL_PLACES)})
    # "-0" and "0.00" are both plain zero for whoever reads them next.
    return Decimal(0) if value == 0 else value


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """The amount for a reader: format_money(Decimal("3.375"), "KWD", "fr_FR") -> "3,375 KWD".

    The currency's ISO 4217 digits are kept: Babel alone would use CLDR's, which differ for
    some currencies (HUF has 2 decimals on an invoice, 0 in CLDR).
    """
    digits = minor_units(currency)
    reader = Locale.parse(locale.replace("-", "_"))
    pattern = copy.copy(reader.currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern.apply(
        round_money(amount, currency), reader, currency=currency, currency_digits=False
    )
