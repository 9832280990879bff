"""The servers under test: each is started by the benchmark on a free loopback port.

- Invoicer: `invoicer serve`, on a fresh SQLite database seeded by `invoicer demo`, drafts
  created through the REST API with an API token.
- y-websocket: the reference server of the npm package `@y/websocket-server` (no persistence).
- Hocuspocus: `@hocuspocus/server` with no extension (servers/hocuspocus.mjs).
- pycrdt-websocket: its `ASGIServer` under uvicorn (servers/pycrdt_ws.py).

y-websocket and pycrdt-websocket can persist (y-leveldb, pycrdt-store's SQLiteYStore) when
given a `persistence` path; the load-time benchmark uses that.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from wire import Framing, HocuspocusFraming

HOST = "127.0.0.1"
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
ERROR_MARKERS = ("Traceback", "ERROR", "Error:", "Exception", "CRITICAL")


class ServerFailed(Exception):
    """The server did not start, or exited; the message quotes the end of its log."""


@dataclass(frozen=True)
class Room:
    """Where an editor connects for one draft, and how frames are shaped there."""

    name: str
    url: str
    framing: Framing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Server:
    """A server process in its own session, logging to a file in `workdir`."""

    name = "server"

    def __init__(self, workdir: Path, *, label: str | None = None) -> None:
        self.name = label or type(self).name
        self.workdir = workdir / "".join(c if c.isalnum() else "-" for c in self.name)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "server.log"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None, "not started"
        return self._process.pid

    async def prepare(self) -> None:
        """One-time set-up before the first start (databases, seeds, tokens)."""

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        """argv, extra environment and working directory of the server."""
        raise NotImplementedError

    async def start(self, timeout: float = 30) -> None:
        # The port stays the same across restarts: rooms handed out keep their URLs.
        self.port = self.port or free_port()
        argv, env, cwd = self.command()
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start {' '.join(argv)} port {self.port}\n".encode())
            self._process = subprocess.Popen(
                argv, cwd=cwd, env={**_clean_env(), **env}, stdout=log, stderr=log,
                stdin=subprocess.DEVNULL, start_new_session=True)
        await self._wait_listening(timeout)

    async def stop(self, timeout: float = 10) -> None:
        """SIGTERM to the server's process group, SIGKILL if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    async def rooms(self, count: int, tag: str) -> list[Room]:
        raise NotImplementedError

    def log_problems(self, limit: int = 8) -> list[str]:
        """Log lines that look like errors (first `limit`), plus their total as the last line."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        bad = [line for line in lines if any(marker in line for marker in ERROR_MARKERS)]
        return bad[:limit] + ([f"({len(bad)} such lines in {self.log_path})"] if bad else [])

    async def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ServerFailed(f"{self.name} exited: {self._log_tail()}")
            try:
                _, writer = await asyncio.open_connection(HOST, self.port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            return
        await self.stop()
        raise ServerFailed(f"{self.name} not listening after {timeout:.0f} s: {self._log_tail()}")

    def _log_tail(self, lines: int = 12) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class Invoicer(Server):
    name = "Invoicer"

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None,
                 *, label: str | None = None) -> None:
        super().__init__(workdir, label=label)
        self.extra_env = extra_env or {}
        self.token = ""
        self.database = self.workdir / "invoicer.db"
        self.secret = secrets.token_urlsafe(32)

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": f"sqlite:///{self.database}", "INVOICER_SECRET_KEY": self.secret,
                "INVOICER_PUBLIC_URL": f"http://{HOST}:{self.port or 8000}", **self.extra_env}

    async def prepare(self) -> None:
        await self._cli("demo")
        output = await self._cli("token", "create", "claire@demo.test")
        self.token = output.strip().splitlines()[-1].strip()

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        argv = [str(VENV_BIN / "invoicer"), "serve", "--host", HOST, "--port", str(self.port)]
        return argv, self.env(), self.workdir

    async def rooms(self, count: int, tag: str) -> list[Room]:
        ids = await self.create_drafts(count)
        return [Room(draft, f"ws://{HOST}:{self.port}/ws/invoices/{draft}?token={self.token}",
                     Framing()) for draft in ids]

    async def create_drafts(self, count: int) -> list[str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        base = f"http://{HOST}:{self.port}"
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30,
                                     trust_env=False) as client:
            body = {}
            customers = await client.get("/api/customers")
            if customers.status_code == 200:
                listed = customers.json()
                items = listed if isinstance(listed, list) else listed.get("items", [])
                if items:
                    body = {"customer_id": items[0]["id"]}
            ids = []
            for _ in range(count):
                response = await client.post("/api/invoices", json=body)
                if response.status_code != 201:
                    raise ServerFailed(f"POST /api/invoices: {response.status_code} "
                                       f"{response.text[:200]}")
                ids.append(str(response.json()["id"]))
        return ids

    async def _cli(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            str(VENV_BIN / "invoicer"), *args, cwd=self.workdir,
            env={**_clean_env(), **self.env()}, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 120)
        if process.returncode != 0:
            raise ServerFailed(f"invoicer {' '.join(args[:2])} failed: {err.decode()[-800:]}")
        return out.decode()


class YWebsocket(Server):
    name = "y-websocket"

    def __init__(self, workdir: Path, persistence: Path | None = None) -> None:
        super().__init__(workdir)
        self.persistence = persistence

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        script = ROOT / "node_modules/@y/websocket-server/src/server.js"
        env = {"HOST": HOST, "PORT": str(self.port)}
        if self.persistence is not None:
            env["YPERSISTENCE"] = str(self.persistence)
        return [_node(), str(script)], env, ROOT

    async def rooms(self, count: int, tag: str) -> list[Room]:
        names = [f"{tag}-{index}" for index in range(count)]
        return [Room(name, f"ws://{HOST}:{self.port}/{name}", Framing()) for name in names]


class Hocuspocus(Server):
    name = "Hocuspocus"

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        script = BENCH / "servers/hocuspocus.mjs"
        return [_node(), str(script), HOST, str(self.port)], {}, ROOT

    async def rooms(self, count: int, tag: str) -> list[Room]:
        names = [f"{tag}-{index}" for index in range(count)]
        return [Room(name, f"ws://{HOST}:{self.port}/", HocuspocusFraming(name))
                for name in names]


class PycrdtWebsocket(Server):
    name = "pycrdt-websocket"

    def __init__(self, workdir: Path, persistence: Path | None = None) -> None:
        super().__init__(workdir)
        self.persistence = persistence

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        script = BENCH / "servers/pycrdt_ws.py"
        argv = [sys.executable, str(script), HOST, str(self.port)]
        if self.persistence is not None:
            argv.append(str(self.persistence))
        return argv, {}, ROOT

    async def rooms(self, count: int, tag: str) -> list[Room]:
        names = [f"{tag}-{index}" for index in range(count)]
        return [Room(name, f"ws://{HOST}:{self.port}/{name}", Framing()) for name in names]


SERVERS = {"invoicer": Invoicer, "y-websocket": YWebsocket, "hocuspocus": Hocuspocus,
           "pycrdt-websocket": PycrdtWebsocket}


def _node() -> str:
    found = shutil.which("node")
    if found is None:
        raise ServerFailed("node is not on PATH")
    return found


def _clean_env() -> dict[str, str]:
    # The servers run in the embedded mode: no Redis, and nothing inherited that points away.
    drop = {"REDIS_URL", "DATABASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
            "http_proxy", "https_proxy", "all_proxy"}
    return {key: value for key, value in os.environ.items() if key not in drop}
