"""Invoice number patterns such as "F{YYYY}-{SEQ:5}" -> "F2026-00042".

Tokens: {YYYY} the year, {YY} its last two digits, {MM} the month, {SEQ} the sequence
number and {SEQ:n} the same padded with zeros to n digits. A pattern with a year restarts
its numbers each year, which is what `sequence_key` tells the storage layer.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["DEFAULT_PATTERN", "format_number", "sequence_key", "validate_pattern"]

DEFAULT_PATTERN = "F{YYYY}-{SEQ:5}"
MAX_PATTERN_LENGTH = 40
MAX_PADDING = 12

_TOKEN = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"SEQ(?::(\d{1,2}))?")
_DATE_TOKENS = frozenset({"YYYY", "YY", "MM"})
_YEAR_TOKENS = frozenset({"YYYY", "YY"})
# Literal text is kept to what reads well on an invoice and in a file name.
_LITERAL = re.compile(r"[A-Za-z0-9_./\- ]*")


def validate_pattern(pattern: str) -> None:
    """Raise ValueError, with a message for the person who typed it, if unusable."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError("the number pattern is empty")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"the number pattern is longer than {MAX_PATTERN_LENGTH} characters")
    tokens = _TOKEN.findall(pattern)
    literal = _TOKEN.sub("", pattern)
    if not _LITERAL.fullmatch(literal):
        raise ValueError(
            "outside its {tokens}, a number pattern may hold letters, digits, spaces and - _ . /"
        )
    sequences = 0
    for token in tokens:
        if token in _DATE_TOKENS:
            continue
        match = _SEQ.fullmatch(token)
        if match is None:
            raise ValueError(
                f"unknown token {{{token}}}; use {{YYYY}}, {{YY}}, {{MM}}, {{SEQ}} or {{SEQ:n}}"
            )
        width = int(match.group(1) or 1)
        if not 1 <= width <= MAX_PADDING:
            raise ValueError(f"{{SEQ:n}} pads to 1 to {MAX_PADDING} digits, not {width}")
        sequences += 1
    if sequences != 1:
        raise ValueError("the number pattern needs exactly one {SEQ} or {SEQ:n}")


def format_number(pattern: str, seq: int, day: date) -> str:
    """The `seq`-th number of a sequence on `day`: ("F{YYYY}-{SEQ:5}", 42) -> "F2026-00042"."""
    validate_pattern(pattern)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"a sequence number starts at 1, not {seq!r}")

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "YYYY":
            return f"{day.year:04d}"
        if token == "YY":
            return f"{day.year % 100:02d}"
        if token == "MM":
            return f"{day.month:02d}"
        width = int(token.partition(":")[2] or 1)
        return str(seq).zfill(width)

    return _TOKEN.sub(replace, pattern)


def sequence_key(pattern: str, day: date) -> str:
    """Which counter a number comes from: the year ("2026") when the pattern shows it, else ""."""
    validate_pattern(pattern)
    if _YEAR_TOKENS & set(_TOKEN.findall(pattern)):
        return f"{day.year:04d}"
    return ""
