"""Board events: every change of an invoice, published to its organisation's board topic.

Subscribers (the board WebSocket, in every process) receive
`{"type": "invoice", "invoice": <board row>}` as JSON bytes on `board:{org_id}`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ..collab import Backends
from ..storage import Store
from ..storage.invoices import board_row

__all__ = ["board_topic", "publish_invoice", "row_with_editors"]

log = logging.getLogger(__name__)


def board_topic(org_id: str) -> str:
    return f"board:{org_id}"


async def row_with_editors(
    store: Store, backends: Backends, invoice_id: str,
    editors: list[dict[str, Any]] | None = None,
) -> tuple[str, dict[str, Any]] | None:
    """(org id, board row with who is editing now), or None if the invoice is gone."""
    found = await store.invoice_row(invoice_id)
    if found is None:
        return None
    row = board_row(found)
    row["editors"] = editors if editors is not None else await backends.presence.editors(
        invoice_id
    )
    return found.invoice.org_id, row


async def publish_invoice(
    store: Store, backends: Backends, invoice_id: str,
    editors: list[dict[str, Any]] | None = None,
) -> None:
    """Tell the organisation's boards about the invoice as it is now."""
    found = await row_with_editors(store, backends, invoice_id, editors)
    if found is None:
        return
    org_id, row = found
    message = json.dumps({"type": "invoice", "invoice": row}, default=str)
    await backends.broadcast.publish(board_topic(org_id), message.encode())
    log.debug("board of organisation %s told about invoice %s", org_id, invoice_id)
