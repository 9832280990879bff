from datetime import date

import pytest

from invoicer.invoicing.numbering import (
    DEFAULT_PATTERN,
    format_number,
    sequence_key,
    validate_pattern,
)

DAY = date(2026, 3, 7)


@pytest.mark.parametrize(
    ("pattern", "seq", "expected"),
    [
        (DEFAULT_PATTERN, 1, "F2026-00001"),
        (DEFAULT_PATTERN, 42, "F2026-00042"),
        (DEFAULT_PATTERN, 123456, "F2026-123456"),  # outgrows its padding, never wraps
        ("INV-{SEQ}", 7, "INV-7"),
        ("{YY}{MM}/{SEQ:3}", 12, "2603/012"),
        ("FA {YYYY}.{MM}.{SEQ:4}", 5, "FA 2026.03.0005"),
    ],
)
def test_format_number(pattern, seq, expected):
    assert format_number(pattern, seq, DAY) == expected


def test_numbers_restart_each_year_only_with_a_year_in_the_pattern():
    assert sequence_key(DEFAULT_PATTERN, DAY) == "2026"
    assert sequence_key("{YY}-{SEQ}", date(2027, 1, 1)) == "2027"
    assert sequence_key("INV-{SEQ:6}", DAY) == ""
    assert sequence_key("{MM}-{SEQ:6}", DAY) == ""


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty"),
        ("F{YYYY}", "exactly one {SEQ}"),
        ("{SEQ}-{SEQ}", "exactly one {SEQ}"),
        ("F{YEAR}-{SEQ}", "unknown token {YEAR}"),
        ("F{SEQ:0}", "1 to 12 digits"),
        ("F{SEQ:13}", "1 to 12 digits"),
        ("F{SEQ:x}", "unknown token"),
        ("F{SEQ", "outside its {tokens}"),
        ("F<{SEQ}>", "outside its {tokens}"),
        ("F" * 41 + "{SEQ}", "longer than 40"),
    ],
)
def test_validate_pattern_says_what_is_wrong(pattern, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        validate_pattern(pattern)


@pytest.mark.parametrize("seq", [0, -1, True, "3"])
def test_sequence_numbers_start_at_one(seq):
    with pytest.raises(ValueError, match="starts at 1"):
        format_number(DEFAULT_PATTERN, seq, DAY)
