"""A pycrdt client over a real WebSocket, speaking the y-websocket protocol to the server."""

from __future__ import annotations

import asyncio
from typing import Any

import websockets
from pycrdt import create_sync_message, create_update_message

from invoicer.collab.protocol import AwarenessEntry, awareness_message
from peer_protocol import PeerProtocol


class SocketPeer(PeerProtocol):
    def __init__(self, ws_url: str, invoice_id: str, token: str | None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__()
        self.url = f"{ws_url}/{invoice_id}" + (f"?token={token}" if token else "")
        self.headers = headers or {}
        self.close_code: int | None = None
        self.close_reason = ""
        self._socket: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._clock = 0
        self.doc.observe(self._on_local_change)

    async def connect(self, wait_sync: bool = True) -> "SocketPeer":
        self._socket = await websockets.connect(self.url, additional_headers=self.headers,
                                                max_size=None)
        self._reader = asyncio.create_task(self._read_forever())
        await self.send(create_sync_message(self.doc))
        if wait_sync:
            await asyncio.wait_for(self.synced.wait(), 10)
        return self

    async def send(self, frame: bytes | str) -> None:
        await self._socket.send(frame)

    def _on_local_change(self, event: Any) -> None:
        if not self._applying and self._socket is not None:
            asyncio.get_running_loop().create_task(self.send(create_update_message(event.update)))

    async def set_awareness(self, state: dict[str, Any] | None) -> None:
        self._clock += 1
        await self.send(awareness_message([AwarenessEntry(self.doc.client_id, self._clock,
                                                         state)]))

    async def _read_forever(self) -> None:
        try:
            async for frame in self._socket:
                self._receive(frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self._socket.close_code
            self.close_reason = self._socket.close_reason or ""

    def _receive(self, frame: bytes) -> None:
        self.handle_frame(frame, self._reply_soon)

    def _reply_soon(self, frame: bytes) -> None:
        asyncio.get_running_loop().create_task(self.send(frame))

    async def wait_closed(self, timeout: float = 5) -> tuple[int | None, str]:
        if self._reader is not None:
            await asyncio.wait_for(self._reader, timeout)
        return self.close_code, self.close_reason

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
