"""The `invoicer` command line.

    invoicer serve [--host 127.0.0.1] [--port 8000]   run the server (creates tables first)
    invoicer migrate                                  create missing tables
    invoicer demo                                     seed the demo organisation (idempotent)
    invoicer user add EMAIL --role ROLE [--org NAME] [--name NAME] [--language fr|en]
                                                      add a member; password on standard input
    invoicer token create EMAIL [--label TEXT]        print a new API token, on one line
    invoicer verify                                   recompute the invoices' hash chains
    invoicer compact [--invoice ID]                   compact draft update logs now
    invoicer import FILE [--org NAME]                 a UBL or CII invoice as a new draft;
                                                      prints the draft's id on the last line

Settings come from the environment (see settings.py). Exit status: 0 done, 1 refused or a
check failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import select

from ..invoicing.permissions import Role
from ..storage import Database, Store, StorageError, verify_chain
from ..storage.accounts import create_organization, create_token, create_user
from ..storage.accounts import list_organizations, organization_by_name, user_by_email
from ..storage.models import DocUpdate
from ..storage.updates import compact_invoice
from .auth import hash_password, new_token
from .settings import Settings, SettingsError

__all__ = ["main"]

log = logging.getLogger("invoicer.cli")


class CommandError(Exception):
    """A refusal to show the person at the terminal, without a traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        return int(args.run(settings, args) or 0)
    except (CommandError, SettingsError, StorageError) as error:
        print(f"invoicer: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="invoicer", description="Invoicer server and tools")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = _command(commands, "serve", "run the web server", _serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    _command(commands, "migrate", "create the tables that do not exist", _migrate)
    _command(commands, "demo", "seed the demo organisation (idempotent)", _demo)

    user = commands.add_parser("user", help="manage members").add_subparsers(
        dest="action", required=True)
    add = _command(user, "add", "add a member; the password is read from standard input",
                   _user_add)
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--org", help="organisation name (created if it does not exist)")
    add.add_argument("--name", help="display name (default: from the email)")
    add.add_argument("--language", default="fr", choices=["fr", "en"])

    token = commands.add_parser("token", help="manage API tokens").add_subparsers(
        dest="action", required=True)
    create = _command(token, "create", "print a new API token for a member", _token_create)
    create.add_argument("email")
    create.add_argument("--label", default="cli")

    _command(commands, "verify", "recompute the invoices' hash chains", _verify)
    compact = _command(commands, "compact", "compact draft update logs", _compact)
    compact.add_argument("--invoice", help="only this invoice")
    imported = _command(commands, "import",
                        "import a UBL or CII invoice file as a new draft", _import)
    imported.add_argument("file", help="the invoice file (XML)")
    imported.add_argument("--org", help="organisation name (default: the only one)")
    return parser


def _command(
    commands: Any, name: str, help_text: str, run: Callable[[Settings, argparse.Namespace], Any]
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text,
                                                          description=help_text)
    parser.set_defaults(run=run)
    return parser


def _database(settings: Settings) -> Database:
    db = Database(settings.database_url)
    db.create_all()
    return db


# -- commands -------------------------------------------------------------------------------------


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from .app import create_app
    from .logs import uvicorn_log_config

    _database(settings).dispose()
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_config=uvicorn_log_config(),
        # Above the app's own limit, so that the app refuses with 4413 and a reason.
        ws_max_size=max(16 * 1024 * 1024, 4 * settings.max_message_bytes),
        timeout_graceful_shutdown=5,
    )


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    db = _database(settings)
    print(f"tables ready in {db.url.render_as_string(hide_password=True)}")
    db.dispose()


def _demo(settings: Settings, args: argparse.Namespace) -> None:
    from .demo import seed_demo

    db = _database(settings)

    async def seed() -> str:
        store = Store(db, group_commit_ms=0)
        try:
            result = await seed_demo(store)
        finally:
            await store.close()
        return result.instructions(settings.public_url)

    print(asyncio.run(seed()))
    db.dispose()


def _user_add(settings: Settings, args: argparse.Namespace) -> None:
    db = _database(settings)
    org_id = _organisation_for_new_user(db, args.org)
    password = _read_password()
    name = args.name or args.email.partition("@")[0].replace(".", " ").title()
    try:
        user = create_user(db, org_id, email=args.email, name=name, role=args.role,
                           password_hash=hash_password(password), language=args.language)
    finally:
        db.dispose()
    print(f"added {user.email} ({user.role})")


def _organisation_for_new_user(db: Database, name: str | None) -> str:
    """The named organisation, created if need be, or the only one there is."""
    if name:
        return (organization_by_name(db, name) or create_organization(db, name)).id
    return _only_organisation(db, "name one with --org NAME")


def _read_password() -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise CommandError("the password must have at least 8 characters")
    return password


def _token_create(settings: Settings, args: argparse.Namespace) -> None:
    db = _database(settings)
    try:
        user = user_by_email(db, args.email)
        if user is None:
            raise CommandError(f"no active user has the email {args.email}")
        token = new_token()
        create_token(db, user.id, token, args.label)
    finally:
        db.dispose()
    print(token)


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    db = _database(settings)
    report = verify_chain(db)
    db.dispose()
    if report.first_break is not None:
        print(f"chain broken after {report.checked - 1} good invoices: "
              f"{report.first_break.text()}")
        return 1
    print(f"chain intact: {report.checked} finalised invoices verified")
    return 0


def _compact(settings: Settings, args: argparse.Namespace) -> None:
    db = _database(settings)
    if args.invoice:
        invoices = [args.invoice]
    else:
        with db.session() as session:
            invoices = list(session.exec(select(DocUpdate.invoice_id).distinct()).all())
    merged = sum(compact_invoice(db, invoice_id) for invoice_id in invoices)
    db.dispose()
    print(f"compacted {merged} updates of {len(invoices)} invoices")


def _import(settings: Settings, args: argparse.Namespace) -> None:
    from ..einvoice import InvoiceFormatError
    from ..storage.imports import import_draft
    from .imports import MAX_IMPORT_BYTES, prepare_import

    try:
        with open(args.file, "rb") as file:
            data = file.read(MAX_IMPORT_BYTES + 1)
    except OSError as error:
        raise CommandError(f"cannot read {args.file}: {error.strerror}") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise CommandError(f"{args.file} is over {MAX_IMPORT_BYTES} bytes")
    try:
        prepared = prepare_import(data)
    except InvoiceFormatError as error:
        raise CommandError(f"{args.file} cannot be imported: {error}") from None
    db = _database(settings)
    try:
        org_id = _existing_organisation(db, args.org)
        values = prepared.storage_values()
        values["detail"] = {**values["detail"], "via": "command line"}
        imported = import_draft(db, org_id, actor_id=None, **values)
    finally:
        db.dispose()
    for warning in prepared.warnings():
        print(f"warning: {warning}")
    customer = imported.customer
    state = "new customer" if imported.customer_created else "existing customer"
    print(f"imported {prepared.doc.number} for {customer.name} ({state} {customer.id})")
    print(imported.invoice.id)


def _existing_organisation(db: Database, name: str | None) -> str:
    """The named organisation, which must exist, or the only one there is."""
    if name:
        org = organization_by_name(db, name)
        if org is None:
            raise CommandError(f"there is no organisation named {name!r}")
        return org.id
    return _only_organisation(db, "run invoicer demo, or add a user")


def _only_organisation(db: Database, when_none: str) -> str:
    orgs = list_organizations(db)
    if len(orgs) == 1:
        return orgs[0].id
    if not orgs:
        raise CommandError(f"there is no organisation yet: {when_none}")
    names = ", ".join(repr(org.name) for org in orgs)
    raise CommandError(f"there are several organisations ({names}): choose one with --org")


if __name__ == "__main__":
    sys.exit(main())
