from __future__ import annotations

import httpx
import pytest


class Api:
    """A small REST client for one user of a running server."""

    def __init__(self, url: str, token: str) -> None:
        self.client = httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                        timeout=30)
        self.token = token

    async def new_draft(self, **fields) -> str:
        if "customer_id" not in fields:
            customers = (await self.client.get("/api/customers")).json()
            rows = customers["customers"] if isinstance(customers, dict) else customers
            fields["customer_id"] = rows[0]["id"]
        response = await self.client.post("/api/invoices", json=fields)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def invoice(self, invoice_id: str) -> dict:
        response = await self.client.get(f"/api/invoices/{invoice_id}")
        assert response.status_code == 200, response.text
        return response.json()

    async def close(self) -> None:
        await self.client.aclose()


@pytest.fixture
async def embedded(server_factory):
    """A real server on the embedded default (SQLite, in-process presence)."""
    return server_factory()


@pytest.fixture
async def claire(embedded):
    api = Api(embedded.url, embedded.token("claire@demo.test"))
    yield api
    await api.close()
