"""The update log: group commit, durability, loading and compaction."""

from __future__ import annotations

import asyncio

import pytest
from pycrdt import Array, Doc, Map, Text
from sqlalchemy import event, func
from sqlmodel import select

from invoicer.collab.draftdoc import doc_to_json
from invoicer.storage import Database, UpdateLog
from invoicer.storage.models import DocSnapshot, DocUpdate
from invoicer.storage.updates import compact_invoice

from .conftest import Tenant, new_draft


def typing_session(count: int) -> tuple[list[bytes], dict]:
    """`count` updates of someone typing a note and adding lines, and the document after."""
    doc = Doc()
    notes = doc.get("notes", type=Text)
    lines = doc.get("lines", type=Array)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for n in range(count):
        if n % 10 == 9:
            lines.append(Map({"id": f"l{n}", "description": Text(f"line {n}"), "quantity": "1"}))
        elif n % 7 == 6 and len(notes) > 3:
            del notes[0:2]  # deletions must survive compaction too
        else:
            notes += chr(ord("a") + n % 26)
    return updates, doc_to_json(doc)


def rebuild(updates: list[bytes]) -> dict:
    doc = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc_to_json(doc)


def count_commits(db: Database) -> list[int]:
    commits = [0]

    @event.listens_for(db.engine, "commit")
    def _count(_connection: object) -> None:
        commits[0] += 1

    return commits


def rows_of(db: Database, invoice_id: str) -> int:
    with db.session() as session:
        statement = select(func.count()).select_from(DocUpdate).where(
            DocUpdate.invoice_id == invoice_id
        )
        return int(session.exec(statement).one())


async def test_appends_arriving_together_share_one_commit(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    updates, _ = typing_session(50)
    log = UpdateLog(any_db, window_ms=20)
    commits = count_commits(any_db)

    await asyncio.gather(*(log.append(invoice_id, u, tenant.accountant.id) for u in updates))

    assert commits[0] == 1
    assert rows_of(any_db, invoice_id) == 1 + 50  # the creation update and the 50
    await log.close()


async def test_an_append_is_committed_when_it_returns(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    log = UpdateLog(any_db, window_ms=5)
    updates, _ = typing_session(3)

    for update in updates:
        await log.append(invoice_id, update, tenant.accountant.id)
        # Another engine (as another process would) already sees the row.
        other = Database(any_db.url.render_as_string(hide_password=False))
        assert rows_of(other, invoice_id) >= 2
        other.dispose()
    assert rows_of(any_db, invoice_id) == 4
    await log.close()


async def test_a_failing_append_fails_alone(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    log = UpdateLog(any_db, window_ms=20)
    good, _ = typing_session(2)

    results = await asyncio.gather(
        log.append(invoice_id, good[0], "u1"),
        log.append("no-such-invoice", good[0], "u1"),
        log.append(invoice_id, good[1], "u1"),
        return_exceptions=True,
    )

    assert results[0] is None and results[2] is None
    assert isinstance(results[1], Exception)
    assert rows_of(any_db, invoice_id) == 3
    await log.close()


async def test_load_returns_snapshot_then_tail(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    log = UpdateLog(any_db, window_ms=1, compact_after=10_000)
    updates, _ = typing_session(60)
    expected = rebuild(await log.load(invoice_id) + updates)
    for update in updates[:40]:
        await log.append(invoice_id, update, "u1")

    merged = await log.compact(invoice_id)
    for update in updates[40:]:
        await log.append(invoice_id, update, "u1")
    loaded = await log.load(invoice_id)

    assert merged == 41
    assert len(loaded) == 1 + 20  # one snapshot, then the tail in order
    with any_db.session() as session:
        assert session.get(DocSnapshot, invoice_id).state == loaded[0]
    assert rebuild(loaded) == expected
    await log.close()


async def test_compaction_leaves_the_same_document(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    log = UpdateLog(any_db, window_ms=1, compact_after=10_000)
    updates, _ = typing_session(80)
    for update in updates:
        await log.append(invoice_id, update, "u1")
    before = rebuild(await log.load(invoice_id))

    await log.compact(invoice_id)
    await log.compact(invoice_id)  # compacting with an empty tail changes nothing
    after = await log.load(invoice_id)

    assert len(after) == 1
    assert rebuild(after) == before
    assert rows_of(any_db, invoice_id) == 0
    await log.close()


async def test_a_long_tail_is_compacted_in_the_background(sqlite_db: Database):
    from .conftest import make_tenant

    tenant = make_tenant(sqlite_db)
    invoice_id = new_draft(sqlite_db, tenant)
    log = UpdateLog(sqlite_db, window_ms=1, compact_after=25)
    updates, _ = typing_session(60)
    expected = rebuild(await log.load(invoice_id) + updates)
    for update in updates:
        await log.append(invoice_id, update, "u1")
    await log.close()  # waits for the compactions it started

    with sqlite_db.session() as session:
        snapshot = session.get(DocSnapshot, invoice_id)
    assert snapshot is not None and snapshot.upto_id > 0
    assert rows_of(sqlite_db, invoice_id) <= 25
    assert rebuild(await UpdateLog(sqlite_db).load(invoice_id)) == expected


def test_compaction_of_an_unknown_draft_merges_nothing(sqlite_db: Database):
    assert compact_invoice(sqlite_db, "nothing-here") == 0


async def test_closed_log_refuses_appends(sqlite_db: Database):
    log = UpdateLog(sqlite_db)
    await log.close()
    with pytest.raises(RuntimeError, match="closed"):
        await log.append("x", b"\x00\x00", None)


async def test_appends_during_compactions_are_never_lost(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    log = UpdateLog(any_db, window_ms=1, compact_after=10_000)
    updates, _ = typing_session(120)
    expected = rebuild(await log.load(invoice_id) + updates)

    async def compact_repeatedly() -> None:
        for _ in range(6):
            await log.compact(invoice_id)
            await asyncio.sleep(0)

    async def append_all() -> None:
        for update in updates:
            await log.append(invoice_id, update, "u1")

    await asyncio.gather(append_all(), compact_repeatedly(), compact_repeatedly())
    await log.compact(invoice_id)

    assert rebuild(await log.load(invoice_id)) == expected
    await log.close()
