"""Settings, read from the environment once at start-up.

| variable                   | default                             |
|----------------------------|-------------------------------------|
| DATABASE_URL               | sqlite:///./var/invoicer.db          |
| REDIS_URL                  | unset: presence, locks, fan-out in process |
| INVOICER_SECRET_KEY        | generated once, kept in ./var/secret_key (0600) |
| INVOICER_PUBLIC_URL        | http://127.0.0.1:8000               |
| INVOICER_MAX_MESSAGE_BYTES | 1048576 (1 MiB)                      |
| INVOICER_REDIS_PREFIX      | invoicer:                           |
| INVOICER_GROUP_COMMIT_MS   | 10                                  |
| INVOICER_COMPACT_AFTER     | 500 (updates in a draft's log before compaction) |
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from ..storage.db import DEFAULT_URL

__all__ = ["Settings", "SettingsError", "stored_secret_key"]

N = TypeVar("N", int, float)


class SettingsError(ValueError):
    """A setting with a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    redis_url: str | None = None
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:8000"
    max_message_bytes: int = 1024 * 1024
    redis_prefix: str = "invoicer:"
    group_commit_ms: float = 10.0
    compact_after: int = 500

    def __repr__(self) -> str:
        # The secret key stays out of logs and tracebacks.
        return (f"Settings(database_url={self.database_url!r}, redis_url={self.redis_url!r}, "
                f"public_url={self.public_url!r})")

    @property
    def public_origin(self) -> str:
        """scheme://host[:port] of the public URL, as browsers send it in Origin."""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, workdir: Path | None = None
    ) -> Settings:
        """Read the settings from `env` (default: os.environ); ./var/ is under `workdir`."""
        env = os.environ if env is None else env
        var = (workdir or Path.cwd()) / "var"
        database_url = env.get("DATABASE_URL") or _default_database_url(workdir)
        return cls(
            database_url=database_url,
            redis_url=env.get("REDIS_URL") or None,
            secret_key=env.get("INVOICER_SECRET_KEY") or stored_secret_key(var),
            public_url=_public_url(env.get("INVOICER_PUBLIC_URL")),
            max_message_bytes=_number(env, "INVOICER_MAX_MESSAGE_BYTES", 1024 * 1024, int),
            redis_prefix=env.get("INVOICER_REDIS_PREFIX") or "invoicer:",
            group_commit_ms=_number(env, "INVOICER_GROUP_COMMIT_MS", 10.0, float),
            compact_after=_number(env, "INVOICER_COMPACT_AFTER", 500, int),
        )


def _default_database_url(workdir: Path | None) -> str:
    if workdir is None:
        return DEFAULT_URL
    return f"sqlite:///{workdir / 'var' / 'invoicer.db'}"


def stored_secret_key(var: Path) -> str:
    """The key kept in var/secret_key, created (readable by its owner only) on first use."""
    path = var / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key


def _public_url(value: str | None) -> str:
    url = (value or "http://127.0.0.1:8000").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            f"INVOICER_PUBLIC_URL={value!r} is not an http(s) URL; "
            "set it to the address people open, such as https://invoices.example.com"
        )
    return url


def _number(env: Mapping[str, str], name: str, default: N, kind: type[N]) -> N:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number (default {default})") from None
    if value < 0:
        raise SettingsError(f"{name}={raw!r} must not be negative")
    return value
