"""Databases and a small organisation for the storage tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from invoicer.collab.draftdoc import build_update
from invoicer.invoicing.draft import Draft, read_draft
from invoicer.storage import Database
from invoicer.storage.accounts import create_organization, create_user
from invoicer.storage.customers import create_customer
from invoicer.storage.invoices import create_draft
from invoicer.storage.models import new_id


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'invoicer.db'}")
    db.create_all()
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'invoicer.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    db = Database(url)
    db.create_all()
    yield db
    db.dispose()


@dataclass(frozen=True)
class Member:
    id: str
    org_id: str
    name: str


@dataclass(frozen=True)
class Tenant:
    org_id: str
    accountant: Member
    customer_id: str


def make_tenant(db: Database) -> Tenant:
    """An organisation of its own (tests share a PostgreSQL database), a member, a customer."""
    org = create_organization(db, f"Org {new_id()[:8]}", city="Lyon")
    user = create_user(db, org.id, email=f"{new_id()[:10]}@example.test", name="Claire",
                       role="accountant", password_hash=None)
    customer = create_customer(db, org.id, {"name": "Bäckerei Schmidt", "currency": "EUR"})
    return Tenant(org.id, Member(user.id, org.id, user.name), customer.id)


@pytest.fixture
def tenant(any_db: Database) -> Tenant:
    return make_tenant(any_db)


def draft_content(customer_id: str | None, lines: int = 2) -> tuple[Draft, bytes]:
    """A valid draft (its JSON read by `invoicing`) and the document update that holds it."""
    meta = {"customer_id": customer_id, "currency": "EUR", "issue_date": "2026-03-02",
            "due_date": "2026-04-01"}
    rows = [
        {"id": f"l{n}", "description": f"Atelier {n}", "quantity": "2", "unit_price": "12.50",
         "vat_rate": "20", "discount": "0", "unit": "HUR"}
        for n in range(1, lines + 1)
    ]
    data = {"meta": meta, "notes": "Merci", "lines": rows}
    return read_draft(data), build_update(meta, "Merci", rows)


def new_draft(db: Database, tenant: Tenant) -> str:
    _, update = draft_content(tenant.customer_id)
    invoice = create_draft(
        db, tenant.org_id, actor_id=tenant.accountant.id, customer_id=tenant.customer_id,
        currency="EUR", issue_date=date(2026, 3, 2), due_date=date(2026, 4, 1),
        language="fr", document=update,
    )
    return invoice.id
