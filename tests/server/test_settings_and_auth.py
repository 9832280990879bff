"""Settings from the environment, passwords, sessions and log redaction."""

from __future__ import annotations

import base64
import json
import logging
import stat

import itsdangerous
import pytest

from invoicer.server.app import SESSION_COOKIE
from invoicer.server.auth import authenticate, hash_password
from invoicer.server.logs import RedactSecrets, redact
from invoicer.server.settings import Settings, SettingsError


def test_settings_defaults(tmp_path):
    settings = Settings.from_env({}, workdir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'invoicer.db'}"
    assert settings.redis_url is None
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.max_message_bytes == 1024 * 1024
    assert settings.redis_prefix == "invoicer:"
    assert settings.secret_key not in repr(settings)


def test_the_generated_secret_key_is_private_and_stable(tmp_path):
    first = Settings.from_env({}, workdir=tmp_path).secret_key
    second = Settings.from_env({}, workdir=tmp_path).secret_key
    key_file = tmp_path / "var" / "secret_key"
    assert first == second and len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_settings_from_the_environment(tmp_path):
    settings = Settings.from_env({
        "DATABASE_URL": "postgresql://postgres@127.0.0.1/x", "REDIS_URL": "redis://127.0.0.1",
        "INVOICER_SECRET_KEY": "s" * 40, "INVOICER_PUBLIC_URL": "https://inv.example.test/",
        "INVOICER_MAX_MESSAGE_BYTES": "2048", "INVOICER_GROUP_COMMIT_MS": "25",
        "INVOICER_REDIS_PREFIX": "t:",
    }, workdir=tmp_path)
    assert (settings.max_message_bytes, settings.group_commit_ms) == (2048, 25.0)
    assert settings.public_url == "https://inv.example.test" and settings.secure_cookies
    assert settings.public_origin == "https://inv.example.test"
    assert not (tmp_path / "var" / "secret_key").exists()


@pytest.mark.parametrize("name, value", [
    ("INVOICER_MAX_MESSAGE_BYTES", "lots"),
    ("INVOICER_GROUP_COMMIT_MS", "-1"),
    ("INVOICER_PUBLIC_URL", "ftp://x"),
])
def test_a_bad_setting_names_its_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value, "INVOICER_SECRET_KEY": "k"}, workdir=tmp_path)


async def test_authenticate_checks_the_password(app_client):
    store = app_client.services.store
    assert (await authenticate(store, "Claire@Demo.test", "demo-password")).role == "accountant"
    assert await authenticate(store, "claire@demo.test", "wrong") is None
    assert await authenticate(store, "nobody@demo.test", "demo-password") is None


def test_password_hashes_are_salted_argon2():
    first, second = hash_password("same password"), hash_password("same password")
    assert first != second and first.startswith("$argon2id$")


def session_cookie(secret: str, data: dict) -> str:
    payload = base64.b64encode(json.dumps(data).encode())
    return itsdangerous.TimestampSigner(secret).sign(payload).decode()


async def test_a_signed_session_cookie_authenticates(app_client):
    from invoicer.server.auth import _session_key

    store = app_client.services.store
    user = await store.user_by_email("max@demo.test")
    secret = app_client.services.settings.secret_key
    good = session_cookie(secret, {"user_id": user.id, "auth": _session_key(user)})
    forged = session_cookie("not-the-secret", {"user_id": user.id, "auth": _session_key(user)})
    stale = session_cookie(secret, {"user_id": user.id, "auth": "old-password"})

    for cookie, status in ((good, 200), (forged, 401), (stale, 401)):
        app_client.cookies.set(SESSION_COOKIE, cookie)
        response = await app_client.get("/api/me")
        assert response.status_code == status
    app_client.cookies.clear()


def test_tokens_in_query_strings_are_redacted_from_logs():
    line = 'GET /ws/invoices/abc?token=s3cr3t&x=1 HTTP/1.1'
    assert redact(line) == 'GET /ws/invoices/abc?token=[redacted]&x=1 HTTP/1.1'
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0,
                               '%s - "%s %s"', ("127.0.0.1", "GET", "/api/me?token=abc"), None)
    RedactSecrets().filter(record)
    assert "abc" not in record.getMessage()
