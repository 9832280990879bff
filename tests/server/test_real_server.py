"""Real `invoicer serve` processes: start, crash, restart, several processes on one database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from pycrdt import Doc

from invoicer.collab.draftdoc import make_line, roots
from invoicer.storage import Database, UpdateLog

LINE = {"description": "Pose lustre", "quantity": "1", "unit_price": "90.00", "vat_rate": "20"}


async def write_lines(database_url: str, invoice_id: str) -> None:
    """Give a draft a line, as an editor would, straight into the shared database."""
    db = Database(database_url)
    log = UpdateLog(db, window_ms=0)
    doc = Doc()
    for update in await log.load(invoice_id):
        doc.apply_update(update)
    state = doc.get_state()
    roots(doc)[2].append(make_line(LINE))
    await log.append(invoice_id, doc.get_update(state), "test")
    await log.close()
    db.dispose()


async def create_drafts(client: httpx.AsyncClient, count: int) -> list[str]:
    customers = (await client.get("/api/customers")).json()
    ids = []
    for n in range(count):
        response = await client.post("/api/invoices",
                                     json={"customer_id": customers[n % 3]["id"]})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def next_numbers(count: int, existing: list[str]) -> list[str]:
    """The `count` numbers that follow `existing` in this year's F{YYYY}-{SEQ:5} sequence."""
    year = datetime.now(UTC).year
    last = max((int(n[-5:]) for n in existing if n[1:5] == str(year)), default=0)
    return [f"F{year}-{last + k:05d}" for k in range(1, count + 1)]


def test_a_server_starts_seeded_and_serves_health_pages_and_api(server_factory):
    server = server_factory()
    token = server.token("claire@demo.test")

    assert httpx.get(f"{server.url}/healthz").json() == {"ok": True}
    me = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == "claire@demo.test"
    assert "frame-ancestors 'none'" in me.headers["content-security-policy"]
    assert httpx.get(f"{server.url}/api/me").status_code == 401
    assert httpx.get(f"{server.url}/api/me", params={"token": token}).status_code == 200
    assert token not in server.log_text()  # never logged, not even in access lines
    assert server.ws_url.startswith("ws://127.0.0.1:")


async def test_data_survives_a_kill_and_restart(server_factory):
    server = server_factory()
    headers = {"Authorization": f"Bearer {server.token('claire@demo.test')}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        invoice_id = (await create_drafts(client, 1))[0]
    await write_lines(server.env["DATABASE_URL"], invoice_id)

    server.kill()
    server.start()

    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        draft = (await client.get(f"/api/invoices/{invoice_id}")).json()
        assert [line["description"] for line in draft["lines"]] == ["Pose lustre"]
        final = await client.post(f"/api/invoices/{invoice_id}/finalize")
    assert final.status_code == 200 and final.json()["totals"]["gross"] == "108.00"


@pytest.mark.postgres
async def test_two_processes_finalising_twenty_drafts_number_them_gaplessly(server_factory):
    first = server_factory(db="postgres")
    second = server_factory(share=first)
    headers = {"Authorization": f"Bearer {first.token('claire@demo.test')}"}
    async with httpx.AsyncClient(base_url=first.url, headers=headers, timeout=60) as client:
        before = [row["number"] for row in (await client.get("/api/board")).json()["rows"]
                  if row["number"]]
        drafts = await create_drafts(client, 20)
    for invoice_id in drafts:
        await write_lines(first.env["DATABASE_URL"], invoice_id)

    async with httpx.AsyncClient(headers=headers, timeout=60) as client:
        responses = await asyncio.gather(*(
            client.post(f"{(first, second)[n % 2].url}/api/invoices/{invoice_id}/finalize")
            for n, invoice_id in enumerate(drafts)
        ))

    assert [r.status_code for r in responses] == [200] * 20
    assert sorted(r.json()["number"] for r in responses) == next_numbers(20, before)
    assert first.run_cli("verify").stdout.startswith("chain intact")
