"""The rooms' hooks, backed by storage: how live drafts reach SQL and the board.

`StorageHooks` implements `invoicer.collab.RoomHooks`: a room loads from the update log,
stores every update through it (returning once committed), and reports its document and
its editors, which become the Invoice row's cached values and board events.
"""

from __future__ import annotations

import logging
from typing import Any

from ..collab import Backends, RoomStatus
from ..invoicing.draft import Draft, read_draft
from ..invoicing.totals import format_amount
from ..storage import Store
from ..storage.invoices import DraftCache
from .board import publish_invoice

__all__ = ["StorageHooks", "draft_cache"]

log = logging.getLogger(__name__)


class StorageHooks:
    """RoomHooks over the Store; `backends` carry the board events."""

    def __init__(self, store: Store, backends: Backends) -> None:
        self._store = store
        self._backends = backends

    async def load(self, invoice_id: str) -> list[bytes]:
        return await self._store.updates.load(invoice_id)

    async def store(self, invoice_id: str, update: bytes, author_id: str) -> None:
        await self._store.updates.append(invoice_id, update, author_id)

    async def changed(self, invoice_id: str, doc: dict[str, Any]) -> None:
        """Mirror the document into the Invoice row and tell the boards."""
        cached = await self._store.cache_draft(invoice_id, draft_cache(read_draft(doc)))
        if cached is None:
            return  # finalised meanwhile: the row is final and no longer follows the document
        await publish_invoice(self._store, self._backends, invoice_id)

    async def presence_changed(self, invoice_id: str, editors: list[dict[str, Any]]) -> None:
        await publish_invoice(self._store, self._backends, invoice_id, editors)

    async def invoice_org(self, invoice_id: str) -> str | None:
        return await self._store.invoice_org(invoice_id)

    async def room_status(self, invoice_id: str) -> RoomStatus | None:
        """The status a room opens with (a finalised invoice opens read-only)."""
        info = await self._store.invoice_info(invoice_id)
        if info is None:
            return None
        return RoomStatus(info["status"], info["number"], info["finalised_by"])


def draft_cache(draft: Draft) -> DraftCache:
    """What the Invoice row keeps of a draft: values that parse, totals as strings."""
    totals = draft.totals
    return DraftCache(
        customer_id=draft.meta.customer_id,
        currency=draft.meta.currency if draft.currency_valid else None,
        issue_date=draft.meta.issue_date,
        due_date=draft.meta.due_date,
        reference=draft.meta.reference,
        net=format_amount(totals.net, totals.currency),
        vat=format_amount(totals.vat, totals.currency),
        gross=format_amount(totals.gross, totals.currency),
    )
