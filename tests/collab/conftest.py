from __future__ import annotations

import asyncio
from typing import Any

import pytest

from invoicer.collab import Editor, RoomRegistry, make_backends
from invoicer.collab.draftdoc import build_update

EDITORS = {
    "claire": Editor("u-claire", "Claire Dubois", "accountant", "#d9480f", "org1"),
    "sam": Editor("u-sam", "Sam Patel", "sales", "#1971c2", "org1"),
    "vera": Editor("u-vera", "Vera Costa", "viewer", "#2f9e44", "org1"),
}


class ListHooks:
    """Storage hooks keeping updates in a list: enough to test the room's own rules."""

    def __init__(self, initial: list[bytes] | None = None, load_delay: float = 0.0,
                 store_delay: float = 0.0) -> None:
        self.updates: list[tuple[bytes, str]] = [(u, "seed") for u in (initial or [])]
        self.loads = 0
        self.load_delay = load_delay
        self.store_delay = store_delay
        self.changes: list[dict[str, Any]] = []
        self.presence: list[list[dict[str, Any]]] = []

    async def load(self, invoice_id: str) -> list[bytes]:
        self.loads += 1
        await asyncio.sleep(self.load_delay)
        return [u for u, _ in self.updates]

    async def store(self, invoice_id: str, update: bytes, author_id: str) -> None:
        await asyncio.sleep(self.store_delay)
        self.updates.append((update, author_id))

    async def changed(self, invoice_id: str, doc: dict[str, Any]) -> None:
        self.changes.append(doc)

    async def presence_changed(self, invoice_id: str, editors: list[dict[str, Any]]) -> None:
        self.presence.append(editors)


SEED = build_update(
    {"customer_id": "c1", "currency": "EUR", "issue_date": "2026-12-04"},
    "Thank you",
    [{"id": "L1", "description": "Design", "quantity": "2", "unit_price": "100.00",
      "vat_rate": "20"}],
)


@pytest.fixture
def hooks() -> ListHooks:
    return ListHooks([SEED])


@pytest.fixture
async def registry(hooks: ListHooks):
    backends = await make_backends(None)
    registry = RoomRegistry(hooks, backends=backends, changed_delay=0.01)
    yield registry
    await registry.close()
    await backends.close()
