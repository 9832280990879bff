"""A room: one draft's pycrdt document, the connections editing it, and what they share.

The room decides, per connection and per update, what may be applied; it relays what changed
(never an echo, never an awareness entry that is not newer than the one held), hands every
accepted update to the storage hook, and keeps a server-owned awareness entry that tells every
editor the invoice's status, the line claims and the totals computed by the one calculator.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Protocol

from pycrdt import Doc

from invoicer.invoicing.draft import draft_view, read_draft
from invoicer.invoicing.lifecycle import is_editable
from invoicer.invoicing.permissions import Permission, can, may_edit_draft

from .authz import refusal, touched_in
from .backends import Backends
from .connection import Connection
from .draftdoc import doc_to_json, roots
from .errors import ProtocolError, UpdateRefused
from .protocol import (
    EMPTY_UPDATE,
    AwarenessEntry,
    Message,
    auth_denied_message,
    awareness_message,
    create_sync_message,
    create_update_message,
    decode_awareness,
    parse_frame,
    sync_step2_message,
)

log = logging.getLogger("invoicer.collab.room")

# Standard clients drop a remote awareness state not renewed within 30 s.
SERVER_STATE_RENEW_S = 10.0
TICK_S = 2.0
MAX_CLIENT_IDS_PER_CONNECTION = 8
MAX_AWARENESS_STATE_BYTES = 8192
STORE_ATTEMPTS = 5
REPORTED_FIELDS = ("totals", "problems", "customer_id", "currency", "issue_date", "due_date")
TEXT_REPORT_INTERVAL_S = 2.0


class RoomHooks(Protocol):
    """How a room reaches storage; `server` wires an implementation backed by SQL."""

    async def load(self, invoice_id: str) -> list[bytes]: ...

    async def store(self, invoice_id: str, update: bytes, author_id: str) -> None: ...

    async def changed(self, invoice_id: str, doc: dict[str, Any]) -> None: ...

    async def presence_changed(self, invoice_id: str, editors: list[dict[str, Any]]) -> None: ...


@dataclass
class RoomStatus:
    status: str = "draft"
    number: str | None = None
    finalised_by: str | None = None


class Room:
    def __init__(
        self,
        invoice_id: str,
        doc: Doc,
        hooks: RoomHooks,
        backends: Backends,
        status: RoomStatus,
        *,
        changed_delay: float = 0.15,
    ) -> None:
        self.invoice_id = invoice_id
        self.doc = doc
        self.hooks = hooks
        self.backends = backends
        self.status = status
        self.frozen = False
        self.connections: set[Connection] = set()
        self.claims: dict[str, dict[str, Any]] = {}
        self.holds = 0
        self._changed_delay = changed_delay
        self._states: dict[int, tuple[int, dict[str, Any] | None]] = {}
        self._owners: dict[int, Connection | str] = {}
        # Clocks as relayed to others: a client that reconnects starts again from its own
        # clock, which may be below the removal we relayed for it; standard clients would
        # ignore it until its next renewal (15 s), so its clocks are shifted past that removal.
        self._relayed: dict[int, int] = {}
        self._offsets: dict[int, int] = {}
        self._server_id = random.randrange(1 << 30, 1 << 31)
        self._server_clock = 0
        self._server_renewed = 0.0
        self._view: dict[str, Any] = {}
        self._shadow: Doc | None = None
        self._reported: dict[str, Any] = {}
        self._reported_at = 0.0
        self._report_owed = False
        self._changed_again = False
        self._pending: set[asyncio.Task[None]] = set()
        self._changed_task: asyncio.Task[None] | None = None
        self._presence_task: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._remote: Any = None
        self._remote_task: asyncio.Task[None] | None = None
        roots(doc)

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._view = self._compute_view()
        self._ticker = asyncio.create_task(self._tick_forever())
        if self.backends.distributed:
            self._remote = await self.backends.broadcast.subscribe(self._topic)
            self._remote_task = asyncio.create_task(self._read_remote())

    async def flush(self) -> None:
        """Wait until every accepted update has been handed to storage."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def close(self) -> None:
        """Finish what is owed (saves, the last totals, the last presence), then stop."""
        await self.flush()
        for task in (self._changed_task, self._presence_task):
            if task is not None and not task.done():
                try:
                    await asyncio.wait_for(task, timeout=5)
                except (asyncio.TimeoutError, asyncio.CancelledError):
                    log.warning("gave up reporting the last change of invoice %s",
                                self.invoice_id)
        if self._report_owed:
            await self._report()
        for task in (self._ticker, self._remote_task):
            if task is not None:
                task.cancel()
        if self._remote is not None:
            await self._remote.close()

    @property
    def _topic(self) -> str:
        return f"room:{self.invoice_id}"

    # -- connections ----------------------------------------------------------------------------

    async def join(self, connection: Connection) -> None:
        """Greet a newcomer: our state vector, then everyone's awareness at once."""
        self.connections.add(connection)
        connection.send(create_sync_message(self.doc))
        connection.send(awareness_message(self._all_entries()))
        await self._update_presence(connection)

    async def leave(self, connection: Connection) -> None:
        """Remove the awareness states this connection introduced, for everyone, now."""
        self.connections.discard(connection)
        removed = []
        for client_id in connection.client_ids:
            self._owners.pop(client_id, None)
            _, state = self._states.pop(client_id, (0, None))
            if state is not None:
                removed.append(AwarenessEntry(client_id, self._next_relayed(client_id), None))
        if removed:
            self._relay_awareness(removed, exclude=connection)
        await self.backends.presence.remove(self.invoice_id, connection.id)
        await self._release_claims_of(connection)
        self._schedule_presence()

    async def handle(self, connection: Connection, message: Message) -> None:
        if message.type == 0:
            await self._handle_sync(connection, message)
        elif message.type == 1:
            await self._handle_awareness(connection, decode_awareness(message.payload))
        elif message.type == 3:
            connection.send(awareness_message(self._all_entries()))

    # -- document updates -----------------------------------------------------------------------

    async def _handle_sync(self, connection: Connection, message: Message) -> None:
        if message.sync_type == 0:
            try:
                missing = self.doc.get_update(message.payload)
            except Exception as exc:
                raise ProtocolError("sync step 1 carries a state vector that does not decode") \
                    from exc
            connection.send(sync_step2_message(missing))
            return
        update = message.payload
        if update == EMPTY_UPDATE or not update:
            return
        try:
            reason = self._refusal(connection, update)
            delta = None if reason else self._apply(update)
        except Exception as exc:
            self._shadow = None  # it may hold part of what failed
            raise ProtocolError("the update does not decode as a Yjs update") from exc
        if reason is not None:
            connection.send(auth_denied_message(reason))
            raise UpdateRefused(reason)
        if delta is None:
            return
        self._relay(create_update_message(delta), exclude=connection)
        self._persist(delta, connection.editor.user_id)
        if self.backends.distributed:
            await self._publish(b"U", delta)
        self._schedule_changed()

    def _refusal(self, connection: Connection, update: bytes) -> str | None:
        """Why this update may not be applied (None when it may): status, role, fields, claims."""
        editor = connection.editor
        if not is_editable(self.status.status):
            by = f" by {self.status.finalised_by}" if self.status.finalised_by else ""
            number = f" as {self.status.number}" if self.status.number else ""
            return f"the invoice was {self.status.status}{by}{number}; it can no longer change"
        if self.frozen:
            return "the invoice is being finalised; edits are paused"
        if not may_edit_draft(editor.role):
            return f"your role ({editor.role}) may watch this draft but not change it"
        foreign_claims = {
            line: claim["user_id"]
            for line, claim in self._live_claims().items()
            if claim["user_id"] != editor.user_id
        }
        touched = touched_in(self._shadow_doc(), update)
        reason = refusal(
            editor.role, touched, foreign_claims, editor.user_id,
            role_has_every_right=can(editor.role, Permission.INVOICE_EDIT_TAX),
        )
        if reason is not None:
            self._shadow = None  # it holds the refused update: rebuild it from the live doc
        return reason

    def _shadow_doc(self) -> Doc:
        """A copy of the live document, kept in step, on which updates are tried first."""
        if self._shadow is None:
            self._shadow = Doc()
            self._shadow.apply_update(self.doc.get_update())
        return self._shadow

    def _apply(self, update: bytes) -> bytes | None:
        """Apply an update; return what it actually added (None for a repeat)."""
        captured: list[bytes] = []
        subscription = self.doc.observe(lambda event: captured.append(event.update))
        try:
            self.doc.apply_update(update)
        finally:
            self.doc.unobserve(subscription)
        delta = b"".join(captured[:1]) if len(captured) == 1 else None
        if len(captured) > 1:
            from pycrdt import merge_updates

            delta = merge_updates(*captured)
        if delta is None or delta == EMPTY_UPDATE:
            return None
        return delta

    def apply_stored(self, updates: list[bytes]) -> None:
        """Merge updates read back from storage (already checked when they were accepted)."""
        for update in updates:
            self.doc.apply_update(update)
        self._shadow = None

    def _persist(self, update: bytes, author_id: str) -> None:
        task = asyncio.create_task(self._store(update, author_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _store(self, update: bytes, author_id: str) -> None:
        for attempt in range(1, STORE_ATTEMPTS + 1):
            try:
                await self.hooks.store(self.invoice_id, update, author_id)
                return
            except Exception:
                log.exception(
                    "could not store an update of invoice %s by user %s (attempt %d of %d)",
                    self.invoice_id, author_id, attempt, STORE_ATTEMPTS,
                )
                await asyncio.sleep(0.2 * attempt)
        # The editors still hold the update; closing makes them send it again on reconnect.
        log.error("giving up storing an update of invoice %s; reconnecting its editors",
                  self.invoice_id)
        for connection in list(self.connections):
            connection.close_soon(1011, "the server could not save; reconnecting")

    # -- awareness ------------------------------------------------------------------------------

    async def _handle_awareness(self, connection: Connection, entries: list[AwarenessEntry]
                                ) -> None:
        accepted = [
            entry for entry in (self._accept(connection, e) for e in entries) if entry is not None
        ]
        if not accepted:
            return
        self._relay_awareness(accepted, exclude=connection)
        await self._update_presence(connection)

    def _accept(self, connection: Connection, entry: AwarenessEntry) -> AwarenessEntry | None:
        """Stamp and keep an entry from its owner when it is newer than what we hold."""
        owner = self._owners.get(entry.client_id)
        if owner is None:
            if entry.state is None or entry.client_id == self._server_id:
                return None
            if len(connection.client_ids) >= MAX_CLIENT_IDS_PER_CONNECTION:
                return None
            self._owners[entry.client_id] = connection
            connection.client_ids.add(entry.client_id)
        elif owner is not connection:
            return None  # an echo of someone else's state: never stamp nor revive it
        held_clock, held_state = self._states.get(entry.client_id, (-1, None))
        newer = entry.clock > held_clock or (
            entry.clock == held_clock and entry.state is None and held_state is not None
        )
        if not newer:
            return None
        state = self._stamped(connection, entry.state)
        self._states[entry.client_id] = (entry.clock, state)
        return AwarenessEntry(entry.client_id, self._relay_clock(entry.client_id, entry.clock),
                              state)

    def _relay_clock(self, client_id: int, clock: int) -> int:
        """The client's clock shifted, if need be, past the last one relayed for its id."""
        relayed = clock + self._offsets.get(client_id, 0)
        last = self._relayed.get(client_id, -1)
        if relayed <= last:
            self._offsets[client_id] = last + 1 - clock
            relayed = last + 1
        self._relayed[client_id] = relayed
        return relayed

    def _next_relayed(self, client_id: int) -> int:
        relayed = self._relayed.get(client_id, 0) + 1
        self._relayed[client_id] = relayed
        return relayed

    def _stamped(self, connection: Connection, state: dict[str, Any] | None
                 ) -> dict[str, Any] | None:
        if state is None:
            return None
        if len(json.dumps(state)) > MAX_AWARENESS_STATE_BYTES:
            state = {"focus": state.get("focus")}
        clean = {key: value for key, value in state.items() if key != "server"}
        clean["user"] = connection.editor.stamp()
        if not may_edit_draft(connection.editor.role):
            # Someone who only watches is present, but is not "on" a field others edit.
            clean.pop("focus", None)
            clean.pop("cursor", None)
        return clean

    def _relay_awareness(self, entries: list[AwarenessEntry], *, exclude: Any = None) -> None:
        self._relay(awareness_message(entries), exclude=exclude)
        if self.backends.distributed:
            asyncio.create_task(self._publish(b"A", awareness_message(entries)))

    def _all_entries(self) -> list[AwarenessEntry]:
        entries = [
            AwarenessEntry(client_id, self._relayed.get(client_id, clock), state)
            for client_id, (clock, state) in self._states.items()
            if state is not None
        ]
        entries.append(self._server_entry())
        return entries

    # -- presence (for the board) ---------------------------------------------------------------

    async def _update_presence(self, connection: Connection) -> None:
        focus: dict[str, Any] = {}
        for client_id in connection.client_ids:
            state = self._states.get(client_id, (0, None))[1]
            if state and isinstance(state.get("focus"), dict):
                focus = state["focus"]
        editor = connection.editor
        entry = {
            "user_id": editor.user_id,
            "name": editor.name,
            "color": editor.color,
            "role": editor.role,
            "field": _short(focus.get("field")),
            "line_id": _short(focus.get("line_id")),
            "since": connection.since,
        }
        if entry != connection.presence:
            connection.presence = entry
            await self.backends.presence.set(self.invoice_id, connection.id, entry)
            self._schedule_presence()

    def _schedule_presence(self) -> None:
        if self._presence_task is None or self._presence_task.done():
            self._presence_task = asyncio.create_task(self._report_presence())

    async def _report_presence(self) -> None:
        await asyncio.sleep(0.05)
        try:
            editors = await self.backends.presence.editors(self.invoice_id)
            await self.hooks.presence_changed(self.invoice_id, editors)
        except Exception:
            log.exception("could not report who is editing invoice %s", self.invoice_id)

    # -- server-owned state: status, claims, totals ---------------------------------------------

    def _server_entry(self) -> AwarenessEntry:
        claims = {
            line: {"user_id": c["user_id"], "name": c["name"], "color": c["color"]}
            for line, c in self._live_claims().items()
        }
        state = {
            "server": {
                "status": self.status.status,
                "number": self.status.number,
                "finalised_by": self.status.finalised_by,
                "frozen": self.frozen,
                "claims": claims,
                "totals": self._view.get("totals"),
                "problems": self._view.get("problems", []),
            }
        }
        return AwarenessEntry(self._server_id, self._server_clock, state)

    def announce(self) -> None:
        """Tell every editor the server's state changed."""
        self._server_clock += 1
        self._server_renewed = time.monotonic()
        self._relay(awareness_message([self._server_entry()]))

    def set_status(self, status: RoomStatus) -> None:
        self.status = status
        self.frozen = False
        self.announce()

    def set_frozen(self, frozen: bool) -> None:
        if self.frozen != frozen:
            self.frozen = frozen
            self.announce()

    def put_claim(self, line_id: str, claim: dict[str, Any] | None) -> None:
        if claim is None:
            self.claims.pop(line_id, None)
        else:
            self.claims[line_id] = claim
        self.announce()

    def _live_claims(self) -> dict[str, dict[str, Any]]:
        now = time.time()
        return {line: c for line, c in self.claims.items() if c["expires"] > now}

    async def _release_claims_of(self, connection: Connection) -> None:
        """A holder who left the draft (all their tabs) no longer holds its lines."""
        user_id = connection.editor.user_id
        if any(c.editor.user_id == user_id for c in self.connections):
            return
        mine = [line for line, c in self.claims.items() if c["user_id"] == user_id]
        for line in mine:
            self.claims.pop(line, None)
            await self.backends.locks.release_key(f"claim:{self.invoice_id}:{line}", user_id)
            await self.publish_control(b"C", {"line_id": line, "claim": None})
        if mine:
            self.announce()

    def _compute_view(self) -> dict[str, Any]:
        try:
            return draft_view(read_draft(doc_to_json(self.doc)))
        except Exception:
            log.exception("could not compute the totals of invoice %s", self.invoice_id)
            return {}

    def _schedule_changed(self) -> None:
        # An edit arriving while a report is under way is reported by another round.
        self._changed_again = True
        if self._changed_task is None or self._changed_task.done():
            self._changed_task = asyncio.create_task(self._report_changes())

    async def _report_changes(self) -> None:
        while self._changed_again:
            self._changed_again = False
            await self._report_changed()

    async def _report_changed(self) -> None:
        await asyncio.sleep(self._changed_delay)
        view = self._compute_view()
        shown = ("totals", "problems")
        if any(view.get(key) != self._view.get(key) for key in shown):
            self._view = view
            self.announce()
        # Storage and the board hear at once of what they show (amounts, customer, dates);
        # of text alone, at most every few seconds: typing must not mean a SQL write per burst.
        summary = {key: view.get(key) for key in REPORTED_FIELDS}
        quiet = time.monotonic() - self._reported_at < TEXT_REPORT_INTERVAL_S
        if summary == self._reported and quiet:
            self._report_owed = True
            return
        await self._report(summary)

    async def _report(self, summary: dict[str, Any] | None = None) -> None:
        self._reported = summary if summary is not None else self._reported
        self._reported_at = time.monotonic()
        self._report_owed = False
        try:
            await self.hooks.changed(self.invoice_id, doc_to_json(self.doc))
        except Exception:
            log.exception("could not report the change of invoice %s", self.invoice_id)

    async def _tick_forever(self) -> None:
        """Expire claims and renew the server's awareness entry before clients time it out."""
        known = set(self._live_claims())
        while True:
            await asyncio.sleep(TICK_S)
            live = set(self._live_claims())
            stale = time.monotonic() - self._server_renewed > SERVER_STATE_RENEW_S
            if live != known or stale:
                known = live
                self.claims = {k: v for k, v in self.claims.items() if k in live}
                self.announce()
            if self._report_owed:
                await self._report()

    # -- fan-out ---------------------------------------------------------------------------------

    def _relay(self, frame: bytes, *, exclude: Any = None) -> None:
        for connection in list(self.connections):
            if connection is not exclude:
                connection.send(frame)

    async def _publish(self, kind: bytes, payload: bytes) -> None:
        data = kind + self.backends.instance_id.encode() + payload
        try:
            await self.backends.broadcast.publish(self._topic, data)
        except Exception:
            log.exception("could not publish to other processes for invoice %s", self.invoice_id)

    async def publish_control(self, kind: bytes, body: dict[str, Any]) -> None:
        if self.backends.distributed:
            await self._publish(kind, json.dumps(body).encode())

    def _accept_remote(self, origin: str, entry: AwarenessEntry) -> AwarenessEntry | None:
        """An awareness entry relayed by another process, as this process relays it on."""
        owner = self._owners.get(entry.client_id)
        if isinstance(owner, Connection):
            return None  # ours: what comes back from elsewhere is an echo
        held_clock, held_state = self._states.get(entry.client_id, (-1, None))
        if owner is None:
            newer = entry.state is not None  # arriving (perhaps moved from another process)
        else:
            newer = entry.clock > held_clock or (
                entry.clock == held_clock and entry.state is None and held_state is not None
            )
        if not newer:
            return None
        if entry.state is None:
            # Gone from that process: it may reconnect to this one.
            self._owners.pop(entry.client_id, None)
            self._states.pop(entry.client_id, None)
        else:
            self._owners[entry.client_id] = origin
            self._states[entry.client_id] = (entry.clock, entry.state)
        return AwarenessEntry(entry.client_id, self._relay_clock(entry.client_id, entry.clock),
                              entry.state)

    async def _read_remote(self) -> None:
        prefix = len(self.backends.instance_id)
        async for data in self._remote:
            kind, origin, payload = data[:1], data[1 : 1 + prefix].decode(), data[1 + prefix :]
            if origin == self.backends.instance_id:
                continue
            try:
                self._apply_remote(kind, origin, payload)
            except Exception:
                log.exception("bad message from process %s for invoice %s", origin,
                              self.invoice_id)

    def _apply_remote(self, kind: bytes, origin: str, payload: bytes) -> None:
        if kind == b"U":
            if self._shadow is not None:
                self._shadow.apply_update(payload)
            delta = self._apply(payload)
            if delta is not None:
                self._relay(create_update_message(delta))
                self._schedule_changed()
        elif kind == b"A":
            entries = decode_awareness(parse_frame(payload).payload)
            accepted = []
            for entry in entries:
                relayed = self._accept_remote(origin, entry)
                if relayed is not None:
                    accepted.append(relayed)
            if accepted:
                self._relay(awareness_message(accepted))
        elif kind == b"S":
            body = json.loads(payload)
            self.set_status(RoomStatus(body["status"], body.get("number"),
                                       body.get("finalised_by")))
        elif kind == b"F":
            self.set_frozen(bool(json.loads(payload)["frozen"]))
        elif kind == b"C":
            body = json.loads(payload)
            self.put_claim(body["line_id"], body.get("claim"))


def _short(value: Any) -> str | None:
    return str(value)[:80] if value is not None else None


def denial(reason: str) -> bytes:
    return auth_denied_message(reason)
