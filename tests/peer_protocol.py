"""What every pycrdt test peer does with a frame from the server, whatever its transport."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pycrdt import Doc

from invoicer.collab.protocol import decode_awareness, parse_frame, sync_step2_message


class PeerProtocol:
    """A document, the awareness states seen, and the y-protocols rules for applying them."""

    def __init__(self) -> None:
        self.doc: Doc = Doc()
        self.states: dict[int, tuple[int, dict[str, Any] | None]] = {}
        self.synced = asyncio.Event()
        self.denied: list[bytes] = []
        self.awareness_frames = 0
        self._applying = False

    def handle_frame(self, frame: bytes, reply: Callable[[bytes], None]) -> None:
        message = parse_frame(frame)
        if message.type == 0 and message.sync_type == 0:
            reply(sync_step2_message(self.doc.get_update(message.payload)))
        elif message.type == 0:
            self._applying = True  # not an edit of ours: do not send it back
            try:
                self.doc.apply_update(message.payload)
            finally:
                self._applying = False
            if message.sync_type == 1:
                self.synced.set()
        elif message.type == 1:
            self.awareness_frames += 1
            for entry in decode_awareness(message.payload):
                # The y-protocols rule: only a newer clock (or a removal at the same clock).
                held_clock, held_state = self.states.get(entry.client_id, (-1, None))
                if entry.clock > held_clock or (
                    entry.clock == held_clock and entry.state is None and held_state is not None
                ):
                    self.states[entry.client_id] = (entry.clock, entry.state)
        elif message.type == 2:
            self.denied.append(frame)

    def users(self) -> dict[str, dict[str, Any]]:
        """Awareness states of people (not the server), by stamped user name."""
        return {s["user"]["name"]: s for _, s in self.states.values() if s and "user" in s}

    def server_state(self) -> dict[str, Any]:
        for _, state in self.states.values():
            if state and "server" in state:
                return state["server"]
        return {}
