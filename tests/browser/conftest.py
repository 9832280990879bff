"""Browser fixtures: headless Chromium, and pages signed in as demo users of a real server.

- `server`: a real `invoicer serve` seeded with the demo organisation (see tests/conftest.py).
- `open_page(email, path)`: a page of its own browser context (own cookies), signed in.
- `new_draft(email)`: the id of a new draft for the demo organisation's first customer.
- `screenshot(page, name)`: saves tests/output/<name>.png for a person to look at.
- `api(email)`: an httpx client of the REST API signed in with that user's token.

A page that raises a JavaScript error fails its test: `open_page` collects them and the
fixture checks at teardown.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

OUTPUT = Path(__file__).parents[1] / "output"
DEMO_PASSWORD = "demo-password"
_CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Time for a change to travel from one browser through the server to another one.
LIVE_TIMEOUT_MS = 10_000

pytestmark = pytest.mark.browser
expect.set_options(timeout=LIVE_TIMEOUT_MS)


def _chromium() -> str | None:
    """A Chromium of the system if there is one, else the one Playwright installs."""
    return (os.environ.get("INVOICER_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), args=_CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def server(server_factory: Callable[..., Any]) -> Any:
    return server_factory()


@pytest.fixture
def open_page(browser: Browser, server: Any) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_as(email: str, path: str = "/invoices") -> Page:
        context = browser.new_context(viewport={"width": 1360, "height": 900},
                                      locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(LIVE_TIMEOUT_MS)
        page.on("pageerror", lambda error: errors.append(f"{email} {path}: {error}"))
        page.on("console", lambda message: print(f"[{email}] console {message.text}"))
        page.on("response", lambda response: _print_api_answer(email, response))
        sign_in(page, server, email, path)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not errors, "JavaScript errors in the pages:\n" + "\n".join(errors)


def _print_api_answer(email: str, response: Any) -> None:
    # Shown by pytest when a test fails: what each page asked the API and what it got.
    if "/api/" in response.url:
        print(f"[{email}] {response.request.method} {response.url} -> {response.status}")


def sign_in(page: Page, server: Any, email: str, path: str) -> None:
    page.goto(f"{server.url}/login?next={path}")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{server.url}{path}")


@pytest.fixture
def new_draft(server: Any) -> Callable[..., str]:
    def create(email: str = "claire@demo.test") -> str:
        headers = {"Authorization": f"Bearer {server.token(email)}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            customers = client.get("/api/customers").raise_for_status().json()
            created = client.post("/api/invoices", json={"customer_id": customers[0]["id"]})
            return str(created.raise_for_status().json()["id"])
    return create


@pytest.fixture
def api(server: Any) -> Iterator[Callable[[str], httpx.Client]]:
    """api(email): an httpx client of the REST API with that user's token."""
    clients: list[httpx.Client] = []

    def client_for(email: str = "claire@demo.test") -> httpx.Client:
        headers = {"Authorization": f"Bearer {server.token(email)}"}
        client = httpx.Client(base_url=server.url, headers=headers, timeout=10)
        clients.append(client)
        return client

    yield client_for
    for client in clients:
        client.close()


def invoice_id_of(client: httpx.Client, number: str) -> str:
    """The id of the demo invoice numbered `number`."""
    rows = client.get("/api/invoices").raise_for_status().json()
    return str(next(row["id"] for row in rows if row["number"] == number))


def in_french(page: Page) -> None:
    """Switch the signed-in user to French (kept on the user for this server)."""
    page.click(".topbar .langswitch button[value=fr]")
    expect(page.locator("html")).to_have_attribute("lang", "fr-FR")


def open_editor(page: Page) -> None:
    """Wait until the editor has the draft from the server."""
    expect(page.locator("#paper")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    def save(page: Page, name: str) -> Path:
        OUTPUT.mkdir(exist_ok=True)
        path = OUTPUT / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return save
