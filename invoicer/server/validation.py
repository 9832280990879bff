"""Reading API input: a JSON object body, and fields checked one by one.

Every refusal names the field, so that a client (or a person reading its log) knows what to
fix: 400 when the body is not a JSON object, 413 when it is too large, 422 for a field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from starlette.requests import Request
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError

from ..invoicing.money import AmountError, is_currency, parse_decimal
from .errors import ApiError

__all__ = [
    "MAX_BODY_BYTES",
    "check_fields",
    "country_code",
    "currency_code",
    "date_value",
    "decimal_text",
    "email_address",
    "optional_text",
    "read_object",
    "required_text",
    "vat_number",
]

MAX_BODY_BYTES = 256 * 1024
_COUNTRIES = frozenset(code for code in Locale("en").territories if re.fullmatch("[A-Z]{2}", code))
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
# Countries outside the EU whose VAT numbers python-stdnum checks as such.
_CHECKED_OUTSIDE_EU = frozenset({"GB", "CH", "NO"})
_EU = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


async def read_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object (an empty body is an empty object)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json",
                       f"the body must be a JSON object, not {type(data).__name__}")
    return data


def check_fields(data: dict[str, Any], allowed: Iterable[str]) -> None:
    """Refuse unknown fields: a typo in a field name should not be silently ignored."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError.invalid(unknown[0], f"unknown field; known fields: {', '.join(allowed)}")


def required_text(data: dict[str, Any], field: str, *, max_length: int = 200) -> str:
    value = optional_text(data, field, max_length=max_length)
    if not value:
        raise ApiError.invalid(field, "is required")
    return value


def optional_text(data: dict[str, Any], field: str, *, max_length: int = 200) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError.invalid(field, f"must be a string, not {_json_type(value)}")
    value = value.strip()
    if len(value) > max_length:
        raise ApiError.invalid(field, f"is longer than {max_length} characters")
    if any(ord(char) < 32 and char not in "\n\t" for char in value):
        raise ApiError.invalid(field, "contains control characters")
    return value or None


def decimal_text(data: dict[str, Any], field: str) -> Decimal:
    """A required decimal written as a string ("120.00"): JSON numbers may be floats, which
    money never is."""
    value = data.get(field)
    if value is None:
        raise ApiError.invalid(field, "is required")
    if not isinstance(value, str):
        raise ApiError.invalid(field, f"must be a decimal string such as \"12.50\", not "
                                      f"{_json_type(value)}")
    try:
        return parse_decimal(value)
    except AmountError as error:
        raise ApiError.invalid(field, error.message) from None


def date_value(data: dict[str, Any], field: str) -> date:
    """A required date written YYYY-MM-DD."""
    text = required_text(data, field, max_length=10)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ApiError.invalid(field, f"{text!r} is not a date written YYYY-MM-DD")


def email_address(data: dict[str, Any], field: str = "email") -> str | None:
    value = optional_text(data, field, max_length=254)
    if value is not None and not _EMAIL.fullmatch(value):
        raise ApiError.invalid(field, f"{value!r} is not an email address")
    return value


def country_code(data: dict[str, Any], field: str = "country") -> str | None:
    value = optional_text(data, field, max_length=2)
    if value is None:
        return None
    code = value.upper()
    if code not in _COUNTRIES:
        raise ApiError.invalid(field, f"{value!r} is not an ISO 3166 country code such as FR")
    return code


def currency_code(data: dict[str, Any], field: str = "currency") -> str | None:
    value = optional_text(data, field, max_length=3)
    if value is None:
        return None
    code = value.upper()
    if not is_currency(code):
        raise ApiError.invalid(field, f"{value!r} is not an ISO 4217 currency code such as EUR")
    return code


def vat_number(data: dict[str, Any], country: str | None, field: str = "vat_number") -> str | None:
    """A VAT number, checked by its country's rules when they are known (EU, GB...)."""
    value = optional_text(data, field, max_length=20)
    if value is None:
        return None
    compact = re.sub(r"[\s.\-]", "", value).upper()
    prefix = compact[:2]
    module = _vat_module(prefix if prefix.isalpha() else (country or ""))
    if module is None:
        if not re.fullmatch(r"[A-Z0-9]{2,20}", compact):
            raise ApiError.invalid(field, f"{value!r} is not a VAT number")
        return compact
    try:
        module.validate(compact)
    except ValidationError as error:
        raise ApiError.invalid(field, f"{value!r} is not a valid VAT number ({error})") from None
    return compact


def _vat_module(country: str) -> Any:
    code = "GR" if country.upper() == "EL" else country.upper()
    if code in _EU:
        return get_cc_module("eu", "vat")
    if code in _CHECKED_OUTSIDE_EU:
        return get_cc_module(code.lower(), "vat")
    return None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
