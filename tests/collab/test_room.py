"""Rooms with pycrdt peers over in-memory channels: convergence, rights, presence, hygiene."""

from __future__ import annotations

import asyncio

from pycrdt import Map

from invoicer.collab.draftdoc import doc_to_json, make_line, roots

from .conftest import EDITORS, ListHooks
from .memory_peer import MemoryPeer, until

INVOICE = "inv1"


async def peer(registry, who: str) -> MemoryPeer:
    return await MemoryPeer(registry, INVOICE, EDITORS[who]).connect()


async def test_newcomer_receives_the_stored_draft_before_being_synced(registry):
    claire = await peer(registry, "claire")
    data = doc_to_json(claire.doc)
    assert data["lines"][0]["description"] == "Design"
    assert data["notes"] == "Thank you"


async def test_concurrent_edits_to_one_description_converge(registry, hooks):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    _, _, lines_c = roots(claire.doc)
    _, _, lines_s = roots(sam.doc)
    lines_c[0]["description"].insert(0, "Logo ")
    lines_s[0]["description"].insert(len(lines_s[0]["description"]), " and print")
    await until(lambda: str(lines_c[0]["description"]) == str(lines_s[0]["description"])
                and "print" in str(lines_c[0]["description"])
                and "Logo" in str(lines_s[0]["description"]))
    assert str(lines_c[0]["description"]) == "Logo Design and print"
    await until(lambda: len(hooks.updates) >= 3)
    assert {author for _, author in hooks.updates[1:]} == {"u-claire", "u-sam"}


async def test_lines_added_on_both_sides_all_arrive(registry):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    roots(claire.doc)[2].append(make_line({"id": "A", "description": "Print"}))
    roots(sam.doc)[2].append(make_line({"id": "B", "description": "Paper"}))
    await until(lambda: len(roots(claire.doc)[2]) == 3 and len(roots(sam.doc)[2]) == 3)
    ids = [line["id"] for line in doc_to_json(claire.doc)["lines"]]
    assert ids == [line["id"] for line in doc_to_json(sam.doc)["lines"]]


async def test_read_only_member_update_is_refused_and_never_relayed(registry, hooks):
    claire, vera = await peer(registry, "claire"), await peer(registry, "vera")
    stored = len(hooks.updates)
    roots(vera.doc)[1].insert(0, "HACKED ")
    await until(lambda: vera.closed is not None)
    assert vera.closed[0] == 4403 and "viewer" in vera.closed[1]
    assert vera.denied, "a permission-denied message tells the client why"
    await asyncio.sleep(0.05)
    assert str(roots(claire.doc)[1]) == "Thank you"
    assert len(hooks.updates) == stored


async def test_writer_keeps_rights_whatever_order_read_only_members_join(registry):
    vera = await peer(registry, "vera")
    claire = await peer(registry, "claire")
    roots(claire.doc)[1].insert(len(roots(claire.doc)[1]), "!")
    await until(lambda: str(roots(vera.doc)[1]) == "Thank you!")
    assert claire.closed is None


async def test_sales_may_not_change_a_vat_rate_but_may_change_a_quantity(registry):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    roots(sam.doc)[2][0]["quantity"] = "3"
    await until(lambda: roots(claire.doc)[2][0]["quantity"] == "3")
    roots(sam.doc)[2][0]["vat_rate"] = "5.5"
    await until(lambda: sam.closed is not None)
    assert sam.closed[0] == 4403 and "vat_rate" in sam.closed[1]
    assert roots(claire.doc)[2][0]["vat_rate"] == "20"


async def test_claimed_line_amounts_are_refused_to_others(registry):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    await registry.claim(INVOICE, "L1", EDITORS["claire"])
    await until(lambda: "L1" in sam.server_state().get("claims", {}))
    assert sam.server_state()["claims"]["L1"]["name"] == "Claire Dubois"
    description = roots(sam.doc)[2][0]["description"]
    description.insert(len(description), " (urgent)")  # text is not an amount: allowed
    await until(lambda: "urgent" in str(roots(claire.doc)[2][0]["description"]))
    roots(sam.doc)[2][0]["unit_price"] = "1.00"
    await until(lambda: sam.closed is not None)
    assert "claimed" in sam.closed[1]
    assert roots(claire.doc)[2][0]["unit_price"] == "100.00"


async def test_awareness_is_stamped_with_the_authenticated_user(registry):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    sam.set_awareness({"user": {"name": "Claire Dubois"}, "focus": {"line_id": "L1",
                                                                     "field": "quantity"}})
    await until(lambda: "Sam Patel" in claire.users())
    assert "Claire Dubois" not in claire.users()
    assert claire.users()["Sam Patel"]["focus"]["field"] == "quantity"


async def test_newcomer_sees_those_already_present_at_once(registry):
    claire = await peer(registry, "claire")
    claire.set_awareness({"focus": {"line_id": None, "field": "notes"}})
    await asyncio.sleep(0.02)
    sam = await peer(registry, "sam")
    await until(lambda: "Claire Dubois" in sam.users(), timeout=1)


async def test_departure_removes_presence_for_everyone(registry, hooks):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    sam.set_awareness({"focus": {}})
    await until(lambda: "Sam Patel" in claire.users())
    await sam.disconnect()
    await until(lambda: "Sam Patel" not in claire.users(), timeout=2)
    await until(lambda: hooks.presence and all(
        e["name"] != "Sam Patel" for e in hooks.presence[-1]))


async def test_echoed_states_are_neither_stamped_nor_revived(registry):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    claire.set_awareness({"focus": {"field": "notes"}})
    await until(lambda: "Claire Dubois" in sam.users())
    claire_id = claire.doc.client_id
    frames = claire.awareness_frames
    # Sam's provider echoes Claire's state back, as standard providers do.
    clock, state = sam.states[claire_id]
    from invoicer.collab.protocol import AwarenessEntry, awareness_message
    sam.send_raw(awareness_message([AwarenessEntry(claire_id, clock + 5, state)]))
    await claire.disconnect()
    await until(lambda: "Claire Dubois" not in sam.users(), timeout=2)
    sam.send_raw(awareness_message([AwarenessEntry(claire_id, clock + 9, state)]))
    await asyncio.sleep(0.05)
    assert "Claire Dubois" not in sam.users()
    assert frames >= 1


async def test_repeated_awareness_is_not_relayed(registry):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    claire.set_awareness({"focus": {"field": "notes"}})
    await until(lambda: "Claire Dubois" in sam.users())
    before = sam.awareness_frames
    from invoicer.collab.protocol import AwarenessEntry, awareness_message
    stale = AwarenessEntry(claire.doc.client_id, 1, {"focus": {"field": "x"}})
    for _ in range(5):
        claire.send_raw(awareness_message([stale]))
    await asyncio.sleep(0.05)
    assert sam.awareness_frames == before


async def test_cold_room_opened_by_many_at_once_is_loaded_once():
    from invoicer.collab import RoomRegistry, make_backends

    from .conftest import SEED

    slow = ListHooks([SEED], load_delay=0.2)
    registry = RoomRegistry(slow, backends=await make_backends(None))
    peers = [MemoryPeer(registry, INVOICE, EDITORS[name]) for name in ("claire", "sam", "vera")]
    await asyncio.gather(*(p.connect() for p in peers))
    assert slow.loads == 1
    for p in peers:
        assert doc_to_json(p.doc)["lines"][0]["description"] == "Design"
    await registry.close()


async def test_unloading_with_a_pending_save_keeps_every_edit():
    from invoicer.collab import RoomRegistry, make_backends

    from .conftest import SEED

    slow = ListHooks([SEED], store_delay=0.3)
    registry = RoomRegistry(slow, backends=await make_backends(None))
    claire = await MemoryPeer(registry, INVOICE, EDITORS["claire"]).connect()
    roots(claire.doc)[1].insert(len(roots(claire.doc)[1]), " again")
    await asyncio.sleep(0.02)
    leaving = asyncio.create_task(claire.disconnect())
    await asyncio.sleep(0.05)
    sam = await MemoryPeer(registry, INVOICE, EDITORS["sam"]).connect()
    await leaving
    assert str(roots(sam.doc)[1]) == "Thank you again"
    await until(lambda: len(slow.updates) == 2)
    await registry.close()


async def test_server_state_carries_live_totals(registry):
    claire = await peer(registry, "claire")
    await until(lambda: claire.server_state().get("totals") is not None)
    assert claire.server_state()["totals"]["gross"] == "240.00"
    roots(claire.doc)[2][0]["unit_price"] = "150.00"
    await until(lambda: (claire.server_state().get("totals") or {}).get("gross") == "360.00")


async def test_frozen_room_refuses_edits_and_final_status_is_announced(registry):
    _claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    async with registry.freeze(INVOICE, by="Claire Dubois") as frozen:
        assert frozen.doc["lines"][0]["id"] == "L1"
        await until(lambda: sam.server_state().get("frozen") is True)
    await registry.set_status(INVOICE, "finalised", by="Claire Dubois", number="F2026-00001")
    await until(lambda: sam.server_state().get("number") == "F2026-00001")
    assert sam.server_state()["finalised_by"] == "Claire Dubois"
    roots(sam.doc)[1].insert(len(roots(sam.doc)[1]), "late")
    await until(lambda: sam.closed is not None)
    assert "finalised" in sam.closed[1]


async def test_last_change_and_departure_are_reported_even_when_the_room_unloads(registry,
                                                                                 hooks):
    claire = await peer(registry, "claire")
    roots(claire.doc)[2][0]["quantity"] = "5"
    await asyncio.sleep(0.001)
    await claire.disconnect()  # the room unloads at once
    await until(lambda: hooks.changes and hooks.changes[-1]["lines"][0]["quantity"] == "5")
    await until(lambda: hooks.presence and hooks.presence[-1] == [])


async def test_a_claim_ends_when_its_holder_leaves(registry):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    await registry.claim(INVOICE, "L1", EDITORS["claire"])
    await until(lambda: "L1" in sam.server_state().get("claims", {}))
    await claire.disconnect()
    await until(lambda: "L1" not in sam.server_state().get("claims", {}))
    await registry.claim(INVOICE, "L1", EDITORS["sam"])  # free again at once


async def test_a_slow_reader_gets_bursts_merged_instead_of_being_dropped(registry):
    from invoicer.collab import connection as connection_module

    writer = await peer(registry, "claire")
    reader = MemoryPeer(registry, INVOICE, EDITORS["sam"])
    await reader.connect()
    room = await registry.room(INVOICE)
    slow = next(c for c in room.connections if c.editor.user_id == "u-sam")
    slow._writer.cancel()  # a reader that stopped reading for a while
    notes = roots(writer.doc)[1]
    for _ in range(connection_module.SEND_QUEUE_FRAMES + 500):
        notes.insert(len(notes), "x")
    await until(lambda: len(str(room.doc.get("notes", type=type(notes)))) > 2500)
    assert not slow._closing
    assert slow._queue.qsize() < connection_module.SEND_QUEUE_FRAMES
    slow._writer = asyncio.create_task(slow._write_forever())  # it reads again
    await until(lambda: str(roots(reader.doc)[1]) == str(notes))


async def test_a_new_root_is_refused_even_to_a_role_with_every_right(registry, hooks):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    stored = len(hooks.updates)
    claire.doc.get("evil", type=Map)["x"] = "1"
    await until(lambda: claire.closed is not None)
    assert claire.closed[0] == 4403 and "evil" in claire.closed[1]
    await asyncio.sleep(0.05)
    assert "evil" not in set((await registry.room(INVOICE)).doc.keys())
    assert len(hooks.updates) == stored
    # The room goes on: the next writer's update is checked against a clean copy.
    roots(sam.doc)[2][0]["quantity"] = "4"
    third = await peer(registry, "claire")
    await until(lambda: roots(third.doc)[2][0]["quantity"] == "4")


async def test_people_who_only_watch_show_no_focus(registry):
    claire, vera = await peer(registry, "claire"), await peer(registry, "vera")
    vera.set_awareness({"focus": {"line_id": "L1", "field": "unit_price"}})
    await until(lambda: "Vera Costa" in claire.users())
    assert "focus" not in claire.users()["Vera Costa"]


async def test_an_edit_made_while_a_report_is_under_way_is_reported_too(hooks):
    from invoicer.collab import RoomRegistry, make_backends

    class SlowChanged(ListHooks):
        async def changed(self, invoice_id, doc):
            await asyncio.sleep(0.2)
            await super().changed(invoice_id, doc)

    slow = SlowChanged(hooks.updates and [u for u, _ in hooks.updates])
    registry = RoomRegistry(slow, backends=await make_backends(None), changed_delay=0.01)
    claire = await MemoryPeer(registry, INVOICE, EDITORS["claire"]).connect()
    roots(claire.doc)[2][0]["quantity"] = "3"
    await asyncio.sleep(0.05)  # the first report is waiting on storage
    roots(claire.doc)[2][0]["unit_price"] = "10.00"
    await until(lambda: (claire.server_state().get("totals") or {}).get("gross") == "36.00")
    await until(lambda: slow.changes and slow.changes[-1]["lines"][0]["unit_price"] == "10.00")
    await registry.close()


async def test_a_client_that_reconnects_is_visible_again_at_once(registry):
    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    client_id = sam.doc.client_id
    sam.set_awareness({"focus": {"field": "notes"}})
    await until(lambda: "Sam Patel" in claire.users())
    await sam.disconnect()
    await until(lambda: "Sam Patel" not in claire.users(), timeout=2)
    # The provider reconnects with the same document, hence the same awareness client id.
    again = await peer(registry, "sam")
    again.set_awareness({"focus": {"field": "notes"}}, client_id=client_id)
    await until(lambda: "Sam Patel" in claire.users(), timeout=1)


async def test_an_accountant_adds_a_charge_while_someone_holds_a_line(registry):
    from invoicer.collab.draftdoc import extra_roots

    claire, sam = await peer(registry, "claire"), await peer(registry, "sam")
    await registry.claim(INVOICE, "L1", EDITORS["sam"])
    await until(lambda: "L1" in claire.server_state().get("claims", {}))
    charges, payment = extra_roots(claire.doc)
    charges.append(Map({"id": "c1", "amount": "15.00", "vat_rate": "20", "is_charge": "true"}))
    payment["terms"] = "30 days"
    await until(lambda: len(extra_roots(sam.doc)[0]) == 1)
    assert claire.closed is None
    extra_roots(sam.doc)[1]["prepaid"] = "10.00"  # sales may not change what is due
    await until(lambda: sam.closed is not None)
    assert "payment.prepaid" in sam.closed[1]
