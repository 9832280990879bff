"""The Starlette application: services opened in the lifespan, routes, middleware.

`create_app(settings)` is all a server needs; `invoicer serve` runs it under uvicorn.
The lifespan opens the database (creating missing tables), the store and its update log,
the presence/lock/fan-out backends (in process, or Redis when REDIS_URL is set) and the
room registry, and closes them in the reverse order so that pending saves finish first.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

import invoicer

from ..collab import RoomRegistry, make_backends
from ..storage import Database, Store
from . import accounting, api, exports, imports, live, pages
from .errors import exception_handlers
from .security import SecurityHeaders
from .services import Services
from .settings import Settings
from .wiring import StorageHooks

__all__ = ["SESSION_COOKIE", "WEB_DIR", "create_app"]

log = logging.getLogger(__name__)

WEB_DIR = Path(invoicer.__file__).resolve().parents[1] / "web"
SESSION_COOKIE = "invoicer_session"
SESSION_MAX_AGE = 14 * 24 * 3600


async def healthz(request: Request) -> Response:
    return JSONResponse({"ok": True})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    return Starlette(
        routes=_routes(),
        middleware=[
            Middleware(SecurityHeaders, https=settings.secure_cookies),
            Middleware(
                SessionMiddleware, secret_key=settings.secret_key,
                session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE,
                same_site="lax", https_only=settings.secure_cookies,
            ),
        ],
        exception_handlers=exception_handlers,
        lifespan=_lifespan(settings),
    )


def _lifespan(settings: Settings):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        await anyio.to_thread.run_sync(db.create_all)
        store = Store(db, group_commit_ms=settings.group_commit_ms,
                      compact_after=settings.compact_after)
        backends = await make_backends(settings.redis_url, settings.redis_prefix)
        hooks = StorageHooks(store, backends)
        registry = RoomRegistry(hooks, backends=backends,
                                max_message_bytes=settings.max_message_bytes,
                                status_of=hooks.room_status)
        app.state.services = Services(settings, db, store, backends, registry)
        log.info("invoicer started: %r", db)
        try:
            yield
        finally:
            await registry.close()
            await store.close()
            await backends.close()
            db.dispose()
            log.info("invoicer stopped")

    return lifespan


def _routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        # Before the /api mount, which would take every /api/ path: these modules' routes
        # are written in full (/api/invoices/{id}/claims, /api/imports...).
        *live.routes,
        *imports.routes,
        *exports.routes,
        *accounting.routes,
        *api.routes,
        *pages.routes,
        Mount("/static", app=StaticFiles(directory=WEB_DIR / "static", check_dir=False),
              name="static"),
    ]
