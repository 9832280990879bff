"""Two server processes on PostgreSQL and Redis: one draft, editors on both, one truth."""

from __future__ import annotations


import pytest

from .conftest import Api
from .socket_peer import SocketPeer
from .test_interop import add_line, lines_of, until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def test_editors_on_two_processes_converge_and_finalise_once(server_factory):
    first = server_factory(db="postgres", redis=True)
    second = server_factory(share=first)
    claire = Api(first.url, first.token("claire@demo.test"))
    invoice_id = await claire.new_draft()

    a = await SocketPeer(first.ws_url, invoice_id, claire.token).connect()
    b = await SocketPeer(second.ws_url, invoice_id, first.token("sam@demo.test")).connect()
    add_line(a, "L1", "Workshop")
    await until(lambda: len(lines_of(b)) == 1)
    lines_of(b)[0]["quantity"] = "3"
    await until(lambda: lines_of(a)[0]["quantity"] == "3")
    await b.set_awareness({"focus": {"line_id": "L1", "field": "quantity"}})
    await until(lambda: "Sam Patel" in a.users())

    response = await claire.client.post(f"/api/invoices/{invoice_id}/finalize")
    assert response.status_code == 200, response.text
    number = response.json()["number"]
    await until(lambda: b.server_state().get("number") == number)
    assert b.server_state()["finalised_by"] == "Claire Dubois"
    stored = await claire.invoice(invoice_id)
    assert stored["status"] == "finalised" and stored["totals"]["net"] == "30.00"
    await a.close()
    await b.close()
    await claire.close()
