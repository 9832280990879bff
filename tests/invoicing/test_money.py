from decimal import Decimal

import pytest

from invoicer.invoicing.money import (
    AMOUNT_MESSAGES,
    AmountError,
    CurrencyError,
    format_money,
    is_currency,
    minor_units,
    parse_decimal,
    round_money,
    to_plain,
)


@pytest.mark.parametrize(
    ("currency", "digits"),
    [
        ("EUR", 2), ("USD", 2), ("GBP", 2), ("CHF", 2), ("HUF", 2), ("TWD", 2),
        ("JPY", 0), ("KRW", 0), ("ISK", 0), ("XOF", 0),
        ("KWD", 3), ("BHD", 3), ("TND", 3), ("IQD", 3), ("OMR", 3),
    ],
)
def test_minor_units_follow_iso_4217(currency, digits):
    assert minor_units(currency) == digits


@pytest.mark.parametrize("code", ["", "eur", "EURO", "ZZZ", "FRF", "DEM", "XAU", "XXX", "XTS"])
def test_minor_units_refuse_codes_that_are_not_invoiceable(code):
    with pytest.raises(CurrencyError, match="ISO 4217"):
        minor_units(code)


def test_currency_error_is_a_value_error():
    assert issubclass(CurrencyError, ValueError)
    assert not is_currency(None)


def test_recently_withdrawn_currency_is_kept_for_credit_notes():
    assert is_currency("HRK")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "EUR", "0.01"),
        ("0.0049", "EUR", "0.00"),
        ("-0.005", "EUR", "-0.01"),  # half away from zero: a credit note mirrors its invoice
        ("2.675", "EUR", "2.68"),
        ("100.5", "JPY", "101"),
        ("3.3755", "KWD", "3.376"),
        ("1.125", "HUF", "1.13"),
    ],
)
def test_round_money_is_half_up_to_the_minor_unit(amount, currency, expected):
    rounded = round_money(Decimal(amount), currency)
    assert str(rounded) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", "12.50"),
        ("12,50", "12.50"),
        ("  7 ", "7"),
        ("-3", "-3"),
        ("+2", "2"),
        (".5", "0.5"),
        ("1 000,25", "1000.25"),
        ("1\u202f000", "1000"),
        ("0.123456", "0.123456"),
        ("1.5000000", "1.5000000"),
        (42, "42"),
        (Decimal("9.99"), "9.99"),
        ("-0", "0"),
    ],
)
def test_parse_decimal_accepts_what_people_type(text, expected):
    assert parse_decimal(text) == Decimal(expected)
    assert str(parse_decimal(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a number is required"),
        ("   ", "a number is required"),
        (None, "a number is required"),
        ("abc", "«abc» is not a number"),
        ("1e5", "«1e5» is not a number"),
        ("NaN", "«NaN» is not a number"),
        ("Infinity", "«Infinity» is not a number"),
        ("-inf", "«-inf» is not a number"),
        ("1_000", "not a number"),
        ("1,000.50", "not a number"),
        ("1.2.3", "not a number"),
        ("١٢", "not a number"),
        ("0x10", "not a number"),
        ("-", "not a number"),
        ("0.1234567", "more than 6 decimals"),
        ("1000000000000", "too large"),
        ("-1000000000000", "too large"),
        (Decimal("NaN"), "not a number"),
        (Decimal("1E+20"), "too large"),
        (True, "a number is required"),
        (1.5, "not float"),
    ],
)
def test_parse_decimal_refuses_with_a_readable_message(text, message):
    with pytest.raises(AmountError) as caught:
        parse_decimal(text, field="quantity")
    assert message in caught.value.message
    assert caught.value.field == "quantity"
    assert str(caught.value).startswith("quantity: ")


def test_parse_decimal_shortens_huge_input_in_its_message():
    with pytest.raises(AmountError) as caught:
        parse_decimal("x" * 10_000)
    assert len(caught.value.message) < 80


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("3.375", "KWD", "en_US", "KWD3.375"),
        ("3.375", "KWD", "fr_FR", "3,375\u00a0KWD"),
        ("202", "JPY", "en_US", "¥202"),
        ("1234.5", "EUR", "fr_FR", "1\u202f234,50\u00a0€"),
        ("1234.5", "EUR", "en-GB", "€1,234.50"),
        ("-81.99", "EUR", "en_US", "-€81.99"),
        ("1234.5", "HUF", "hu_HU", "1\u00a0234,50\u00a0Ft"),
        ("0.125", "EUR", "en_US", "€0.13"),
    ],
)
def test_format_money_keeps_the_currency_digits(amount, currency, locale, expected):
    assert format_money(Decimal(amount), currency, locale) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("20", "20"), ("20.00", "20"), ("5.50", "5.5"), ("0.000", "0"), ("1E+3", "1000")],
)
def test_to_plain_writes_rates_without_trailing_zeros(value, expected):
    assert to_plain(Decimal(value)) == expected


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "number_required", {}),
        ("abc", "not_a_number", {"value": "abc"}),
        ("1000000000000", "number_too_large", {"value": "1000000000000"}),
        ("0.1234567", "too_many_decimals", {"value": "0.1234567", "places": "6"}),
        (1.5, "number_wrong_type", {"type": "float"}),
    ],
)
def test_an_amount_error_names_what_is_wrong_by_a_code_a_page_can_translate(text, code, params):
    with pytest.raises(AmountError) as caught:
        parse_decimal(text, field="unit_price")
    assert (caught.value.code, caught.value.params) == (code, params)
    assert caught.value.message == AMOUNT_MESSAGES[code].format(**params)
