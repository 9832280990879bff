"""Fixtures shared by every test package.

- `pg_url`: a PostgreSQL database of its own for the session (created, then dropped).
- `redis_url`, `redis_prefix`: the local Redis and a key prefix of this test's own.
- `server_factory`: real `invoicer serve` processes on loopback, seeded with `invoicer demo`.
- `app_client`: the application in process (lifespan run), with an httpx client.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

PG_ADMIN_URL = os.environ.get(
    "INVOICER_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("INVOICER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEMO_PASSWORD = "demo-password"
_START_TIMEOUT = 30.0


# -- PostgreSQL and Redis ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database, dropped at the end of the session."""
    import psycopg

    name = f"invoicer_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    prefix = f"invoicer-test-{secrets.token_hex(6)}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# -- real server processes --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def invoicer_command(*args: str) -> list[str]:
    """The `invoicer` command line, run with this interpreter."""
    return [sys.executable, "-m", "invoicer.server.cli", *args]


class ServerHandle:
    """A real `invoicer serve` process on loopback; restartable on the same port and data."""

    def __init__(self, workdir: Path, port: int, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.port = port
        self.env = env
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/ws/invoices"
        self.process: subprocess.Popen[bytes] | None = None
        self._tokens: dict[str, str] = {}
        self._log = workdir / "server.log"

    def run_cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run an `invoicer` command against this server's database."""
        return subprocess.run(
            invoicer_command(*args), cwd=self.workdir, env=self.env, input=input,
            capture_output=True, text=True, timeout=60, check=True,
        )

    def token(self, email: str) -> str:
        """An API token of the user (created once per handle)."""
        if email not in self._tokens:
            self._tokens[email] = self.run_cli("token", "create", email).stdout.strip()
        return self._tokens[email]

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        log = self._log.open("ab")
        self.process = subprocess.Popen(
            invoicer_command("serve", "--host", "127.0.0.1", "--port", str(self.port)),
            cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.log_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not answer /healthz:\n{self.log_text()}")

    def log_text(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown at all, as in a crash."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM and wait: a clean shutdown."""
        self._signal(signal.SIGTERM)

    def _signal(self, signum: int) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signum)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@pytest.fixture
def server_factory(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Callable[..., ServerHandle]]:
    """make(db="sqlite"|"postgres", redis=False, **env) -> a started, demo-seeded server.

    Extra keyword arguments become environment variables (INVOICER_MAX_MESSAGE_BYTES=...).
    Servers made with the same `share=` handle use its database (several processes).
    """
    handles: list[ServerHandle] = []

    def make(
        db: str = "sqlite", redis: bool = False, share: ServerHandle | None = None,
        **env: str,
    ) -> ServerHandle:
        workdir = tmp_path_factory.mktemp("server")
        variables = _server_env(request, db, redis, share, workdir)
        variables.update({key: str(value) for key, value in env.items()})
        handle = ServerHandle(workdir, free_port(), variables)
        if share is None:
            handle.run_cli("demo")
        handles.append(handle)
        handle.start()
        return handle

    yield make
    for handle in handles:
        handle.stop()


def _server_env(
    request: pytest.FixtureRequest, db: str, redis: bool, share: ServerHandle | None,
    workdir: Path,
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL") and not key.startswith("INVOICER_")}
    if share is not None:
        for key in ("DATABASE_URL", "REDIS_URL", "INVOICER_SECRET_KEY",
                    "INVOICER_REDIS_PREFIX"):
            if key in share.env:
                env[key] = share.env[key]
        return env
    env["INVOICER_SECRET_KEY"] = secrets.token_urlsafe(32)
    if db == "postgres":
        env["DATABASE_URL"] = _fresh_pg_database(request)
    elif db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'invoicer.db'}"
    else:
        raise ValueError(f"db is 'sqlite' or 'postgres', not {db!r}")
    if redis:
        env["REDIS_URL"] = REDIS_URL
        env["INVOICER_REDIS_PREFIX"] = request.getfixturevalue("redis_prefix")
    return env


def _fresh_pg_database(request: pytest.FixtureRequest) -> str:
    """A database of the server's own inside the test PostgreSQL, dropped at teardown."""
    import psycopg

    name = f"invoicer_srv_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


# -- the application in process -------------------------------------------------------------


class AppClient(httpx.AsyncClient):
    """An httpx client bound to the in-process app, with the app's services at hand."""

    services: Any

    async def token(self, email: str) -> str:
        from invoicer.server.auth import issue_token

        return await issue_token(self.services.store, email)

    async def as_user(self, email: str) -> dict[str, str]:
        """Headers that authenticate as the user."""
        return {"Authorization": f"Bearer {await self.token(email)}"}


@pytest.fixture
async def app_client(tmp_path: Path) -> AsyncIterator[AppClient]:
    """The app on a fresh SQLite file, demo-seeded, lifespan running."""
    from invoicer.server.app import create_app
    from invoicer.server.demo import seed_demo
    from invoicer.server.settings import Settings

    settings = Settings.from_env({
        "DATABASE_URL": f"sqlite:///{tmp_path / 'invoicer.db'}",
        "INVOICER_SECRET_KEY": secrets.token_urlsafe(32),
        "INVOICER_GROUP_COMMIT_MS": "2",
    }, workdir=tmp_path)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        services = app.state.services
        await seed_demo(services.store)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with AppClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            client.services = services
            yield client
