"""The `invoicer` command line, run as a real process on a fresh SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from invoicer.storage import Database
from invoicer.storage.accounts import hash_token, user_by_email, user_by_token


def invoicer_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "invoicer.server.cli", *args]


@pytest.fixture
def cli(tmp_path: Path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL") and not key.startswith("INVOICER_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'invoicer.db'}"

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(invoicer_command(*args), cwd=tmp_path, env=env, input=input,
                              capture_output=True, text=True, timeout=60)

    run.db_url = env["DATABASE_URL"]  # type: ignore[attr-defined]
    return run


def test_demo_is_idempotent_and_says_how_to_sign_in(cli):
    first = cli("demo")
    second = cli("demo")
    assert first.returncode == 0 and second.returncode == 0
    assert "claire@demo.test" in first.stdout and "demo-password" in first.stdout
    assert "already present" in second.stdout
    db = Database(cli.db_url)
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM invoice")).scalar() == 10
        assert session.execute(text("SELECT count(*) FROM \"user\"")).scalar() == 6
    db.dispose()


def test_token_create_prints_exactly_one_working_token(cli):
    cli("demo")
    result = cli("token", "create", "claire@demo.test")

    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and len(lines[0]) >= 40
    db = Database(cli.db_url)
    assert user_by_token(db, lines[0]).email == "claire@demo.test"
    with db.session() as session:
        stored = session.execute(text("SELECT token_hash FROM apitoken")).scalars().all()
    assert hash_token(lines[0]) in stored and lines[0] not in stored  # only its hash is kept
    db.dispose()


def test_token_create_for_an_unknown_email_fails_clearly(cli):
    cli("migrate")
    result = cli("token", "create", "nobody@demo.test")
    assert result.returncode == 1 and "nobody@demo.test" in result.stderr
    assert result.stdout == ""


def test_user_add_reads_the_password_from_stdin(cli):
    result = cli("user", "add", "Lea@Example.test", "--role", "sales", "--org", "Studio Léa",
                 input="correct horse battery\n")
    assert result.returncode == 0, result.stderr

    db = Database(cli.db_url)
    user = user_by_email(db, "lea@example.test")
    from invoicer.server.auth import _password_matches

    assert user.role == "sales" and user.name == "Lea"
    assert _password_matches(user.password_hash, "correct horse battery")
    assert "correct horse" not in (user.password_hash or "")
    db.dispose()


def test_user_add_refuses_a_short_password_and_an_unknown_role(cli):
    short = cli("user", "add", "a@b.test", "--role", "sales", "--org", "X", input="short\n")
    assert short.returncode == 1 and "8 characters" in short.stderr
    role = cli("user", "add", "a@b.test", "--role", "emperor", "--org", "X", input="x" * 9)
    assert role.returncode == 2 and "emperor" in role.stderr


def test_user_add_needs_an_organisation_when_there_are_several(cli):
    cli("demo")
    cli("user", "add", "a@b.test", "--role", "owner", "--org", "Second", input="x" * 9)
    result = cli("user", "add", "c@d.test", "--role", "owner", input="x" * 9)
    assert result.returncode == 1 and "--org" in result.stderr


def test_verify_reports_the_invoice_changed_by_raw_sql(cli):
    cli("demo")
    assert cli("verify").returncode == 0
    db = Database(cli.db_url)
    with db.transaction() as session:
        number = session.execute(
            text("SELECT number FROM invoice WHERE chain_index = 3")).scalar_one()
        session.execute(text("UPDATE invoice SET net = '1.00' WHERE chain_index = 3"))
    db.dispose()

    result = cli("verify")

    assert result.returncode == 1
    assert number in result.stdout and "changed after finalisation" in result.stdout


def test_compact_merges_the_logs_of_drafts(cli):
    cli("demo")
    result = cli("compact")
    assert result.returncode == 0 and "compacted 20 updates of 10 invoices" in result.stdout
    db = Database(cli.db_url)
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM docupdate")).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM docsnapshot")).scalar() == 10
    db.dispose()
