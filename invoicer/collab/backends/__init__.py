"""Presence, locks and fan-out, in memory (one process) or in Redis (many)."""

from __future__ import annotations

import secrets

from .base import Backends, Broadcast, Lease, LockManager, PresenceStore, Subscription
from .memory import MemoryBroadcast, MemoryLocks, MemoryPresence

__all__ = [
    "Backends",
    "Broadcast",
    "Lease",
    "LockManager",
    "PresenceStore",
    "Subscription",
    "make_backends",
]


async def make_backends(redis_url: str | None, prefix: str = "invoicer:") -> Backends:
    """In-memory backends when `redis_url` is empty, else Redis ones sharing one client."""
    instance_id = secrets.token_hex(8)
    if not redis_url:
        return Backends(MemoryPresence(), MemoryLocks(), MemoryBroadcast(), instance_id, False)

    from redis.asyncio import Redis

    from .redis import RedisBroadcast, RedisLocks, RedisPresence

    client = Redis.from_url(redis_url)
    await client.ping()
    backends = Backends(
        RedisPresence(client, prefix),
        RedisLocks(client, prefix),
        RedisBroadcast(client, prefix),
        instance_id,
        True,
        client,
    )
    return backends
