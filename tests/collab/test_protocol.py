"""Malformed input closes only the connection that sent it, with its close code."""

from __future__ import annotations

import os

import pytest

from invoicer.collab import ProtocolError
from invoicer.collab.draftdoc import doc_to_json, roots
from invoicer.collab.protocol import (
    AwarenessEntry,
    awareness_message,
    decode_awareness,
    parse_frame,
)

from .conftest import EDITORS
from .memory_peer import MemoryPeer, until

BAD_FRAMES = {
    "empty": b"",
    "unknown type": b"\x07\x00",
    "truncated varint": b"\x00\x02\xff",
    "unknown sync step": b"\x00\x09\x00",
    "length past end": b"\x00\x02\x10ab",
    "awareness not json": b"\x01\x06\x01\x05\x01\x02{x",
    "random bytes": bytes([0, 2]) + os.urandom(64),
}


@pytest.mark.parametrize("name", sorted(BAD_FRAMES))
async def test_bad_frame_closes_that_connection_only(registry, name):
    claire = await MemoryPeer(registry, "inv1", EDITORS["claire"]).connect()
    sam = await MemoryPeer(registry, "inv1", EDITORS["sam"]).connect()
    sam.send_raw(BAD_FRAMES[name])
    await until(lambda: sam.closed is not None)
    assert sam.closed[0] == 4400
    roots(claire.doc)[1].insert(len(roots(claire.doc)[1]), " still here")
    third = await MemoryPeer(registry, "inv1", EDITORS["vera"]).connect()
    await until(lambda: "still here" in doc_to_json(third.doc)["notes"])
    assert claire.closed is None


async def test_oversize_frame_is_refused_with_4413(hooks):
    from invoicer.collab import RoomRegistry, make_backends

    registry = RoomRegistry(hooks, backends=await make_backends(None), max_message_bytes=1000)
    claire = await MemoryPeer(registry, "inv1", EDITORS["claire"]).connect()
    claire.send_raw(b"\x00\x02" + b"\x00" * 2000)
    await until(lambda: claire.closed is not None)
    assert claire.closed[0] == 4413 and "INVOICER_MAX_MESSAGE_BYTES" in claire.closed[1]
    await registry.close()


def test_awareness_round_trip():
    entries = [AwarenessEntry(7, 3, {"a": 1}), AwarenessEntry(9, 1, None)]
    message = parse_frame(awareness_message(entries))
    assert decode_awareness(message.payload) == entries


@pytest.mark.parametrize("frame", [b"\x80", b"\x00", b"\x00\x00\x05ab", b"\x01\x03\x01\x01"])
def test_parse_frame_names_what_is_wrong(frame):
    with pytest.raises(ProtocolError) as error:
        parse_frame(frame)
    assert str(error.value)
