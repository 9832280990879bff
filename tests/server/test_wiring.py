"""The rooms' storage hooks: durable updates, the row mirror of a draft, board events."""

from __future__ import annotations

import asyncio
import json

from pycrdt import Doc

from invoicer.collab.draftdoc import doc_to_json

from .test_api import CLAIRE, LINE, add_lines, new_draft


async def board_events(client):
    me = (await client.get("/api/me", headers=await client.as_user(CLAIRE))).json()
    return await client.services.backends.broadcast.subscribe(f"board:{me['org_id']}")


async def next_event(subscription) -> dict:
    return json.loads(await asyncio.wait_for(anext(aiter(subscription)), 5))


async def document(client, invoice_id: str) -> dict:
    doc = Doc()
    for update in await client.services.registry.hooks.load(invoice_id):
        doc.apply_update(update)
    return doc_to_json(doc)


async def test_stored_updates_load_back_in_order(app_client):
    hooks = app_client.services.registry.hooks
    draft = await new_draft(app_client)
    before = len(await hooks.load(draft["id"]))

    await add_lines(app_client, draft["id"], LINE)

    assert len(await hooks.load(draft["id"])) == before + 1
    assert (await document(app_client, draft["id"]))["lines"][0]["description"] == "Pose lustre"


async def test_a_changed_draft_updates_its_row_and_the_board(app_client):
    hooks = app_client.services.registry.hooks
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE, {**LINE, "unit_price": "oops"})
    subscription = await board_events(app_client)

    await hooks.changed(draft["id"], await document(app_client, draft["id"]))

    event = await next_event(subscription)
    assert event["type"] == "invoice"
    row = event["invoice"]
    assert (row["id"], row["net"], row["vat"], row["gross"]) == (
        draft["id"], "200.00", "40.00", "240.00")  # the line that parses counts
    assert row["customer_name"] == "Boulangerie Martin & Fils"
    await subscription.close()


async def test_a_change_after_finalisation_leaves_the_row_alone(app_client):
    hooks = app_client.services.registry.hooks
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE)
    await app_client.post(f"/api/invoices/{draft['id']}/finalize",
                          headers=await app_client.as_user(CLAIRE))
    late = await document(app_client, draft["id"])
    late["lines"].append({**LINE, "id": "late", "quantity": "100"})

    await hooks.changed(draft["id"], late)

    row = await app_client.services.store.board_row(draft["id"])
    assert row["gross"] == "240.00" and row["status"] == "finalised"
    status = await hooks.room_status(draft["id"])
    assert (status.status, status.finalised_by) == ("finalised", "Claire Dubois")


async def test_presence_changes_reach_the_board(app_client):
    hooks = app_client.services.registry.hooks
    draft = await new_draft(app_client)
    subscription = await board_events(app_client)
    editors = [{"user_id": "u1", "name": "Sam Patel", "color": "#ea580c"}]

    await hooks.presence_changed(draft["id"], editors)

    assert (await next_event(subscription))["invoice"]["editors"] == editors
    await subscription.close()


async def test_creating_a_draft_tells_the_board(app_client):
    subscription = await board_events(app_client)
    draft = await new_draft(app_client, "Kyoto")
    event = await next_event(subscription)
    assert event["invoice"]["id"] == draft["id"]
    assert (event["invoice"]["currency"], event["invoice"]["gross"]) == ("JPY", "0")
    me = (await app_client.get("/api/me", headers=await app_client.as_user(CLAIRE))).json()
    assert await app_client.services.registry.hooks.invoice_org(draft["id"]) == me["org_id"]
    await subscription.close()
