"""Cookie-authenticated API calls that change data need the session's X-CSRF-Token."""

from __future__ import annotations

import re

import httpx


def signed_in(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={
        "email": "claire@demo.test", "password": "demo-password", "csrf_token": token,
    }, headers={"Origin": url})
    assert response.status_code == 303, response.text
    # The session keeps its token after sign-in is refreshed: read it from a page.
    page = client.get("/invoices").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    return client, token.group(1)


def test_a_cookie_alone_cannot_change_data(server_factory):
    server = server_factory()
    client, token = signed_in(server.url)
    customers = client.get("/api/customers").json()
    assert customers, "reading needs no token"

    refused = client.post("/api/invoices", json={"customer_id": customers[0]["id"]})
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"

    created = client.post("/api/invoices", json={"customer_id": customers[0]["id"]},
                          headers={"X-CSRF-Token": token})
    assert created.status_code == 201, created.text
    client.close()


def test_bearer_tokens_need_no_csrf_header(server_factory):
    server = server_factory()
    headers = {"Authorization": f"Bearer {server.token('claire@demo.test')}"}
    customers = httpx.get(f"{server.url}/api/customers", headers=headers).json()
    created = httpx.post(f"{server.url}/api/invoices", headers=headers,
                         json={"customer_id": customers[0]["id"]})
    assert created.status_code == 201
