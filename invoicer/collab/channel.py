"""What a room needs from a transport, and who is on the other end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Editor:
    """The authenticated person behind a connection, as the server knows them."""

    user_id: str
    name: str
    role: str
    color: str
    org_id: str

    def stamp(self) -> dict[str, str]:
        """The `user` field the server writes into every awareness state it accepts."""
        return {"id": self.user_id, "name": self.name, "color": self.color, "role": self.role}


class Channel(Protocol):
    """A bidirectional binary message stream (a WebSocket, or a pair of queues in tests)."""

    async def send(self, message: bytes) -> None: ...

    async def recv(self) -> bytes:
        """The next binary frame; raises `ConnectionClosed` when the peer is gone."""
        ...

    async def close(self, code: int, reason: str) -> None: ...


class ConnectionClosed(Exception):
    """The peer went away; not an error."""
