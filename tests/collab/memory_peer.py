"""A pycrdt peer connected to a room registry through in-memory queues (no sockets)."""

from __future__ import annotations

import asyncio
from typing import Any

from pycrdt import Doc, create_sync_message, create_update_message

from invoicer.collab import ConnectionClosed, Editor, RoomRegistry
from invoicer.collab.protocol import (
    AwarenessEntry,
    awareness_message,
    decode_awareness,
    parse_frame,
    sync_step2_message,
)


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


class MemoryPeer:
    def __init__(self, registry: RoomRegistry, invoice_id: str, editor: Editor) -> None:
        self.registry = registry
        self.invoice_id = invoice_id
        self.editor = editor
        self.doc: Doc = Doc()
        self.channel = QueueChannel(self)
        self.closed: tuple[int, str] | None = None
        self.denied: list[bytes] = []
        self.states: dict[int, tuple[int, dict[str, Any] | None]] = {}
        self.awareness_frames = 0
        self.synced = asyncio.Event()
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
        if getattr(self, "_applying", False):
            return
        self.send_raw(create_update_message(event.update))

    def receive(self, frame: bytes) -> None:
        message = parse_frame(frame)
        if message.type == 0 and message.sync_type == 0:
            self.send_raw(sync_step2_message(self.doc.get_update(message.payload)))
        elif message.type == 0:
            self._applying = True
            try:
                self.doc.apply_update(message.payload)
            finally:
                self._applying = False
            if message.sync_type == 1:
                self.synced.set()
            self.changed.set()
        elif message.type == 1:
            self.awareness_frames += 1
            for entry in decode_awareness(message.payload):
                # The y-protocols rule: only a newer clock (or a removal at the same clock).
                held_clock, held_state = self.states.get(entry.client_id, (-1, None))
                if entry.clock > held_clock or (
                    entry.clock == held_clock and entry.state is None and held_state is not None
                ):
                    self.states[entry.client_id] = (entry.clock, entry.state)
            self.changed.set()
        elif message.type == 2:
            self.denied.append(frame)

    def users(self) -> dict[str, dict[str, Any]]:
        """Awareness states of people (not the server), by stamped user name."""
        return {
            state["user"]["name"]: state
            for _, state in self.states.values()
            if state and "user" in state
        }

    def server_state(self) -> dict[str, Any]:
        for _, state in self.states.values():
            if state and "server" in state:
                return state["server"]
        return {}


async def until(predicate, timeout: float = 5.0) -> None:
    """Wait until `predicate()` is true, polling briefly; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met within %.1f s" % timeout)
        await asyncio.sleep(0.01)
