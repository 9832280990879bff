"""pycrdt-websocket's ASGI server under uvicorn, as a peer for the benchmarks.

Usage: python pycrdt_ws.py HOST PORT [SQLITE_PATH]. The room is the URL path, as in its
documentation. With SQLITE_PATH, rooms persist through pycrdt-store's SQLiteYStore and are
loaded from it before they are served (the set-up its documentation describes).
"""

from __future__ import annotations

import asyncio
import logging
import sys

import uvicorn
from pycrdt.store import SQLiteYStore, YDocNotFound
from pycrdt.websocket import ASGIServer, WebsocketServer, YRoom


class StoredWebsocketServer(WebsocketServer):
    """Rooms kept in one SQLite file, each loaded from the store when first opened."""

    def __init__(self, db_path: str) -> None:
        super().__init__(rooms_ready=False)
        self.db_path = db_path

    async def get_room(self, name: str) -> YRoom:
        if name not in self.rooms:
            store = SQLiteYStore(path=name, log=self.log)
            store.db_path = self.db_path
            self.rooms[name] = YRoom(ready=False, ystore=store, log=self.log)
        room = self.rooms[name]
        await self.start_room(room)
        if not room.ready and room.ystore is not None:
            await room.ystore.started.wait()
            try:
                await room.ystore.apply_updates(room.ydoc)
            except YDocNotFound:
                pass
            room.ready = True
        return room


async def serve(host: str, port: int, db_path: str | None) -> None:
    websocket_server = StoredWebsocketServer(db_path) if db_path else WebsocketServer()
    app = ASGIServer(websocket_server)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    async with websocket_server:
        await server.serve()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None))
