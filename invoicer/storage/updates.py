"""The append-only log of draft document updates, with group commit and compaction.

Every Yjs update a client sends is appended here before the server counts it as received.
A single writer task takes the appends from a queue and commits those that arrive within
a short window (10 ms by default) in one transaction, then answers every waiter: many
editors typing at once cost one fsync per window, not one per keystroke.

A document loads as its snapshot (the merge of everything compacted so far) followed by the
rows appended since. When a draft's tail grows past `compact_after` rows, a background task
merges snapshot and rows into a new snapshot and deletes those rows, in one transaction,
so that loading stays fast however long the history; appends never wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

import anyio.to_thread
from pycrdt import Doc, merge_updates
from pycrdt import get_update as diff_update
from sqlalchemy import delete, func
from sqlmodel import Session, select

from .db import Database
from .models import DocSnapshot, DocUpdate, utcnow

__all__ = ["UpdateLog", "compact_invoice", "load_updates"]

log = logging.getLogger(__name__)

_DELETE_CHUNK = 1000


@dataclass
class _Append:
    invoice_id: str
    data: bytes
    author_id: str | None
    done: asyncio.Future[None] = field(repr=False)


class UpdateLog:
    """Durable, ordered updates per invoice; `append` returns once the row is committed."""

    def __init__(
        self,
        db: Database,
        *,
        window_ms: float = 10.0,
        compact_after: int = 500,
        max_batch: int = 1000,
    ) -> None:
        self.db = db
        self.window = max(window_ms, 0.0) / 1000
        self.compact_after = compact_after
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Append] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._closed = False
        self._tails: dict[str, int] = {}
        self._compactions: dict[str, asyncio.Task[None]] = {}

    async def append(self, invoice_id: str, update: bytes, author_id: str | None) -> None:
        """Store one update; returns after its transaction committed, raises if it failed."""
        if self._closed:
            raise RuntimeError("the update log is closed; no update can be stored")
        done = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Append(invoice_id, bytes(update), author_id, done))
        self._ensure_writer()
        await done

    async def load(self, invoice_id: str) -> list[bytes]:
        """The snapshot (if any) then the updates appended after it, in order."""
        return await anyio.to_thread.run_sync(load_updates, self.db, invoice_id)

    async def compact(self, invoice_id: str) -> int:
        """Merge the snapshot and the log into a new snapshot; returns the rows merged."""
        merged = await anyio.to_thread.run_sync(compact_invoice, self.db, invoice_id)
        # Appends committed meanwhile stay counted.
        self._tails[invoice_id] = max(0, self._tails.get(invoice_id, 0) - merged)
        return merged

    async def close(self) -> None:
        """Commit what is queued, wait for running compactions, stop the writer."""
        self._closed = True
        if self._writer is not None:
            await self._queue.join()
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
        await asyncio.gather(*self._compactions.values(), return_exceptions=True)

    # -- the writer ----------------------------------------------------------------------------

    def _ensure_writer(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(), name="update-log-writer")

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            if self.window:
                # The window is what lets concurrent appends share one commit.
                await asyncio.sleep(self.window)
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[_Append]) -> None:
        try:
            tails = await anyio.to_thread.run_sync(
                partial(_insert_batch, self.db, batch, set(self._tails))
            )
        except Exception as error:
            if len(batch) == 1:
                _settle(batch, error)
                log.warning("could not store an update of invoice %s: %s",
                            batch[0].invoice_id, error)
                return
            # One bad row (an invoice deleted meanwhile...) must not fail its neighbours.
            for item in batch:
                await self._commit([item])
            return
        _settle(batch, None)
        self._count(batch, tails)

    def _count(self, batch: list[_Append], known: dict[str, int]) -> None:
        self._tails.update(known)
        for invoice_id, added in Counter(item.invoice_id for item in batch).items():
            if invoice_id not in known:
                self._tails[invoice_id] = self._tails.get(invoice_id, 0) + added
            if self._tails[invoice_id] > self.compact_after:
                self._start_compaction(invoice_id)

    def _start_compaction(self, invoice_id: str) -> None:
        if invoice_id in self._compactions:
            return
        task = asyncio.create_task(self._compact_quietly(invoice_id), name="compact")
        self._compactions[invoice_id] = task
        task.add_done_callback(lambda _: self._compactions.pop(invoice_id, None))

    async def _compact_quietly(self, invoice_id: str) -> None:
        try:
            merged = await self.compact(invoice_id)
        except Exception:
            # The log still holds every row: loading stays correct, only slower.
            log.exception("compaction of invoice %s failed", invoice_id)
        else:
            log.info("compacted %d updates of invoice %s", merged, invoice_id)


def _settle(batch: list[_Append], error: BaseException | None) -> None:
    for item in batch:
        if item.done.done():
            continue  # the appender was cancelled; the row is committed all the same
        if error is None:
            item.done.set_result(None)
        else:
            item.done.set_exception(error)


def _insert_batch(db: Database, batch: list[_Append], counted: set[str]) -> dict[str, int]:
    """Insert the batch in one transaction; returns the tail length of invoices not counted
    yet (counted in the same transaction, so it includes this batch)."""
    now = utcnow()
    with db.transaction() as session:
        session.add_all(
            DocUpdate(invoice_id=item.invoice_id, data=item.data, author_id=item.author_id,
                      created_at=now)
            for item in batch
        )
        session.flush()
        fresh = {item.invoice_id for item in batch} - counted
        return {invoice_id: _tail_length(session, invoice_id) for invoice_id in fresh}


def _tail_length(session: Session, invoice_id: str) -> int:
    statement = select(func.count()).select_from(DocUpdate).where(
        DocUpdate.invoice_id == invoice_id
    )
    return int(session.exec(statement).one())


def load_updates(db: Database, invoice_id: str) -> list[bytes]:
    """The snapshot then the tail, as `UpdateLog.load` returns them (synchronous)."""
    with db.session() as session:
        # Rows before the snapshot: a compaction committing between the two reads then
        # gives rows that are also in the snapshot (harmless, Yjs updates are idempotent)
        # rather than a snapshot without rows it has not absorbed yet.
        rows = session.exec(
            select(DocUpdate.data)
            .where(DocUpdate.invoice_id == invoice_id)
            .order_by(DocUpdate.id)  # type: ignore[arg-type]
        ).all()
        snapshot = session.get(DocSnapshot, invoice_id)
    head = [snapshot.state] if snapshot is not None and snapshot.state else []
    return head + [bytes(row) for row in rows]


def compact_invoice(db: Database, invoice_id: str) -> int:
    """Merge snapshot + rows into the snapshot and delete those rows, in one transaction.

    Returns the number of rows merged. The snapshot row is locked first so that two
    compactions of one draft (two processes) run one after the other.
    """
    with db.transaction() as session:
        if _tail_length(session, invoice_id) == 0:
            return 0
        snapshot = _locked_snapshot(db, session, invoice_id)
        rows = session.exec(
            select(DocUpdate.id, DocUpdate.data)
            .where(DocUpdate.invoice_id == invoice_id)
            .order_by(DocUpdate.id)  # type: ignore[arg-type]
        ).all()
        if not rows:
            return 0
        updates = ([snapshot.state] if snapshot.state else []) + [bytes(r.data) for r in rows]
        snapshot.state = compact_state(updates)
        snapshot.upto_id = max(snapshot.upto_id, rows[-1].id)
        snapshot.updated_at = utcnow()
        session.add(snapshot)
        # Delete exactly the rows merged: on PostgreSQL a row with a lower id may commit
        # after our read, and must stay in the log.
        ids = [row.id for row in rows]
        for start in range(0, len(ids), _DELETE_CHUNK):
            chunk = ids[start:start + _DELETE_CHUNK]
            session.execute(delete(DocUpdate).where(DocUpdate.id.in_(chunk)))  # type: ignore
    return len(ids)


def compact_state(updates: list[bytes]) -> bytes:
    """One update equivalent to `updates`, as small as it can safely be.

    A document re-encoded from scratch is many times smaller than merged updates, but it
    leaves out updates still waiting for a missing dependency; whatever of the merged updates
    the document's state does not cover is therefore merged back in.
    """
    merged = merge_updates(*updates)
    doc: Doc = Doc()
    doc.apply_update(merged)
    state = doc.get_state()
    return merge_updates(doc.get_update(), diff_update(merged, state))


def _locked_snapshot(db: Database, session: Session, invoice_id: str) -> DocSnapshot:
    db.insert_ignore(
        session, DocSnapshot,
        {"invoice_id": invoice_id, "state": b"", "upto_id": 0, "updated_at": utcnow()},
        ["invoice_id"],
    )
    return session.exec(
        select(DocSnapshot)
        .where(DocSnapshot.invoice_id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
