"""The status board socket: a snapshot, then live totals and who is editing, without reload."""

from __future__ import annotations

import asyncio
import json

import websockets

from invoicer.server import close_codes

from .socket_peer import SocketPeer
from .test_interop import add_line, lines_of


class BoardWatcher:
    def __init__(self, url: str) -> None:
        self.url = url
        self.rows: dict[str, dict] = {}
        self.messages = 0

    async def __aenter__(self) -> "BoardWatcher":
        self.socket = await websockets.connect(self.url)
        first = json.loads(await asyncio.wait_for(self.socket.recv(), 10))
        assert first["type"] == "snapshot"
        self.rows = {row["id"]: row for row in first["rows"]}
        self.task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if message["type"] == "invoice":
                self.rows[message["invoice"]["id"]] = message["invoice"]
                self.messages += 1

    async def until(self, predicate, timeout: float = 10) -> dict:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if predicate(self.rows):
                return self.rows
            await asyncio.sleep(0.05)
        raise AssertionError(f"board never showed it; rows: {list(self.rows.values())[:3]}")

    async def __aexit__(self, *exc) -> None:
        self.task.cancel()
        await self.socket.close()


async def test_board_shows_live_totals_editors_and_finalisation(embedded, claire):
    manager = embedded.token("max@demo.test")
    board_url = embedded.ws_url.replace("/ws/invoices", "/ws/board") + f"?token={manager}"
    async with BoardWatcher(board_url) as board:
        assert len(board.rows) >= 5, "the demo organisation shows its invoices"
        invoice_id = await claire.new_draft()
        await board.until(lambda rows: invoice_id in rows)
        assert board.rows[invoice_id]["status"] == "draft"

        editor = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
        await editor.set_awareness({"focus": {"line_id": None, "field": "notes"}})
        await board.until(lambda rows: [e["name"] for e in rows[invoice_id]["editors"]]
                          == ["Claire Dubois"])
        add_line(editor, "L1", "Audit")
        lines_of(editor)[0]["unit_price"] = "250.00"
        await board.until(lambda rows: rows[invoice_id]["gross"] == "300.00")

        await editor.close()
        await board.until(lambda rows: rows[invoice_id]["editors"] == [], timeout=3)

        response = await claire.client.post(f"/api/invoices/{invoice_id}/finalize")
        assert response.status_code == 200, response.text
        await board.until(lambda rows: rows[invoice_id]["status"] == "finalised"
                          and rows[invoice_id]["number"] == response.json()["number"])


async def test_board_needs_a_user(embedded):
    url = embedded.ws_url.replace("/ws/invoices", "/ws/board")
    async with websockets.connect(url) as socket:
        try:
            await asyncio.wait_for(socket.recv(), 5)
        except websockets.ConnectionClosed:
            pass
        assert socket.close_code == close_codes.NOT_AUTHENTICATED
