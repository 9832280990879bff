"""What the pages refuse or never do: inline code under the CSP, forged forms, open redirects."""

from __future__ import annotations

import re

import httpx
import pytest

from .conftest import DEMO_PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: httpx.Client, path: str) -> str:
    found = _TOKEN.search(client.get(path).text)
    assert found, f"no form token on {path}"
    return found.group(1)


@pytest.fixture
def signed_in(server):
    def client_for(email: str) -> httpx.Client:
        client = httpx.Client(base_url=server.url, timeout=10)
        token = form_token(client, "/login")
        answer = client.post("/login", data={
            "csrf_token": token, "email": email, "password": DEMO_PASSWORD, "next": "/board",
        })
        assert answer.status_code == 303 and answer.headers["location"] == "/board"
        return client
    return client_for


def test_every_page_is_served_under_a_strict_csp_without_inline_code(signed_in, new_draft):
    client = signed_in("olivia@demo.test")
    paths = ["/invoices", "/board", "/customers", "/admin", f"/invoices/{new_draft()}"]
    anonymous = httpx.Client(base_url=str(client.base_url), timeout=10)
    pages = [client.get(path) for path in paths] + [anonymous.get("/login")]
    for page in pages:
        assert page.status_code == 200, page.url
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert page.headers["cache-control"] == "no-store"
        html = page.text
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), page.url
        assert not re.search(r"\sstyle=", html), page.url
        assert not re.search(r"\son[a-z]+=", html), page.url
        external = re.findall(r'(?:src|href)="(https?:)?//', html)
        assert not external, f"{page.url} loads something from another site"


def test_a_form_post_without_this_sessions_token_changes_nothing(signed_in):
    client = signed_in("claire@demo.test")
    before = client.get("/customers").text.count("<tr>")

    forged = client.post("/customers", data={"name": "Forged Ltd", "csrf_token": "guess"})
    assert forged.status_code == 303
    token = form_token(client, "/customers")
    foreign = client.post("/customers", data={"name": "Forged Ltd", "csrf_token": token},
                          headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 303

    page = client.get("/customers").text
    assert "Forged Ltd" not in page and page.count("<tr>") == before
    accepted = client.post("/customers", data={"name": "Real Ltd", "csrf_token": token})
    assert accepted.headers["location"] == "/customers?done=customer_added"


def test_sign_in_only_ever_sends_back_to_a_page_of_this_site(server):
    client = httpx.Client(base_url=server.url, timeout=10)
    token = form_token(client, "/login")
    answer = client.post("/login", data={
        "csrf_token": token, "email": "sam@demo.test", "password": DEMO_PASSWORD,
        "next": "//evil.example/phish",
    })
    assert answer.status_code == 303
    assert answer.headers["location"] == "/invoices"


def test_pages_ask_to_sign_in_first_and_come_back(server):
    answer = httpx.get(f"{server.url}/board", timeout=10)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fboard"


def test_an_unknown_invoice_is_a_404_page(signed_in):
    answer = signed_in("claire@demo.test").get("/invoices/" + "0" * 32)
    assert answer.status_code == 404
    assert "<main" in answer.text
