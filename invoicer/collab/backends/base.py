"""The three interfaces that differ between one process and many: presence, locks, fan-out.

Each has an in-memory implementation (embedded mode, one process) and a Redis one (scaled out).
The rest of the code only sees these protocols.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Protocol


@dataclass(frozen=True)
class Lease:
    """A held lock: `token` is a fencing token, strictly increasing per key."""

    key: str
    owner: str
    token: int


class PresenceStore(Protocol):
    async def set(self, invoice_id: str, connection: str, entry: dict[str, Any]) -> None: ...

    async def remove(self, invoice_id: str, connection: str) -> None: ...

    async def editors(self, invoice_id: str) -> list[dict[str, Any]]:
        """Who is in this invoice now, one entry per person, longest-present first."""
        ...


class LockManager(Protocol):
    async def acquire(self, key: str, owner: str, ttl_ms: int) -> Lease | None:
        """The lease, or None when someone else holds the key."""
        ...

    async def renew(self, lease: Lease, ttl_ms: int) -> bool: ...

    async def release(self, lease: Lease) -> None: ...

    async def release_key(self, key: str, owner: str) -> None:
        """Release whatever lease `owner` holds on `key` (claims are released by person)."""
        ...

    async def holder(self, key: str) -> str | None: ...


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def close(self) -> None: ...


class QueueSubscription:
    """A subscription fed by its hub through a bounded queue; `close` ends the iteration."""

    def __init__(self, topic: str, on_close: Callable[["QueueSubscription"], Awaitable[None]]
                 ) -> None:
        self.topic = topic
        self._on_close = on_close
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=10_000)

    def deliver(self, data: bytes) -> None:
        # A subscriber that stopped reading loses messages rather than memory.
        if not self.queue.full():
            self.queue.put_nowait(data)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            yield item

    async def close(self) -> None:
        await self._on_close(self)
        self.queue.put_nowait(None)


class Broadcast(Protocol):
    async def publish(self, topic: str, data: bytes) -> None: ...

    async def subscribe(self, topic: str) -> Subscription: ...


@dataclass
class Backends:
    presence: PresenceStore
    locks: LockManager
    broadcast: Broadcast
    instance_id: str
    distributed: bool
    client: Any = None

    async def close(self) -> None:
        for backend in (self.presence, self.locks, self.broadcast):
            closer = getattr(backend, "close", None)
            if closer is not None:
                await closer()
        if self.client is not None:
            await self.client.aclose()


def unique_editors(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per user (a person with two tabs shows once), earliest arrival first."""
    entries = sorted(entries, key=lambda entry: entry.get("since", 0))
    seen: dict[str, dict[str, Any]] = {}
    for entry in entries:
        user_id = str(entry.get("user_id"))
        if user_id not in seen:
            seen[user_id] = entry
        elif entry.get("field") and not seen[user_id].get("field"):
            seen[user_id] = {**entry, "since": seen[user_id].get("since")}
    return list(seen.values())
