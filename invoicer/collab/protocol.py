"""The y-websocket framing (y-protocols): sync (0), awareness (1), auth (2), query awareness (3).

Every incoming frame is parsed here, once, into a `Message`; anything that does not parse raises
`ProtocolError` so that the caller closes that one connection and nothing else. Encoding uses
pycrdt's helpers; this module only adds the checks a server facing the network needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pycrdt import (
    Decoder,
    Encoder,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    write_var_uint,
)
from pycrdt._sync import create_sync_step2_message

from .errors import ProtocolError

AUTH = 2
AUTH_PERMISSION_DENIED = 0
EMPTY_UPDATE = b"\x00\x00"

__all__ = [
    "AwarenessEntry",
    "Message",
    "auth_denied_message",
    "awareness_message",
    "create_sync_message",
    "create_update_message",
    "decode_awareness",
    "parse_frame",
    "sync_step2_message",
]


@dataclass(frozen=True)
class Message:
    """One parsed frame. `sync_type` is set for sync frames, `payload` holds their bytes."""

    type: int
    sync_type: int | None = None
    payload: bytes = b""


@dataclass(frozen=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state: dict[str, Any] | None


def parse_frame(frame: bytes) -> Message:
    """Parse one binary frame; raise `ProtocolError` saying what is wrong with it."""
    if not frame:
        raise ProtocolError("empty frame")
    decoder = Decoder(frame)
    message_type = _read_uint(decoder, "message type")
    if message_type == YMessageType.SYNC:
        sync_type = _read_uint(decoder, "sync step")
        if sync_type not in (
            YSyncMessageType.SYNC_STEP1,
            YSyncMessageType.SYNC_STEP2,
            YSyncMessageType.SYNC_UPDATE,
        ):
            raise ProtocolError(f"unknown sync message type {sync_type} (expected 0, 1 or 2)")
        return Message(message_type, sync_type, _read_payload(decoder, "sync payload"))
    if message_type == YMessageType.AWARENESS:
        return Message(message_type, None, _read_payload(decoder, "awareness payload"))
    if message_type == 3:  # query awareness: no payload
        return Message(message_type)
    if message_type == AUTH:
        return Message(message_type)
    raise ProtocolError(f"unknown message type {message_type} (expected 0, 1, 2 or 3)")


def decode_awareness(payload: bytes) -> list[AwarenessEntry]:
    """Decode an awareness update: varuint count, then (client id, clock, JSON state)."""
    decoder = Decoder(payload)
    count = _read_uint(decoder, "awareness entry count")
    if count > 10_000:
        raise ProtocolError(f"awareness update lists {count} clients (at most 10000)")
    entries = []
    for index in range(count):
        client_id = _read_uint(decoder, f"client id of awareness entry {index}")
        clock = _read_uint(decoder, f"clock of awareness entry {index}")
        raw = _read_payload(decoder, f"state of awareness entry {index}")
        entries.append(AwarenessEntry(client_id, clock, _parse_state(raw, index)))
    return entries


def awareness_message(entries: list[AwarenessEntry]) -> bytes:
    """Encode entries as one awareness frame (the inverse of `decode_awareness`)."""
    encoder = Encoder()
    encoder.write_var_uint(len(entries))
    for entry in entries:
        encoder.write_var_uint(entry.client_id)
        encoder.write_var_uint(entry.clock)
        state = "null" if entry.state is None else json.dumps(entry.state, separators=(",", ":"))
        encoder.write_var_string(state)
    return create_awareness_message(encoder.to_bytes())


def sync_step2_message(update: bytes) -> bytes:
    return create_sync_step2_message(update)


def auth_denied_message(reason: str) -> bytes:
    """The y-protocols auth message that standard providers report as "permission denied"."""
    encoder = Encoder()
    encoder.write_var_string(reason)
    return write_var_uint(AUTH) + write_var_uint(AUTH_PERMISSION_DENIED) + encoder.to_bytes()


def _read_uint(decoder: Decoder, what: str) -> int:
    if decoder.length <= 0:
        raise ProtocolError(f"frame ends before the {what}")
    try:
        value = decoder.read_var_uint()
    except (IndexError, RuntimeError) as exc:
        raise ProtocolError(f"truncated varint in the {what}") from exc
    if decoder.length < 0:
        raise ProtocolError(f"truncated varint in the {what}")
    return value


def _read_payload(decoder: Decoder, what: str) -> bytes:
    length = _read_uint(decoder, f"length of the {what}")
    if length > decoder.length:
        raise ProtocolError(
            f"the {what} announces {length} bytes but only {decoder.length} follow"
        )
    start = decoder.i0
    decoder.i0 += length
    decoder.length -= length
    return bytes(decoder.stream[start : start + length])


def _parse_state(raw: bytes, index: int) -> dict[str, Any] | None:
    try:
        state = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"state of awareness entry {index} is not JSON") from exc
    if state is not None and not isinstance(state, dict):
        raise ProtocolError(f"state of awareness entry {index} is not a JSON object")
    return state
