"""Two server processes' registries sharing real Redis: edits, presence and status cross."""

from __future__ import annotations

import secrets

import pytest

from invoicer.collab import RoomRegistry, make_backends
from invoicer.collab.draftdoc import doc_to_json, roots

from .conftest import EDITORS, SEED, ListHooks
from .memory_peer import MemoryPeer, until

REDIS_URL = "redis://127.0.0.1:6379/0"
pytestmark = pytest.mark.redis


@pytest.fixture
async def pair():
    prefix = f"test-{secrets.token_hex(4)}:"
    shared = ListHooks([SEED])  # one "database" for both processes
    registries = []
    for _ in range(2):
        backends = await make_backends(REDIS_URL, prefix)
        registries.append(RoomRegistry(shared, backends=backends, changed_delay=0.01))
    yield registries
    for registry in registries:
        await registry.close()
        await registry.backends.close()


async def test_edits_and_awareness_cross_processes(pair):
    one, two = pair
    claire = await MemoryPeer(one, "inv1", EDITORS["claire"]).connect()
    sam = await MemoryPeer(two, "inv1", EDITORS["sam"]).connect()
    notes = roots(claire.doc)[1]
    notes.insert(len(notes), " from process one")
    await until(lambda: "process one" in str(roots(sam.doc)[1]))
    line = roots(sam.doc)[2][0]
    line["quantity"] = "7"
    await until(lambda: roots(claire.doc)[2][0]["quantity"] == "7")

    sam.set_awareness({"focus": {"line_id": "L1", "field": "quantity"}})
    await until(lambda: "Sam Patel" in claire.users())
    editors = await one.backends.presence.editors("inv1")
    assert {e["name"] for e in editors} == {"Claire Dubois", "Sam Patel"}
    await sam.disconnect()
    await until(lambda: "Sam Patel" not in claire.users(), timeout=2)
    assert doc_to_json(claire.doc)["lines"][0]["quantity"] == "7"


async def test_claims_and_final_status_cross_processes(pair):
    one, two = pair
    _claire = await MemoryPeer(one, "inv1", EDITORS["claire"]).connect()
    sam = await MemoryPeer(two, "inv1", EDITORS["sam"]).connect()
    await one.claim("inv1", "L1", EDITORS["claire"])
    await until(lambda: "L1" in sam.server_state().get("claims", {}))
    roots(sam.doc)[2][0]["unit_price"] = "1.00"
    await until(lambda: sam.closed is not None)
    assert "claimed" in sam.closed[1]

    vera = await MemoryPeer(two, "inv1", EDITORS["vera"]).connect()
    async with one.freeze("inv1", by="Claire Dubois"):
        await until(lambda: vera.server_state().get("frozen") is True)
    await one.set_status("inv1", "finalised", by="Claire Dubois", number="F2026-00007")
    await until(lambda: vera.server_state().get("number") == "F2026-00007")
    assert vera.server_state()["finalised_by"] == "Claire Dubois"


async def test_a_lock_has_one_holder_across_processes(pair):
    one, two = pair
    lease = await one.backends.locks.acquire("invoice:x", "a", 5000)
    assert lease is not None
    assert await two.backends.locks.acquire("invoice:x", "b", 5000) is None
    await one.backends.locks.release(lease)
    second = await two.backends.locks.acquire("invoice:x", "b", 5000)
    assert second is not None and second.token > lease.token


async def test_a_client_moving_to_another_process_is_visible_at_once(pair):
    one, two = pair
    claire = await MemoryPeer(one, "inv1", EDITORS["claire"]).connect()
    sam = await MemoryPeer(one, "inv1", EDITORS["sam"]).connect()
    client_id = sam.doc.client_id
    sam.set_awareness({"focus": {"field": "notes"}})
    await until(lambda: "Sam Patel" in claire.users())
    await sam.disconnect()
    await until(lambda: "Sam Patel" not in claire.users(), timeout=2)
    moved = await MemoryPeer(two, "inv1", EDITORS["sam"]).connect()
    moved.set_awareness({"focus": {"field": "notes"}}, client_id=client_id)
    await until(lambda: "Sam Patel" in claire.users(), timeout=1)
