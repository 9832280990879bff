"""A killed server loses nothing; a client kept open across restarts ends with no duplicates."""

from __future__ import annotations

import asyncio


from .node_peer import NodePeer
from .socket_peer import SocketPeer
from .test_interop import add_line, lines_of


async def test_sigkill_while_typing_loses_nothing_that_reached_the_server(embedded, claire):
    invoice_id = await claire.new_draft()
    writer = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
    add_line(writer, "L1", "")
    description = lines_of(writer)[0]["description"]
    typed = "Brand identity workshop, two days"
    for ch in typed:
        description.insert(len(description), ch)  # one update per keystroke
        await asyncio.sleep(0.01)
    lines_of(writer)[0]["unit_price"] = "950.00"
    # What reached the server: the group commit window is a few milliseconds.
    await asyncio.sleep(0.3)

    embedded.kill()
    await writer.wait_closed()
    embedded.start()

    reader = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
    line = lines_of(reader)[0]
    assert str(line["description"]) == typed
    assert line["unit_price"] == "950.00"
    await reader.close()


async def test_client_open_across_three_restarts_keeps_one_copy_of_each_line(embedded, claire):
    invoice_id = await claire.new_draft()
    node = await NodePeer(embedded.ws_url, invoice_id, claire.token, "Claire").start()
    await node.do("add_line", id="A", description="Strategy")
    await node.do("add_line", id="B", description="Design")
    await asyncio.sleep(0.3)
    for restart in range(3):
        embedded.kill()
        embedded.start()
        # The standard provider reconnects by itself and resynchronises.
        await node.wait_for(
            lambda e, n=restart: e["event"] == "synced" and
            sum(1 for x in node.events if x["event"] == "synced") >= n + 2,
            timeout=20,
        )
        await node.do("type", line_id="A", text=f" {restart}", at="end")
        await asyncio.sleep(0.3)
    doc = (await node.snapshot())["doc"]
    assert [line["id"] for line in doc["lines"]] == ["A", "B"]
    assert doc["lines"][0]["description"] == "Strategy 0 1 2"
    await node.stop()

    fresh = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
    assert [line["id"] for line in lines_of(fresh).to_py()] == ["A", "B"]
    assert str(lines_of(fresh)[0]["description"]) == "Strategy 0 1 2"
    await fresh.close()
