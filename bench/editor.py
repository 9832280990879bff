"""A simulated editor: a pycrdt document on a real WebSocket, behaving as a browser tab does.

It syncs (step 1 / step 2), types one character per keystroke into the description of its own
line, sends its cursor in awareness every few keystrokes, and, like the npm y-websocket
provider, sends back every awareness change it receives (the provider's awareness handler does
not look at the origin). Relays that forward repeated awareness entries therefore cost n^2
messages per presence change; relays that drop entries not newer than the one held do not.

Latency is measured from the document content, so it survives servers that merge or re-encode
updates: keystroke k of a line inserts one character at index k, the `Ledger` keeps when each
was typed, and every other editor, when a text event inserts at [k, k + n), records now minus
those times. All editors run in one process, so they share one monotonic clock.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pycrdt import (
    Array,
    Awareness,
    Doc,
    Map,
    Text,
    TextEvent,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from wire import AUTH, AWARENESS, QUERY_AWARENESS, SYNC, Framing, Message

SENTENCE = "Consulting services for the spring release, 12 days on site. "
COLOURS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6")


@dataclass
class Ledger:
    """Send times of every keystroke (by line id) and the fan-out latencies observed."""

    sent: dict[str, list[float]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    last_receipt: float = 0.0

    def typed(self, line_id: str, at: float) -> None:
        self.sent.setdefault(line_id, []).append(at)

    def received(self, line_id: str, start: int, count: int, at: float) -> None:
        times = self.sent.get(line_id, [])
        for index in range(start, min(start + count, len(times))):
            self.latencies.append(at - times[index])
        self.last_receipt = at


class Editor:
    def __init__(self, name: str, url: str, framing: Framing, ledger: Ledger,
                 *, echo_awareness: bool = True) -> None:
        self.name = name
        self.url = url
        self.framing = framing
        self.ledger = ledger
        self.echo_awareness = echo_awareness
        self.doc: Doc = Doc()
        self.lines = self.doc.get("lines", type=Array)
        self.awareness = Awareness(self.doc)
        self.awareness.observe(self._on_awareness)
        self.synced = asyncio.Event()
        self.changed = asyncio.Event()
        self.join_started = 0.0
        self.sync_seconds: float | None = None
        self.awareness_received = 0
        self.refusals = 0
        self.keystrokes = 0
        self.line_id = secrets.token_hex(6)
        self.closed_by_server: str | None = None
        self._text: Text | None = None
        self._watched: list[tuple[Text, Any]] = []
        self._socket: ClientConnection | None = None
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._leaving = False

    # -- connection ---------------------------------------------------------------------------

    async def join(self, timeout: float) -> None:
        """Connect, send sync step 1 and the first awareness state, wait for sync step 2."""
        started = self.join_started = time.perf_counter()
        # Browsers send no WebSocket pings (the provider has its own timeout); neither do we.
        self._socket = await connect(self.url, compression=None, max_size=None, proxy=None,
                                     open_timeout=timeout, ping_interval=None)
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._write())]
        for frame in self.framing.opening():
            await self._socket.send(frame)
        self._send(create_sync_message(self.doc))
        self._set_state(0)
        await asyncio.wait_for(self.synced.wait(), timeout)
        self.sync_seconds = time.perf_counter() - started

    async def leave(self) -> None:
        self._leaving = True
        if self._socket is not None:
            try:
                await asyncio.wait_for(self._socket.close(), 5)
            except (asyncio.TimeoutError, OSError):
                pass
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- editing ------------------------------------------------------------------------------

    def add_line(self) -> None:
        """Add this editor's own line, as pressing Enter in the editor does."""
        line = Map({"id": self.line_id, "description": Text(""), "quantity": "1",
                    "unit_price": "120.00", "vat_rate": "20", "discount": "0", "unit": "C62"})
        self._change(lambda: self.lines.append(line))

    def watch_lines(self) -> None:
        """Observe every other line's description to time the keystrokes arriving there."""
        for line in self.lines:
            line_id = str(line["id"])
            text = line["description"]
            if line_id == self.line_id:
                self._text = text
                continue
            # pycrdt passes the transaction too to callbacks of two parameters: bind the id.
            subscription = text.observe(partial(self._on_text, line_id))
            self._watched.append((text, subscription))

    async def type_keys(self, start_at: float, count: int, period: float,
                        awareness_every: int) -> None:
        """Type `count` characters at a fixed rate, from `start_at` (a perf_counter time)."""
        assert self._text is not None, "watch_lines() first"
        text = self._text
        for k in range(count):
            delay = start_at + k * period - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.closed_by_server is not None:
                return
            char = SENTENCE[k % len(SENTENCE)]
            self._change(lambda: text.insert(k, char))
            self.ledger.typed(self.line_id, time.perf_counter())
            self.keystrokes += 1
            if (k + 1) % awareness_every == 0:
                self._set_state(k + 1)

    def type_now(self, count: int) -> None:
        """Type `count` characters at once at the end of the own line, one update each."""
        assert self._text is not None, "watch_lines() first"
        text = self._text
        for _ in range(count):
            end = len(text)
            self._change(lambda: text.insert(end, SENTENCE[end % len(SENTENCE)]))
            self.keystrokes += 1

    def own_text(self) -> str:
        return str(self._text) if self._text is not None else ""

    def characters(self) -> int:
        """Characters in all line descriptions."""
        return sum(len(line["description"]) for line in self.lines)

    def texts(self) -> dict[str, str]:
        return {str(line["id"]): str(line["description"]) for line in self.lines}

    def _change(self, edit: Any) -> None:
        before = self.doc.get_state()
        edit()
        self._send(create_update_message(self.doc.get_update(before)))

    def _set_state(self, index: int) -> None:
        colour = COLOURS[hash(self.name) % len(COLOURS)]
        self.awareness.set_local_state({
            "user": {"name": self.name, "color": colour},
            "focus": {"line_id": self.line_id, "field": "description"},
            "cursor": {"index": index},
        })

    # -- socket -------------------------------------------------------------------------------

    def _send(self, body: bytes) -> None:
        self._outbox.put_nowait(body)

    async def _write(self) -> None:
        assert self._socket is not None
        try:
            while True:
                body = await self._outbox.get()
                await self._socket.send(self.framing.wrap(body))
        except ConnectionClosed:
            self._note_closed()

    async def _read(self) -> None:
        assert self._socket is not None
        try:
            async for frame in self._socket:
                if isinstance(frame, bytes) and frame:
                    message = self.framing.unwrap(frame)
                    if message is not None:
                        self._handle(message)
        except ConnectionClosed:
            pass
        self._note_closed()

    def _note_closed(self) -> None:
        if not self._leaving and self.closed_by_server is None and self._socket is not None:
            code = self._socket.close_code
            self.closed_by_server = f"{code} {self._socket.close_reason or ''}".strip()

    def _handle(self, message: Message) -> None:
        if message.type == SYNC:
            reply = handle_sync_message(message.body[1:], self.doc)
            if reply is not None:
                self._send(reply)
            self.changed.set()
            if message.sync_type == 1 and not self.synced.is_set():
                self.synced.set()
        elif message.type == AWARENESS:
            self.awareness_received += 1
            self.awareness.apply_awareness_update(message.payload, "remote")
        elif message.type == QUERY_AWARENESS:
            own = self.awareness.encode_awareness_update([self.awareness.client_id])
            self._send(create_awareness_message(own))
        elif message.type == AUTH:
            self.refusals += 1

    def _on_awareness(self, topic: str, change: tuple[dict[str, Any], Any]) -> None:
        if topic != "update":
            return
        changes, origin = change
        if origin != "local" and not self.echo_awareness:
            return
        clients = changes["added"] + changes["updated"] + changes["removed"]
        self._send(create_awareness_message(self.awareness.encode_awareness_update(clients)))

    def _on_text(self, line_id: str, event: TextEvent) -> None:
        now = time.perf_counter()
        position = 0
        for op in event.delta:
            if "retain" in op:
                position += op["retain"]
            elif "insert" in op:
                inserted = len(op["insert"])
                self.ledger.received(line_id, position, inserted, now)
                position += inserted

