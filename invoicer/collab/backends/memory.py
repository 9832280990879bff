"""In-process presence, locks and fan-out: the embedded mode."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from typing import Any

from .base import Lease, QueueSubscription, unique_editors


class MemoryPresence:
    def __init__(self) -> None:
        self._entries: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)

    async def set(self, invoice_id: str, connection: str, entry: dict[str, Any]) -> None:
        self._entries[invoice_id][connection] = entry

    async def remove(self, invoice_id: str, connection: str) -> None:
        self._entries[invoice_id].pop(connection, None)
        if not self._entries[invoice_id]:
            del self._entries[invoice_id]

    async def editors(self, invoice_id: str) -> list[dict[str, Any]]:
        return unique_editors(list(self._entries.get(invoice_id, {}).values()))


class MemoryLocks:
    def __init__(self) -> None:
        self._held: dict[str, tuple[str, int, float]] = {}
        self._tokens = itertools.count(1)

    async def acquire(self, key: str, owner: str, ttl_ms: int) -> Lease | None:
        now = time.monotonic()
        held = self._held.get(key)
        if held and held[2] > now and held[0] != owner:
            return None
        token = next(self._tokens)
        self._held[key] = (owner, token, now + ttl_ms / 1000)
        return Lease(key, owner, token)

    async def renew(self, lease: Lease, ttl_ms: int) -> bool:
        held = self._held.get(lease.key)
        if not held or held[1] != lease.token or held[2] <= time.monotonic():
            return False
        self._held[lease.key] = (held[0], held[1], time.monotonic() + ttl_ms / 1000)
        return True

    async def release(self, lease: Lease) -> None:
        held = self._held.get(lease.key)
        if held and held[1] == lease.token:
            del self._held[lease.key]

    async def release_key(self, key: str, owner: str) -> None:
        held = self._held.get(key)
        if held and held[0] == owner:
            del self._held[key]

    async def holder(self, key: str) -> str | None:
        held = self._held.get(key)
        if held and held[2] > time.monotonic():
            return held[0]
        return None


class MemoryBroadcast:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[QueueSubscription]] = defaultdict(set)

    async def publish(self, topic: str, data: bytes) -> None:
        for subscription in list(self._subscribers.get(topic, ())):
            subscription.deliver(data)

    async def subscribe(self, topic: str) -> QueueSubscription:
        subscription = QueueSubscription(topic, self._unsubscribe)
        self._subscribers[topic].add(subscription)
        return subscription

    async def _unsubscribe(self, subscription: QueueSubscription) -> None:
        self._subscribers[subscription.topic].discard(subscription)
