"""The organisation's hash chain of issued invoices (inalterability).

Each finalised invoice or credit note is linked to the previous one by
SHA-256(previous hash + canonical bytes of the invoice record). Re-computing the chain from
the stored rows shows the first record that no longer matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from .money import to_plain

__all__ = ["GENESIS", "canonical_bytes", "chain_hash"]

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    # Decimals are written without trailing zeros so that the same amount read back from a
    # NUMERIC column of another scale ("12.50" or "12.500") hashes the same.
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        raise TypeError("floats have no place in an invoice record; use Decimal")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"{value} is not an amount")
        return to_plain(value)
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    raise TypeError(f"cannot put a {type(value).__name__} in an invoice record")


def canonical_bytes(record: Mapping[str, Any]) -> bytes:
    """The record as compact JSON with sorted keys and decimals as strings, in UTF-8."""
    return json.dumps(
        _plain(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def chain_hash(previous_hash: str, record: Mapping[str, Any]) -> str:
    """Hex SHA-256 over the previous hash (ASCII) followed by the record's canonical bytes."""
    digest = hashlib.sha256(previous_hash.encode("ascii"))
    digest.update(canonical_bytes(record))
    return digest.hexdigest()
