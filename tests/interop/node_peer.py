"""Drives tests/interop/yjs_peer.mjs (npm yjs + y-websocket) from Python tests."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).with_name("yjs_peer.mjs")


class NodePeer:
    def __init__(self, ws_url: str, invoice_id: str, token: str, name: str) -> None:
        self.args = [ws_url, invoice_id, token, name]
        self.events: list[dict[str, Any]] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._new = asyncio.Event()

    async def start(self) -> "NodePeer":
        self._process = await asyncio.create_subprocess_exec(
            "node", str(SCRIPT), *self.args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        await self.wait_for(lambda e: e["event"] == "synced", timeout=15)
        return self

    async def _read(self) -> None:
        assert self._process and self._process.stdout
        async for line in self._process.stdout:
            self.events.append(json.loads(line))
            self._new.set()

    async def do(self, command: str, **arguments: Any) -> None:
        assert self._process and self._process.stdin
        marker = len(self.events)
        self._process.stdin.write((json.dumps({"do": command, **arguments}) + "\n").encode())
        await self._process.stdin.drain()
        await self.wait_for(lambda e: e.get("do") == command and e["event"] in ("done", "error"),
                            since=marker)

    async def snapshot(self) -> dict[str, Any]:
        marker = len(self.events)
        await self.do("snapshot")
        return next(e for e in self.events[marker:] if e["event"] == "snapshot")

    async def wait_for(self, predicate, timeout: float = 10, since: int = 0) -> dict[str, Any]:
        """The first event from index `since` on that satisfies `predicate`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for event in self.events[since:]:
                if predicate(event):
                    return event
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no such event from the node peer; got {self.events[-5:]}")
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def stop(self) -> None:
        if self._process and self._process.returncode is None:
            try:
                await self.do("quit")
            except (AssertionError, ConnectionError, BrokenPipeError):
                pass
            try:
                await asyncio.wait_for(self._process.wait(), 5)
            except asyncio.TimeoutError:
                self._process.kill()
