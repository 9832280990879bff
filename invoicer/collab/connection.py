"""One editor's socket inside a room: its identity, its awareness ids and its send queue."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

from pycrdt import create_update_message, merge_updates

from .channel import Channel, Editor
from .protocol import parse_frame

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
            return
        except asyncio.QueueFull:
            pass
        if self._coalesce():
            self._queue.put_nowait(frame)
        else:
            log.warning("closing the connection of user %s to invoice %s: %d frames unsent",
                        self.editor.user_id, self.invoice_id, SEND_QUEUE_FRAMES)
            self._closing = True
            self._writer.cancel()
            asyncio.create_task(self._close_now(1013, "too far behind; reconnect"))

    def _coalesce(self) -> bool:
        """Merge the queued document updates into one frame; True when that made room.

        A burst (someone pastes, a script writes) queues many small updates for a slow
        reader; one merged update says the same, so the reader catches up instead of being
        dropped.
        """
        queued: list[bytes | tuple[int, str]] = []
        while not self._queue.empty():
            queued.append(self._queue.get_nowait())
        updates = [item for item in queued if isinstance(item, bytes) and _is_update(item)]
        kept: list[bytes | tuple[int, str]] = []
        merged_at = None
        for item in queued:
            if isinstance(item, bytes) and _is_update(item):
                if merged_at is None:
                    merged_at = len(kept)
                    kept.append(b"")
                continue
            kept.append(item)
        if merged_at is not None:
            payloads = [parse_frame(frame).payload for frame in updates]
            kept[merged_at] = create_update_message(merge_updates(*payloads))
        for item in kept:
            self._queue.put_nowait(item)
        return not self._queue.full()

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


def _is_update(frame: bytes) -> bool:
    return frame[:2] == b"\x00\x02"


def _fit(reason: str) -> str:
    """A close reason may hold at most 123 bytes of UTF-8."""
    encoded = reason.encode()
    if len(encoded) <= 123:
        return reason
    return encoded[:120].decode(errors="ignore") + "..."
