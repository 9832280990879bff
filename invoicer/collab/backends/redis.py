"""Redis presence, locks and fan-out: the scaled-out mode, shared by every server process."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from typing import Any

from redis.asyncio import Redis

from .base import Lease, QueueSubscription, unique_editors

log = logging.getLogger("invoicer.collab.redis")

# A presence entry lives this long unless its process renews it; a crashed process's editors
# therefore vanish from the board within this many seconds.
PRESENCE_TTL_S = 5.0
PRESENCE_RENEW_S = 1.5

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_RELEASE_OWNER = """
local v = redis.call('get', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class RedisPresence:
    """One hash per invoice: connection -> JSON entry with an expiry that its process renews."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._local: dict[tuple[str, str], dict[str, Any]] = {}
        self._renewer = asyncio.create_task(self._renew_forever())

    def _key(self, invoice_id: str) -> str:
        return f"{self._prefix}presence:{invoice_id}"

    async def set(self, invoice_id: str, connection: str, entry: dict[str, Any]) -> None:
        self._local[(invoice_id, connection)] = entry
        await self._write(invoice_id, connection, entry)

    async def _write(self, invoice_id: str, connection: str, entry: dict[str, Any]) -> None:
        stamped = {**entry, "expires": time.time() + PRESENCE_TTL_S}
        await self._redis.hset(self._key(invoice_id), connection, json.dumps(stamped))
        await self._redis.expire(self._key(invoice_id), int(PRESENCE_TTL_S * 4))

    async def remove(self, invoice_id: str, connection: str) -> None:
        self._local.pop((invoice_id, connection), None)
        await self._redis.hdel(self._key(invoice_id), connection)

    async def editors(self, invoice_id: str) -> list[dict[str, Any]]:
        raw = await self._redis.hgetall(self._key(invoice_id))
        now = time.time()
        live, stale = [], []
        for connection, value in raw.items():
            entry = json.loads(value)
            (live if entry.get("expires", 0) > now else stale).append((connection, entry))
        if stale:
            await self._redis.hdel(self._key(invoice_id), *[c for c, _ in stale])
        return unique_editors([{k: v for k, v in e.items() if k != "expires"} for _, e in live])

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_RENEW_S)
            try:
                for (invoice_id, connection), entry in list(self._local.items()):
                    await self._write(invoice_id, connection, entry)
            except Exception:
                log.exception("could not renew presence entries in Redis; retrying")

    async def close(self) -> None:
        self._renewer.cancel()
        for invoice_id, connection in list(self._local):
            await self.remove(invoice_id, connection)


class RedisLocks:
    """SET NX PX locks with a fencing token from INCR, released only by their holder."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}lock:{key}"

    async def acquire(self, key: str, owner: str, ttl_ms: int) -> Lease | None:
        current = await self._redis.get(self._key(key))
        if current is not None:
            held_owner, _, held_token = current.decode().rpartition("|")
            if held_owner == owner:
                lease = Lease(key, owner, int(held_token))
                return lease if await self.renew(lease, ttl_ms) else None
            return None
        token = await self._redis.incr(f"{self._prefix}fence:{key}")
        value = f"{owner}|{token}"
        if await self._redis.set(self._key(key), value, nx=True, px=ttl_ms):
            return Lease(key, owner, int(token))
        return None

    async def renew(self, lease: Lease, ttl_ms: int) -> bool:
        value = f"{lease.owner}|{lease.token}"
        return bool(await self._redis.eval(_RENEW, 1, self._key(lease.key), value, ttl_ms))

    async def release(self, lease: Lease) -> None:
        value = f"{lease.owner}|{lease.token}"
        await self._redis.eval(_RELEASE, 1, self._key(lease.key), value)

    async def release_key(self, key: str, owner: str) -> None:
        await self._redis.eval(_RELEASE_OWNER, 1, self._key(key), owner + "|")

    async def holder(self, key: str) -> str | None:
        current = await self._redis.get(self._key(key))
        return current.decode().rpartition("|")[0] if current is not None else None


class RedisBroadcast:
    """One pub/sub connection per process, dispatching to local subscriptions by topic."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._pubsub = redis.pubsub()
        self._subscribers: dict[str, set[QueueSubscription]] = defaultdict(set)
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def publish(self, topic: str, data: bytes) -> None:
        await self._redis.publish(self._prefix + topic, data)

    async def subscribe(self, topic: str) -> QueueSubscription:
        subscription = QueueSubscription(topic, self._unsubscribe)
        async with self._lock:
            if not self._subscribers[topic]:
                await self._pubsub.subscribe(self._prefix + topic)
            self._subscribers[topic].add(subscription)
            if self._reader is None:
                self._reader = asyncio.create_task(self._read_forever())
        return subscription

    async def _unsubscribe(self, subscription: QueueSubscription) -> None:
        async with self._lock:
            subscribers = self._subscribers.get(subscription.topic, set())
            subscribers.discard(subscription)
            if not subscribers:
                self._subscribers.pop(subscription.topic, None)
                await self._pubsub.unsubscribe(self._prefix + subscription.topic)

    async def _read_forever(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True,
                                                         timeout=1.0)
            except Exception:
                log.exception("Redis pub/sub read failed; retrying in 1 s")
                await asyncio.sleep(1)
                continue
            if message is None:
                continue
            topic = message["channel"].decode()[len(self._prefix):]
            for subscription in list(self._subscribers.get(topic, ())):
                subscription.deliver(message["data"])

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self._pubsub.aclose()
