"""A pycrdt peer connected to a room registry through in-memory queues (no sockets)."""

from __future__ import annotations

import asyncio
from typing import Any

from pycrdt import create_sync_message, create_update_message

from invoicer.collab import ConnectionClosed, Editor, RoomRegistry
from invoicer.collab.protocol import AwarenessEntry, awareness_message
from peer_protocol import PeerProtocol


class QueueChannel:
    """The server's end of an in-memory connection."""

    def __init__(self, peer: "MemoryPeer") -> None:
        self.peer = peer
        self.inbox: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def send(self, message: bytes) -> None:
        self.peer.receive(message)

    async def recv(self) -> bytes:
        frame = await self.inbox.get()
        if frame is None:
            raise ConnectionClosed()
        return frame

    async def close(self, code: int, reason: str) -> None:
        self.peer.closed = (code, reason)


class MemoryPeer(PeerProtocol):
    def __init__(self, registry: RoomRegistry, invoice_id: str, editor: Editor) -> None:
        super().__init__()
        self.registry = registry
        self.invoice_id = invoice_id
        self.editor = editor
        self.channel = QueueChannel(self)
        self.closed: tuple[int, str] | None = None
        self.changed = asyncio.Event()
        self._clock = 0
        self._task: asyncio.Task[None] | None = None
        self.doc.observe(self._on_local_change)

    async def connect(self) -> "MemoryPeer":
        self._task = asyncio.create_task(
            self.registry.serve(self.invoice_id, self.channel, self.editor)
        )
        self.send_raw(create_sync_message(self.doc))
        await asyncio.wait_for(self.synced.wait(), 5)
        return self

    def send_raw(self, frame: bytes | None) -> None:
        self.channel.inbox.put_nowait(frame)

    def set_awareness(self, state: dict[str, Any] | None, client_id: int | None = None) -> None:
        self._clock += 1
        entry = AwarenessEntry(client_id or self.doc.client_id, self._clock, state)
        self.send_raw(awareness_message([entry]))

    async def disconnect(self) -> None:
        self.send_raw(None)
        if self._task is not None:
            await asyncio.wait_for(self._task, 5)

    async def finished(self) -> None:
        if self._task is not None:
            await asyncio.wait_for(self._task, 5)

    def _on_local_change(self, event: Any) -> None:
        if self._applying:
            return
        self.send_raw(create_update_message(event.update))

    def receive(self, frame: bytes) -> None:
        self.handle_frame(frame, self.send_raw)
        self.changed.set()


async def until(predicate, timeout: float = 5.0) -> None:
    """Wait until `predicate()` is true, polling briefly; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met within %.1f s" % timeout)
        await asyncio.sleep(0.01)
