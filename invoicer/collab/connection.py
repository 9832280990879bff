"""One editor's socket inside a room: its identity, its awareness ids and its send queue."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

from .channel import Channel, Editor

log = logging.getLogger("invoicer.collab.connection")

# A connection that falls this many frames behind is closed rather than slowing the room or
# growing without bound; its provider reconnects and resynchronises.
SEND_QUEUE_FRAMES = 2048


class Connection:
    def __init__(self, channel: Channel, editor: Editor, invoice_id: str) -> None:
        self.id = secrets.token_hex(8)
        self.channel = channel
        self.editor = editor
        self.invoice_id = invoice_id
        self.client_ids: set[int] = set()
        self.since = time.time()
        self.presence: dict[str, Any] | None = None
        self._queue: asyncio.Queue[bytes | tuple[int, str]] = asyncio.Queue(SEND_QUEUE_FRAMES)
        self._writer = asyncio.create_task(self._write_forever())
        self._closing = False

    def send(self, frame: bytes) -> None:
        """Queue a frame; never blocks the room."""
        if self._closing:
            return
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("closing the connection of user %s to invoice %s: %d frames unsent",
                        self.editor.user_id, self.invoice_id, SEND_QUEUE_FRAMES)
            self._closing = True
            self._writer.cancel()
            asyncio.create_task(self._close_now(1013, "too far behind; reconnect"))

    def close_soon(self, code: int, reason: str) -> None:
        """Close after the frames already queued (for example a refusal message) are sent."""
        if self._closing:
            return
        self._closing = True
        try:
            self._queue.put_nowait((code, reason))
        except asyncio.QueueFull:
            self._writer.cancel()
            asyncio.create_task(self._close_now(code, reason))

    async def wait_closed(self) -> None:
        try:
            await self._writer
        except asyncio.CancelledError:
            pass

    async def stop(self) -> None:
        self._writer.cancel()
        await self.wait_closed()

    async def _write_forever(self) -> None:
        while True:
            item = await self._queue.get()
            if isinstance(item, tuple):
                await self._close_now(*item)
                return
            try:
                await self.channel.send(item)
            except Exception:
                return

    async def _close_now(self, code: int, reason: str) -> None:
        try:
            await self.channel.close(code, _fit(reason))
        except Exception:
            pass


def _fit(reason: str) -> str:
    """A close reason may hold at most 123 bytes of UTF-8."""
    encoded = reason.encode()
    if len(encoded) <= 123:
        return reason
    return encoded[:120].decode(errors="ignore") + "..."
