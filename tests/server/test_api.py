"""The REST API in process: shapes, statuses, permissions, tenants, finalisation."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, date, datetime

from pycrdt import Doc
from sqlmodel import select

from invoicer.collab.draftdoc import make_line, roots
from invoicer.storage.accounts import create_organization, create_user
from invoicer.storage.models import AuditEvent

CLAIRE, SAM, VERA, MAX = ("claire@demo.test", "sam@demo.test", "vera@demo.test",
                          "max@demo.test")


async def customer_id(client, name_part: str) -> str:
    response = await client.get("/api/customers", headers=await client.as_user(CLAIRE))
    return next(c["id"] for c in response.json() if name_part in c["name"])


async def new_draft(client, customer: str = "Boulangerie", **fields) -> dict:
    body = {"customer_id": await customer_id(client, customer), **fields}
    response = await client.post("/api/invoices", json=body,
                                 headers=await client.as_user(CLAIRE))
    assert response.status_code == 201, response.text
    return response.json()


async def add_lines(client, invoice_id: str, *lines: dict) -> None:
    """Edit the draft as a client would: one Yjs update appended to its log."""
    doc = Doc()
    for update in await client.services.store.updates.load(invoice_id):
        doc.apply_update(update)
    _, _, array = roots(doc)
    state = doc.get_state()
    for line in lines:
        array.append(make_line(line))
    await client.services.store.updates.append(invoice_id, doc.get_update(state), "test")


LINE = {"description": "Pose lustre", "quantity": "2", "unit_price": "100.00",
        "vat_rate": "20"}


# -- errors and authentication ------------------------------------------------------------------


async def test_health_answers_without_authentication(app_client):
    response = await app_client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}


async def test_without_a_token_the_api_answers_401_json(app_client):
    response = await app_client.get("/api/invoices")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_bad_token_is_401(app_client):
    response = await app_client.get("/api/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"


async def test_the_token_query_parameter_authenticates(app_client):
    token = await app_client.token(VERA)
    response = await app_client.get("/api/me", params={"token": token})
    assert response.status_code == 200 and response.json()["email"] == VERA


async def test_unknown_api_route_is_404_json(app_client):
    response = await app_client.get("/api/nothing/here", headers=await app_client.as_user(CLAIRE))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert "/api/nothing/here" in response.json()["message"]


async def test_wrong_method_is_405_json_with_allow(app_client):
    response = await app_client.delete("/api/customers", headers=await app_client.as_user(CLAIRE))
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "POST" in response.headers["allow"]


async def test_invalid_json_is_400(app_client):
    headers = {**await app_client.as_user(CLAIRE), "Content-Type": "application/json"}
    response = await app_client.post("/api/customers", content=b'{"name": ', headers=headers)
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"
    response = await app_client.post("/api/customers", content=b"[1, 2]", headers=headers)
    assert response.status_code == 400 and "object" in response.json()["message"]


async def test_validation_errors_name_the_field(app_client):
    headers = await app_client.as_user(CLAIRE)
    cases = [
        ({}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Acme", "currency": "EURO"}, "currency"),
        ({"name": "Acme", "country": "XX"}, "country"),
        ({"name": "Acme", "country": "DE", "vat_number": "DE123"}, "vat_number"),
        ({"name": "Acme", "email": "not-an-email"}, "email"),
        ({"name": "Acme", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        response = await app_client.post("/api/customers", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field
        assert response.json()["message"].startswith(field)


async def test_an_oversized_body_is_413(app_client):
    headers = await app_client.as_user(CLAIRE)
    response = await app_client.post("/api/customers", json={"name": "x" * 300_000},
                                      headers=headers)
    assert response.status_code == 413 and response.json()["error"] == "too_large"


async def test_security_headers_are_set(app_client):
    response = await app_client.get("/api/openapi.json")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]


# -- customers ----------------------------------------------------------------------------------


async def test_a_customer_is_created_listed_and_audited(app_client):
    headers = await app_client.as_user(SAM)
    body = {"name": "Lichthaus KG", "email": "rechnung@lichthaus.test", "country": "de",
            "vat_number": "DE 281 507 435", "currency": "eur"}
    created = await app_client.post("/api/customers", json=body, headers=headers)

    assert created.status_code == 201
    customer = created.json()
    assert (customer["country"], customer["currency"], customer["vat_number"]) == (
        "DE", "EUR", "DE281507435")
    listed = await app_client.get("/api/customers", headers=headers)
    assert customer["id"] in [c["id"] for c in listed.json()]
    one = await app_client.get(f"/api/customers/{customer['id']}", headers=headers)
    assert one.json()["name"] == "Lichthaus KG"
    with app_client.services.db.session() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.target == customer["id"])).one()
    assert (event.action, event.ip) == ("customer.create", "127.0.0.1")


async def test_a_viewer_cannot_create_a_customer(app_client):
    response = await app_client.post("/api/customers", json={"name": "X"},
                                      headers=await app_client.as_user(VERA))
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


# -- invoices -----------------------------------------------------------------------------------


async def test_a_draft_takes_the_customers_currency_and_a_30_day_term(app_client):
    draft = await new_draft(app_client, "Harbour")
    assert draft["status"] == "draft" and draft["number"] is None
    assert draft["currency"] == "GBP"
    assert draft["lines"] == [] and draft["totals"]["gross"] == "0.00"
    issue, due = date.fromisoformat(draft["issue_date"]), date.fromisoformat(draft["due_date"])
    assert (due - issue).days == 30


async def test_a_draft_without_customer_takes_the_organisations_currency(app_client):
    response = await app_client.post("/api/invoices", json={},
                                     headers=await app_client.as_user(SAM))
    assert response.status_code == 201
    assert response.json()["currency"] == "EUR" and response.json()["customer_id"] is None


async def test_creating_a_draft_validates_customer_and_currency(app_client):
    headers = await app_client.as_user(CLAIRE)
    unknown = await app_client.post("/api/invoices", json={"customer_id": "nope"},
                                    headers=headers)
    assert unknown.status_code == 422 and unknown.json()["field"] == "customer_id"
    wrong = await app_client.post("/api/invoices", json={"currency": "XYZ"}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["field"] == "currency"
    typed = await app_client.post("/api/invoices", json={"customer_id": 12}, headers=headers)
    assert typed.status_code == 422 and typed.json()["field"] == "customer_id"


async def test_a_viewer_gets_403_on_create(app_client):
    response = await app_client.post("/api/invoices", json={},
                                     headers=await app_client.as_user(VERA))
    assert response.status_code == 403


async def test_a_draft_is_read_from_its_live_document(app_client):
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE,
                    {**LINE, "description": "Ampoules", "unit_price": "abc"})

    response = await app_client.get(f"/api/invoices/{draft['id']}",
                                    headers=await app_client.as_user(VERA))
    invoice = response.json()

    assert response.status_code == 200
    assert [line["description"] for line in invoice["lines"]] == ["Pose lustre", "Ampoules"]
    assert invoice["lines"][0]["net"] == "200.00"
    assert invoice["totals"]["net"] == "200.00" and invoice["totals"]["gross"] == "240.00"
    assert invoice["totals"]["vat_breakdown"][0]["rate"] == "20"
    assert [(p["line"], p["field"]) for p in invoice["problems"]] == [(2, "unit_price")]
    assert invoice["editors"] == []


async def test_an_invoice_of_another_organisation_is_404(app_client):
    store = app_client.services.store
    other = await store.run(create_organization, "Autre Société")
    await store.run(create_user, other.id, email="x@autre.test", name="X", role="owner",
                    password_hash=None)
    draft = await new_draft(app_client)
    headers = await app_client.as_user("x@autre.test")
    response = await app_client.get(f"/api/invoices/{draft['id']}", headers=headers)
    assert response.status_code == 404
    finalize = await app_client.post(f"/api/invoices/{draft['id']}/finalize", headers=headers)
    assert finalize.status_code == 404
    board = await app_client.get("/api/board", headers=headers)
    assert board.json() == {"rows": []}


async def test_the_board_lists_every_invoice_with_overdue_marked(app_client):
    response = await app_client.get("/api/board", headers=await app_client.as_user(MAX))
    rows = response.json()["rows"]
    assert len(rows) == 10
    assert {row["status"] for row in rows} >= {"draft", "sent", "paid", "overdue", "finalised"}
    assert all(row["overdue"] for row in rows if row["status"] == "overdue")
    assert not any(row["overdue"] for row in rows if row["status"] in ("draft", "paid"))
    assert {row["customer_name"] for row in rows} >= {"Kyoto Washi Co., Ltd."}
    listed = await app_client.get("/api/invoices", params={"status": "paid"},
                                  headers=await app_client.as_user(MAX))
    assert [row["status"] for row in listed.json()] == ["paid", "paid"]


# -- finalisation -------------------------------------------------------------------------------


def next_numbers(count: int, existing: list[str]) -> list[str]:
    """The `count` numbers that follow `existing` in this year's F{YYYY}-{SEQ:5} sequence."""
    year = datetime.now(UTC).year
    last = max((int(n[-5:]) for n in existing if n[1:5] == str(year)), default=0)
    return [f"F{year}-{last + k:05d}" for k in range(1, count + 1)]


async def finalised_numbers(client) -> list[str]:
    rows = (await client.get("/api/board", headers=await client.as_user(CLAIRE))).json()["rows"]
    return [row["number"] for row in rows if row["number"]]


async def test_finalising_numbers_the_draft_and_stores_it(app_client):
    before = await finalised_numbers(app_client)
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE)
    me = await app_client.get("/api/me", headers=await app_client.as_user(CLAIRE))
    subscription = await app_client.services.backends.broadcast.subscribe(
        f"board:{me.json()['org_id']}"
    )

    response = await app_client.post(f"/api/invoices/{draft['id']}/finalize",
                                     headers=await app_client.as_user(CLAIRE))

    assert response.status_code == 200, response.text
    invoice = response.json()
    assert invoice["number"] == next_numbers(1, before)[0]
    assert invoice["status"] == "finalised" and invoice["replayed"] is False
    assert invoice["totals"]["gross"] == "240.00"
    assert invoice["lines"][0]["net"] == "200.00"
    event = json.loads(await asyncio.wait_for(anext(aiter(subscription)), 5))
    assert event["type"] == "invoice" and event["invoice"]["number"] == invoice["number"]
    await subscription.close()
    again = await app_client.get(f"/api/invoices/{draft['id']}",
                                 headers=await app_client.as_user(VERA))
    assert again.json()["number"] == invoice["number"] and again.json()["hash"]


async def test_finalising_twice_is_409_unless_the_same_idempotency_key(app_client):
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE)
    headers = {**await app_client.as_user(CLAIRE), "Idempotency-Key": "k-123"}
    url = f"/api/invoices/{draft['id']}/finalize"

    first = await app_client.post(url, headers=headers)
    replay = await app_client.post(url, headers=headers)
    plain = await app_client.post(url, headers=await app_client.as_user(CLAIRE))

    assert first.status_code == 200 and replay.status_code == 200
    assert replay.json()["number"] == first.json()["number"] and replay.json()["replayed"]
    assert plain.status_code == 409
    assert plain.json()["error"] == "already_final"
    assert plain.json()["number"] == first.json()["number"]


async def test_an_idempotency_key_reused_for_another_invoice_is_409(app_client):
    headers = {**await app_client.as_user(CLAIRE), "Idempotency-Key": "k-reused"}
    ids = []
    for _ in range(2):
        draft = await new_draft(app_client)
        await add_lines(app_client, draft["id"], LINE)
        ids.append(draft["id"])
    assert (await app_client.post(f"/api/invoices/{ids[0]}/finalize", headers=headers)
            ).status_code == 200
    response = await app_client.post(f"/api/invoices/{ids[1]}/finalize", headers=headers)
    assert response.status_code == 409 and response.json()["error"] == "idempotency_conflict"


async def test_an_invalid_draft_is_422_with_its_problems(app_client):
    before = await finalised_numbers(app_client)
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], {**LINE, "quantity": "deux"})

    response = await app_client.post(f"/api/invoices/{draft['id']}/finalize",
                                     headers=await app_client.as_user(CLAIRE))

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_draft" and "quantity" in body["message"]
    assert [(p["line"], p["field"]) for p in body["problems"]] == [(1, "quantity")]
    assert await finalised_numbers(app_client) == before  # no number taken


async def test_sales_cannot_finalise(app_client):
    draft = await new_draft(app_client)
    response = await app_client.post(f"/api/invoices/{draft['id']}/finalize",
                                     headers=await app_client.as_user(SAM))
    assert response.status_code == 403 and "invoice_finalize" in response.json()["message"]


async def test_a_malformed_idempotency_key_is_400(app_client):
    draft = await new_draft(app_client)
    headers = {**await app_client.as_user(CLAIRE), "Idempotency-Key": "x" * 300}
    response = await app_client.post(f"/api/invoices/{draft['id']}/finalize", headers=headers)
    assert response.status_code == 400


async def test_twenty_concurrent_finalise_requests_get_twenty_gapless_numbers(app_client):
    before = await finalised_numbers(app_client)
    drafts = [await new_draft(app_client) for _ in range(20)]
    for draft in drafts:
        await add_lines(app_client, draft["id"], LINE)
    headers = await app_client.as_user(CLAIRE)

    responses = await asyncio.gather(*(
        app_client.post(f"/api/invoices/{d['id']}/finalize", headers=headers) for d in drafts
    ))

    assert [r.status_code for r in responses] == [200] * 20
    assert sorted(r.json()["number"] for r in responses) == next_numbers(20, before)


async def test_concurrent_requests_for_one_draft_finalise_it_once(app_client):
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE)
    headers = {**await app_client.as_user(CLAIRE), "Idempotency-Key": "same-request"}

    responses = await asyncio.gather(*(
        app_client.post(f"/api/invoices/{draft['id']}/finalize", headers=headers)
        for _ in range(5)
    ))

    assert [r.status_code for r in responses] == [200] * 5
    assert len({r.json()["number"] for r in responses}) == 1
    assert sum(not r.json()["replayed"] for r in responses) == 1


# -- status -------------------------------------------------------------------------------------


async def test_status_moves_along_the_life_cycle_with_permissions(app_client):
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE)
    url = f"/api/invoices/{draft['id']}"
    claire = await app_client.as_user(CLAIRE)

    early = await app_client.post(f"{url}/status", json={"status": "paid"}, headers=claire)
    assert early.status_code == 409  # a draft is not paid
    await app_client.post(f"{url}/finalize", headers=claire)
    by_viewer = await app_client.post(f"{url}/status", json={"status": "sent"},
                                      headers=await app_client.as_user(VERA))
    assert by_viewer.status_code == 403
    sent = await app_client.post(f"{url}/status", json={"status": "sent"}, headers=claire)
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    unknown = await app_client.post(f"{url}/status", json={"status": "lost"}, headers=claire)
    assert unknown.status_code == 422 and unknown.json()["field"] == "status"


# -- description --------------------------------------------------------------------------------


async def test_openapi_describes_every_api_route(app_client):
    spec = (await app_client.get("/api/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    app = app_client._transport.app
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for prefix, route in api_routes(app.routes):
        methods = (route.methods or set()) - {"HEAD"}
        if route.methods is None:  # an HTTPEndpoint: its handlers are its methods
            methods = {m for m in ("GET", "POST", "PUT", "DELETE")
                       if hasattr(route.endpoint, m.lower())}
        for method in methods:
            path = prefix + route.path
            assert (path, method.lower()) in described, f"{method} {path} undocumented"


def api_routes(routes, prefix=""):
    from starlette.routing import Mount, Route

    for route in routes:
        if isinstance(route, Mount) and route.path == "/api":
            yield from api_routes(route.routes, "/api")
        elif isinstance(route, Route) and (prefix + route.path).startswith("/api/"):
            yield prefix, route


async def test_me_lists_the_roles_permissions(app_client):
    me = (await app_client.get("/api/me", headers=await app_client.as_user(SAM))).json()
    assert me["role"] == "sales" and "invoice_finalize" not in me["permissions"]
    assert me["organization"]["name"] == "Atelier Lumière SARL"
    assert re.fullmatch(r"#[0-9a-f]{6}", me["colour"])
