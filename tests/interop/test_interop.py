"""A standard Yjs client (npm y-websocket under node) and a pycrdt client on a real server."""

from __future__ import annotations

import asyncio

from pycrdt import Array, Map, Text

from .node_peer import NodePeer
from .socket_peer import SocketPeer


async def until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def lines_of(peer: SocketPeer) -> Array:
    return peer.doc.get("lines", type=Array)


def add_line(peer: SocketPeer, line_id: str, description: str) -> None:
    lines_of(peer).append(Map({"id": line_id, "description": Text(description),
                               "quantity": "1", "unit_price": "10.00", "vat_rate": "20"}))


async def test_node_and_pycrdt_clients_converge_and_see_each_other(embedded, claire):
    invoice_id = await claire.new_draft()
    sam_token = embedded.token("sam@demo.test")
    py = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
    add_line(py, "L1", "Design")
    node = await NodePeer(embedded.ws_url, invoice_id, sam_token, "Pretender").start()
    await node.wait_for(lambda e: e["event"] == "synced")

    # Both type into the same description at once, and each into its own line.
    await node.do("add_line", id="L2", description="Print")
    description = lines_of(py)[0]["description"]
    typing = node.do("type", line_id="L1", text=" & logo", at="end")
    for position, ch in enumerate("Web "):
        description.insert(position, ch)
        await asyncio.sleep(0.005)
    await typing

    async def node_doc():
        return (await node.snapshot())["doc"]

    await until(lambda: len(lines_of(py)) == 2)
    for _ in range(50):
        theirs = await node_doc()
        ours = [dict(line.to_py()) for line in lines_of(py)]
        if [line["description"] for line in theirs["lines"]] == [
            line["description"] for line in ours
        ]:
            break
        await asyncio.sleep(0.1)
    assert [line["description"] for line in theirs["lines"]] == [
        line["description"] for line in ours
    ]
    assert "logo" in ours[0]["description"] and "Web" in ours[0]["description"]

    # Awareness: the node client's claimed name is replaced by the authenticated user.
    await node.do("focus", line_id="L1", field="description")
    await until(lambda: py.users().get("Sam Patel", {}).get("focus") is not None)
    assert "Pretender" not in py.users()
    assert py.users()["Sam Patel"]["focus"] == {"line_id": "L1", "field": "description"}
    await py.set_awareness({"focus": {"line_id": "L2", "field": "quantity"}})
    for _ in range(50):
        people = (await node.snapshot())["people"]
        if any(p["name"] == "Claire Dubois" for p in people):
            break
        await asyncio.sleep(0.1)
    assert any(p["name"] == "Claire Dubois" for p in people)

    # The server's own totals reach both clients.
    await until(lambda: (py.server_state().get("totals") or {}).get("net") == "20.00")

    # Leaving: gone from the other's view within two seconds.
    await node.stop()
    await until(lambda: "Sam Patel" not in py.users(), timeout=2)
    await py.close()


async def test_api_reads_the_live_document(embedded, claire):
    invoice_id = await claire.new_draft()
    py = await SocketPeer(embedded.ws_url, invoice_id, claire.token).connect()
    add_line(py, "L1", "Consulting")
    lines_of(py)[0]["unit_price"] = "1234.50"
    await asyncio.sleep(0.3)
    invoice = await claire.invoice(invoice_id)
    assert invoice["status"] == "draft"
    assert invoice["lines"][0]["description"] == "Consulting"
    assert invoice["totals"]["net"] == "1234.50"
    assert [e["name"] for e in invoice["editors"]] == ["Claire Dubois"]
    await py.close()
