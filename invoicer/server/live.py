"""Live endpoints: the draft WebSocket, the board WebSocket and line claims.

Each socket is accepted first so that a refusal can carry its close code (4401, 4403, 4404)
and a reason that standard providers report; see docs/contracts.md for the codes.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from invoicer.collab import ClaimConflict, ConnectionClosed, Editor, RoomBusy
from invoicer.invoicing.permissions import Permission, can, may_edit_draft

from .auth import csrf_satisfied, current_user
from .close_codes import FORBIDDEN, MALFORMED, NOT_AUTHENTICATED, NOT_FOUND

log = logging.getLogger("invoicer.server.live")


class StarletteChannel:
    """Adapts a Starlette WebSocket to the collab `Channel` protocol."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket

    async def send(self, message: bytes) -> None:
        await self._websocket.send_bytes(message)

    async def recv(self) -> bytes:
        from invoicer.collab import ProtocolError

        message = await self._websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise ConnectionClosed()
        data = message.get("bytes")
        if data is None:
            raise ProtocolError("text frames are not part of the protocol; send binary frames")
        return data

    async def close(self, code: int, reason: str) -> None:
        await self._websocket.close(code, reason)


def _origin_allowed(websocket: WebSocket) -> bool:
    """Browsers send Origin; it must be this server's public URL or the host it was reached at."""
    origin = websocket.headers.get("origin")
    if not origin:
        return True  # not a browser: authenticated by token
    public = websocket.app.state.services.settings.public_url
    allowed = {_origin_of(public)}
    host = websocket.headers.get("host")
    if host:
        allowed.update({f"http://{host}", f"https://{host}"})
    return origin.rstrip("/") in allowed


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def editor_of(user: Any) -> Editor:
    return Editor(
        user_id=str(user.id),
        name=user.name,
        role=str(user.role),
        color=getattr(user, "colour", None) or getattr(user, "color", None) or "#5b6ee1",
        org_id=str(user.org_id),
    )


async def _refuse(websocket: WebSocket, code: int, reason: str) -> None:
    await websocket.close(code, reason)


async def invoice_socket(websocket: WebSocket) -> None:
    services = websocket.app.state.services
    invoice_id = websocket.path_params["invoice_id"]
    await websocket.accept()

    if not _origin_allowed(websocket):
        log.warning("refused a socket to invoice %s from origin %s", invoice_id,
                    websocket.headers.get("origin"))
        return await _refuse(websocket, FORBIDDEN, "origin not allowed")
    user = await current_user(websocket)
    if user is None:
        return await _refuse(websocket, NOT_AUTHENTICATED, "sign in or pass a valid token")
    info = await services.store.invoice_info(invoice_id)
    if info is None or str(info["org_id"]) != str(user.org_id):
        # Another organisation's invoice is reported as missing: nothing leaks across tenants.
        return await _refuse(websocket, NOT_FOUND, f"no invoice {invoice_id[:40]}")
    if not can(user.role, Permission.INVOICE_VIEW):
        return await _refuse(websocket, FORBIDDEN, "your role may not see invoices")

    editor = editor_of(user)
    log.info("user %s (%s) joined invoice %s", editor.user_id, editor.role, invoice_id)
    try:
        await services.registry.serve(invoice_id, StarletteChannel(websocket), editor)
    except WebSocketDisconnect:
        pass
    finally:
        log.info("user %s left invoice %s", editor.user_id, invoice_id)


async def board_socket(websocket: WebSocket) -> None:
    """The status board: a snapshot of every invoice, then one message per change."""
    services = websocket.app.state.services
    await websocket.accept()
    if not _origin_allowed(websocket):
        return await _refuse(websocket, FORBIDDEN, "origin not allowed")
    user = await current_user(websocket)
    if user is None:
        return await _refuse(websocket, NOT_AUTHENTICATED, "sign in or pass a valid token")
    if not can(user.role, Permission.INVOICE_VIEW):
        return await _refuse(websocket, FORBIDDEN, "your role may not see invoices")

    subscription = await services.backends.broadcast.subscribe(f"board:{user.org_id}")
    try:
        rows = await services.store.board_rows(str(user.org_id))
        for row in rows:
            row["editors"] = await services.backends.presence.editors(row["id"])
        await websocket.send_text(json.dumps({"type": "snapshot", "rows": rows}, default=str))
        async for data in subscription:
            await websocket.send_text(data.decode())
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        await subscription.close()


async def _claim_context(request: Request) -> tuple[Any, Editor, str] | Response:
    services = request.app.state.services
    user = await current_user(request)
    if user is None:
        return _error(401, "not_authenticated", "sign in or pass a valid token")
    if not csrf_satisfied(request):
        return _error(403, "csrf", "send this session's X-CSRF-Token header, or use a token")
    invoice_id = request.path_params["invoice_id"]
    info = await services.store.invoice_info(invoice_id)
    if info is None or str(info["org_id"]) != str(user.org_id):
        return _error(404, "not_found", f"no invoice {invoice_id}")
    if not may_edit_draft(user.role):
        return _error(403, "forbidden", f"your role ({user.role}) may not edit drafts")
    return services, editor_of(user), invoice_id


async def claim_line(request: Request) -> Response:
    context = await _claim_context(request)
    if isinstance(context, Response):
        return context
    services, editor, invoice_id = context
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "bad_json", "the body is not JSON")
    line_id = body.get("line_id") if isinstance(body, dict) else None
    if not isinstance(line_id, str) or not line_id or len(line_id) > 64:
        return _error(422, "invalid", "line_id: a line id string is required")
    try:
        claim = await services.registry.claim(invoice_id, line_id, editor)
    except ClaimConflict as conflict:
        return JSONResponse(
            {"error": "claimed", "message": str(conflict), "holder": conflict.holder},
            status_code=409,
        )
    except RoomBusy as busy:
        return _error(409, "busy", str(busy))
    return JSONResponse(claim)


async def release_line(request: Request) -> Response:
    context = await _claim_context(request)
    if isinstance(context, Response):
        return context
    services, editor, invoice_id = context
    await services.registry.release_claim(invoice_id, request.path_params["line_id"], editor)
    return Response(status_code=204)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


routes = [
    WebSocketRoute("/ws/invoices/{invoice_id}", invoice_socket),
    WebSocketRoute("/ws/board", board_socket),
    Route("/api/invoices/{invoice_id}/claims", claim_line, methods=["POST"]),
    Route("/api/invoices/{invoice_id}/claims/{line_id}", release_line, methods=["DELETE"]),
]

__all__ = ["MALFORMED", "routes"]
