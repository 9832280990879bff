"""Who is calling: sessions, API tokens and passwords.

A request or WebSocket is authenticated, in this order, by the signed session cookie (the
browser), an `Authorization: Bearer TOKEN` header, or a `token` query parameter (standard
WebSocket providers can only pass it that way). Tokens are 32 random bytes, shown once and
stored as their SHA-256. Passwords are hashed with argon2id. Neither is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.requests import HTTPConnection, Request

from ..storage import Store
from ..storage.accounts import create_token
from ..storage.models import User

__all__ = [
    "CSRF_SESSION_KEY",
    "AuthUser",
    "authenticate",
    "bearer_token",
    "client_ip",
    "csrf_satisfied",
    "current_user",
    "hash_password",
    "issue_token",
    "login",
    "logout",
    "new_token",
]

log = logging.getLogger(__name__)

_hasher = PasswordHasher()
_SESSION_USER = "user_id"
_SESSION_KEY = "auth"


@dataclass(frozen=True)
class AuthUser:
    id: str
    email: str
    name: str
    role: str
    org_id: str
    language: str
    colour: str

    @classmethod
    def of(cls, user: User) -> AuthUser:
        return cls(id=user.id, email=user.email, name=user.name, role=user.role,
                   org_id=user.org_id, language=user.language, colour=user.colour)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- passwords --------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("a password cannot be empty")
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    # Compared against when the email is unknown, so that a wrong email costs as much time
    # as a wrong password and does not reveal who has an account.
    return _hasher.hash(secrets.token_urlsafe(16))


def _password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate(store: Store, email: str, password: str) -> AuthUser | None:
    """The user whose email and password these are, or None (same time either way)."""
    user = await store.user_by_email(email)
    stored = user.password_hash if user is not None else None
    matches = await anyio.to_thread.run_sync(_password_matches, stored, password)
    if user is None or not matches:
        log.info("sign-in refused for an unknown email or a wrong password")
        return None
    return AuthUser.of(user)


# -- sessions ---------------------------------------------------------------------------------


def _session_key(user: User) -> str:
    # Changing the password changes this key, which signs out every other session.
    return hashlib.sha256((user.password_hash or user.id).encode()).hexdigest()[:24]


async def login(request: Request, user: AuthUser) -> None:
    """Open a session for `user` in the signed cookie."""
    stored = await request.app.state.services.store.user_by_id(user.id)
    request.session.clear()
    request.session[_SESSION_USER] = user.id
    request.session[_SESSION_KEY] = _session_key(stored) if stored else ""
    log.info("user %s signed in", user.id)


def logout(request: Request) -> None:
    request.session.clear()


# -- tokens -----------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def issue_token(store: Store, email: str, label: str = "") -> str:
    """A new API token for the user with this email (LookupError if there is none)."""
    user = await store.user_by_email(email)
    if user is None:
        raise LookupError(f"no active user has the email {email}")
    token = new_token()
    await store.run(create_token, user.id, token, label)
    return token


def bearer_token(conn: HTTPConnection) -> str | None:
    scheme, _, value = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


# -- the caller -------------------------------------------------------------------------------


async def current_user(conn: HTTPConnection) -> AuthUser | None:
    """The authenticated user of a request or WebSocket, or None."""
    cached = conn.scope.get("invoicer.user")
    if cached is not None:
        return cached if isinstance(cached, AuthUser) else None
    user = await _resolve(conn)
    conn.scope["invoicer.user"] = user if user is not None else False
    return user


async def _resolve(conn: HTTPConnection) -> AuthUser | None:
    store: Store = conn.app.state.services.store
    user = await _from_session(conn, store)
    if user is not None:
        conn.scope["invoicer.by_session"] = True
        return user
    token = bearer_token(conn) or conn.query_params.get("token")
    if not token:
        return None
    found = await store.user_by_token(token)
    if found is None:
        log.info("refused an unknown API token from %s", client_ip(conn))
        return None
    return AuthUser.of(found)


async def _from_session(conn: HTTPConnection, store: Store) -> AuthUser | None:
    session = conn.scope.get("session")
    if not session or not isinstance(session.get(_SESSION_USER), str):
        return None
    user = await store.user_by_id(session[_SESSION_USER])
    if user is None or session.get(_SESSION_KEY) != _session_key(user):
        return None
    return AuthUser.of(user)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_SESSION_KEY = "csrf"


def csrf_satisfied(request: HTTPConnection) -> bool:
    """Whether a call that changes data may rely on the session cookie.

    A browser sends the cookie with any request, even one another site makes it send; the
    pages' scripts therefore send this session's token in `X-CSRF-Token`, which another site
    cannot read. Token-authenticated calls carry no cookie risk.
    """
    if request.scope.get("type") != "http" or request.scope.get("method") in SAFE_METHODS:
        return True
    if not request.scope.get("invoicer.by_session"):
        return True
    expected = request.scope.get("session", {}).get(CSRF_SESSION_KEY)
    sent = request.headers.get("x-csrf-token")
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(
        expected, sent)


def client_ip(conn: HTTPConnection) -> str | None:
    return conn.client.host if conn.client is not None else None
