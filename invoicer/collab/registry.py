"""Rooms by invoice id: loading each once, serving connections, freezing, unloading safely."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator

from pycrdt import Doc

from .backends import Backends
from .channel import Channel, ConnectionClosed, Editor
from .connection import Connection
from .draftdoc import doc_to_json
from .errors import CollabError, MessageTooLarge, RoomBusy, RoomUnavailable
from .protocol import parse_frame
from .room import Room, RoomHooks, RoomStatus

log = logging.getLogger("invoicer.collab.registry")

CLAIM_TTL_MS = 30_000
FREEZE_TTL_MS = 60_000


@dataclass(frozen=True)
class FrozenDraft:
    """The draft as it stands while its room is frozen for finalisation."""

    doc: dict[str, Any]
    state: bytes


class ClaimConflict(CollabError):
    close_code = 4409

    def __init__(self, holder: dict[str, Any]) -> None:
        super().__init__(f"line claimed by {holder.get('name', 'another editor')}")
        self.holder = holder


class RoomRegistry:
    def __init__(
        self,
        hooks: RoomHooks,
        *,
        backends: Backends,
        max_message_bytes: int = 1 << 20,
        status_of: Any = None,
        changed_delay: float = 0.15,
    ) -> None:
        self.hooks = hooks
        self.backends = backends
        self.max_message_bytes = max_message_bytes
        self._status_of = status_of
        self._changed_delay = changed_delay
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Future[Room]] = {}

    # -- rooms ---------------------------------------------------------------------------------

    async def room(self, invoice_id: str) -> Room:
        """The loaded room; concurrent callers for a cold room share one load."""
        room = self._rooms.get(invoice_id)
        if room is not None:
            return room
        pending = self._loading.get(invoice_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Room] = asyncio.get_running_loop().create_future()
        self._loading[invoice_id] = future
        try:
            room = await self._load(invoice_id)
        except BaseException as exc:
            future.set_exception(RoomUnavailable(f"invoice {invoice_id} could not be loaded"))
            future.exception()  # mark as retrieved: waiters get it, nobody logs it twice
            del self._loading[invoice_id]
            if isinstance(exc, Exception):
                log.exception("could not load invoice %s", invoice_id)
                raise RoomUnavailable(f"invoice {invoice_id} could not be loaded") from exc
            raise
        self._rooms[invoice_id] = room
        del self._loading[invoice_id]
        future.set_result(room)
        return room

    async def _load(self, invoice_id: str) -> Room:
        started = time.perf_counter()
        updates = await self.hooks.load(invoice_id)
        doc: Doc = Doc()
        for update in updates:
            doc.apply_update(update)
        status = RoomStatus()
        if self._status_of is not None:
            status = await self._status_of(invoice_id) or status
        room = Room(invoice_id, doc, self.hooks, self.backends, status,
                    changed_delay=self._changed_delay)
        await room.start()
        log.info("opened invoice %s from %d stored updates in %.1f ms", invoice_id,
                 len(updates), (time.perf_counter() - started) * 1000)
        return room

    async def _maybe_unload(self, room: Room) -> None:
        if room.connections or room.holds:
            return
        await room.flush()
        if room.connections or room.holds or self._rooms.get(room.invoice_id) is not room:
            return
        del self._rooms[room.invoice_id]
        await room.close()
        log.info("closed invoice %s", room.invoice_id)

    # -- connections ---------------------------------------------------------------------------

    async def serve(self, invoice_id: str, channel: Channel, editor: Editor) -> None:
        """Serve one connection until it closes; errors close only this connection."""
        room = await self.room(invoice_id)
        connection = Connection(channel, editor, invoice_id)
        await room.join(connection)
        try:
            await self._receive_forever(room, connection)
        except ConnectionClosed:
            pass
        except CollabError as exc:
            log.warning("closing user %s on invoice %s (%d): %s", editor.user_id, invoice_id,
                        exc.close_code, exc)
            connection.close_soon(exc.close_code, str(exc))
            await asyncio.wait_for(connection.wait_closed(), timeout=5)
        except Exception:
            log.exception("unexpected error serving user %s on invoice %s", editor.user_id,
                          invoice_id)
            connection.close_soon(1011, "internal error; reconnect")
            await asyncio.wait_for(connection.wait_closed(), timeout=5)
        finally:
            await connection.stop()
            await room.leave(connection)
            await self._maybe_unload(room)

    async def _receive_forever(self, room: Room, connection: Connection) -> None:
        while True:
            frame = await connection.channel.recv()
            if len(frame) > self.max_message_bytes:
                raise MessageTooLarge(
                    f"message of {len(frame)} bytes is over the limit of "
                    f"{self.max_message_bytes} (INVOICER_MAX_MESSAGE_BYTES)"
                )
            await room.handle(connection, parse_frame(frame))

    # -- what the API needs ---------------------------------------------------------------------

    async def document_json(self, invoice_id: str) -> dict[str, Any]:
        room = self._rooms.get(invoice_id)
        if room is not None:
            return doc_to_json(room.doc)
        doc: Doc = Doc()
        for update in await self.hooks.load(invoice_id):
            doc.apply_update(update)
        return doc_to_json(doc)

    @asynccontextmanager
    async def freeze(self, invoice_id: str, *, by: str) -> AsyncIterator[FrozenDraft]:
        """Hold the invoice lock and pause edits while the caller finalises."""
        owner = f"{self.backends.instance_id}:{secrets.token_hex(4)}"
        lease = await self.backends.locks.acquire(f"invoice:{invoice_id}", owner, FREEZE_TTL_MS)
        if lease is None:
            raise RoomBusy(f"invoice {invoice_id} is being finalised by someone else")
        room = await self.room(invoice_id)
        room.holds += 1
        try:
            room.set_frozen(True)
            await room.publish_control(b"F", {"frozen": True})
            if self.backends.distributed:
                await self._catch_up(room)
            await room.flush()
            yield FrozenDraft(doc=doc_to_json(room.doc), state=room.doc.get_update())
        finally:
            if room.frozen:
                room.set_frozen(False)
                await room.publish_control(b"F", {"frozen": False})
            await self.backends.locks.release(lease)
            room.holds -= 1
            await self._maybe_unload(room)
        log.info("invoice %s frozen and released for finalisation by %s", invoice_id, by)

    async def _catch_up(self, room: Room) -> None:
        """Merge what other processes stored before the freeze reached them."""
        await asyncio.sleep(0.1)
        room.apply_stored(await self.hooks.load(room.invoice_id))

    async def set_status(
        self, invoice_id: str, status: str, *, by: str | None = None, number: str | None = None
    ) -> None:
        """Tell every editor of the invoice, in every process, its new status."""
        new = RoomStatus(status, number, by)
        room = self._rooms.get(invoice_id)
        if room is not None:
            room.set_status(new)
            await room.publish_control(
                b"S", {"status": status, "number": number, "finalised_by": by}
            )
        elif self.backends.distributed:
            await self.backends.broadcast.publish(
                f"room:{invoice_id}",
                b"S" + self.backends.instance_id.encode()
                + json.dumps({"status": status, "number": number, "finalised_by": by}).encode(),
            )

    async def claim(self, invoice_id: str, line_id: str, editor: Editor) -> dict[str, Any]:
        """Claim a line's amounts for this editor (renewing an own claim)."""
        room = await self.room(invoice_id)
        room.holds += 1
        try:
            key = f"claim:{invoice_id}:{line_id}"
            lease = await self.backends.locks.acquire(key, editor.user_id, CLAIM_TTL_MS)
            if lease is None:
                holder = room.claims.get(line_id) or {"name": "another editor", "color": "#888"}
                raise ClaimConflict({"name": holder.get("name"), "color": holder.get("color")})
            claim = {
                "user_id": editor.user_id,
                "name": editor.name,
                "color": editor.color,
                "expires": time.time() + CLAIM_TTL_MS / 1000,
            }
            room.put_claim(line_id, claim)
            await room.publish_control(b"C", {"line_id": line_id, "claim": claim})
            return {"line_id": line_id, "expires_in": CLAIM_TTL_MS // 1000}
        finally:
            room.holds -= 1
            await self._maybe_unload(room)

    async def release_claim(self, invoice_id: str, line_id: str, editor: Editor) -> None:
        key = f"claim:{invoice_id}:{line_id}"
        if await self.backends.locks.holder(key) != editor.user_id:
            return
        await self.backends.locks.release_key(key, editor.user_id)
        room = self._rooms.get(invoice_id)
        if room is not None:
            room.put_claim(line_id, None)
            await room.publish_control(b"C", {"line_id": line_id, "claim": None})

    async def close(self) -> None:
        for room in list(self._rooms.values()):
            for connection in list(room.connections):
                connection.close_soon(1012, "server restarting")
            await room.close()
        self._rooms.clear()
