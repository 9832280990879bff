"""Each refusal closes only the offending connection, with its documented code."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from invoicer.server import close_codes

from .socket_peer import SocketPeer
from .test_interop import add_line, lines_of, until


async def close_of(url: str, frames=(), headers=None) -> tuple[int | None, str]:
    async with websockets.connect(url, additional_headers=headers or {}) as socket:
        for frame in frames:
            await socket.send(frame)
        try:
            while True:
                await asyncio.wait_for(socket.recv(), 5)
        except websockets.ConnectionClosed:
            pass
        return socket.close_code, socket.close_reason


async def test_missing_or_bad_token_is_4401(embedded, claire):
    invoice_id = await claire.new_draft()
    assert (await close_of(f"{embedded.ws_url}/{invoice_id}"))[0] == close_codes.NOT_AUTHENTICATED
    code, _ = await close_of(f"{embedded.ws_url}/{invoice_id}?token=nope")
    assert code == close_codes.NOT_AUTHENTICATED


async def test_unknown_invoice_is_4404(embedded, claire):
    code, _ = await close_of(f"{embedded.ws_url}/does-not-exist?token={claire.token}")
    assert code == close_codes.NOT_FOUND


async def test_foreign_origin_is_4403(embedded, claire):
    invoice_id = await claire.new_draft()
    url = f"{embedded.ws_url}/{invoice_id}?token={claire.token}"
    code, reason = await close_of(url, headers={"Origin": "http://evil.example"})
    assert code == close_codes.FORBIDDEN and "origin" in reason


@pytest.mark.parametrize("frame, code", [
    ("a text frame", close_codes.MALFORMED),
    (b"", close_codes.MALFORMED),
    (b"\x00\x02\xff", close_codes.MALFORMED),
    (b"\x09", close_codes.MALFORMED),
])
async def test_malformed_frames_close_only_that_connection(embedded, claire, frame, code):
    invoice_id = await claire.new_draft()
    good = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
    url = f"{embedded.ws_url}/{invoice_id}?token={claire.token}"
    got, reason = await close_of(url, [frame])
    assert got == code and reason
    add_line(good, "L1", "still editing")
    other = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
    await until(lambda: len(lines_of(other)) == 1)
    assert good.close_code is None
    await good.close()
    await other.close()


async def test_oversize_frame_is_4413(server_factory):
    server = server_factory(INVOICER_MAX_MESSAGE_BYTES="4096")
    from .conftest import Api

    api = Api(server.url, server.token("claire@demo.test"))
    invoice_id = await api.new_draft()
    code, reason = await close_of(f"{server.ws_url}/{invoice_id}?token={api.token}",
                                  [b"\x00\x02" + b"\x00" * 10_000])
    assert code == close_codes.TOO_LARGE and "INVOICER_MAX_MESSAGE_BYTES" in reason
    await api.close()


async def test_read_only_member_is_refused_and_others_never_see_it(embedded, claire):
    invoice_id = await claire.new_draft()
    writer = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
    add_line(writer, "L1", "Audit")
    viewer = await SocketPeer(embedded.ws_url, invoice_id,
                              embedded.token("vera@demo.test")).connect()
    await until(lambda: len(lines_of(viewer)) == 1)
    lines_of(viewer)[0]["unit_price"] = "0.01"
    code, reason = await viewer.wait_closed()
    assert code == close_codes.FORBIDDEN and "viewer" in reason
    assert viewer.denied
    await asyncio.sleep(0.2)
    assert lines_of(writer)[0]["unit_price"] == "10.00"
    assert (await claire.invoice(invoice_id))["lines"][0]["unit_price"] == "10.00"
    await writer.close()
