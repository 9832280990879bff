"""Imports in one transaction, credit notes and payments in the chain, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, text
from sqlmodel import select

from invoicer.invoicing.draft import Problem
from invoicer.storage import Conflict, Database, DraftRejected, Invalid, verify_chain
from invoicer.storage.credit_notes import CreditSelection, issue_credit_note
from invoicer.storage.finalise import finalise_invoice
from invoicer.storage.imports import import_draft
from invoicer.storage.invoices import get_invoice
from invoicer.storage.issued import load_issued
from invoicer.storage.ledger import chain_state
from invoicer.storage.models import Customer, DocUpdate, Invoice, Payment
from invoicer.storage.settlement import customer_balance, record_payment

from .conftest import Tenant, draft_content, new_draft

DAY = date(2026, 3, 10)
BUYER = {"name": "Lichthaus KG", "country": "DE", "vat_number": "DE281507435",
         "currency": "EUR", "address": "Kastanienallee 21", "city": "Berlin",
         "postcode": "10435", "email": ""}


def issued_invoice(db: Database, tenant: Tenant) -> str:
    invoice_id = new_draft(db, tenant)
    draft, state = draft_content(tenant.customer_id)  # 2 lines of 25.00 at 20 %: 60.00
    finalise_invoice(db, invoice_id, tenant.accountant, draft, state, today=DAY)
    return invoice_id


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def import_values(document) -> dict:
    return {"actor_id": None, "buyer": BUYER, "currency": "EUR", "issue_date": DAY,
            "due_date": None, "language": "en", "document": document,
            "totals": {"net": "0.00", "vat": "0.00", "gross": "0.00"},
            "detail": {"source_number": "X-1"}}


def test_an_import_that_fails_midway_leaves_no_customer_and_no_draft(
    any_db: Database, tenant: Tenant
):
    # Counted over every organisation: tests share the PostgreSQL database, one at a time.
    before = [count(any_db, model) for model in (Customer, Invoice, DocUpdate)]

    def broken_document(customer_id: str) -> bytes:
        raise RuntimeError("the document could not be built")

    with pytest.raises(RuntimeError):
        import_draft(any_db, tenant.org_id, **import_values(broken_document))

    assert [count(any_db, model) for model in (Customer, Invoice, DocUpdate)] == before


def test_an_import_reuses_the_customer_with_the_vat_number_not_a_namesake(
    any_db: Database, tenant: Tenant
):
    first = import_draft(any_db, tenant.org_id, **import_values(lambda _: b"\x00\x00"))
    again = import_draft(any_db, tenant.org_id, **import_values(lambda _: b"\x00\x00"))
    namesake = import_draft(any_db, tenant.org_id, **{
        **import_values(lambda _: b"\x00\x00"),
        "buyer": {**BUYER, "vat_number": "DE136695976"}})

    assert first.customer_created and not again.customer_created
    assert again.customer.id == first.customer.id
    assert namesake.customer_created and namesake.customer.id != first.customer.id


def test_credit_notes_and_payments_keep_the_chain_and_the_balance(
    any_db: Database, tenant: Tenant
):
    invoice_id = issued_invoice(any_db, tenant)
    record_payment(any_db, tenant.org_id, invoice_id, Decimal("10.00"), DAY,
                   actor_id=tenant.accountant.id)
    part = issue_credit_note(any_db, invoice_id, tenant.accountant,
                             [CreditSelection("l1", Decimal(1))], today=DAY)
    rest = issue_credit_note(any_db, invoice_id, tenant.accountant, today=DAY)

    assert (part.gross, rest.gross) == ("-15.00", "-45.00")
    assert rest.sequence_value == part.sequence_value + 1 == 3
    assert verify_chain(any_db, tenant.org_id).ok
    assert get_invoice(any_db, tenant.org_id, invoice_id).status == "paid"
    [balance] = customer_balance(any_db, tenant.org_id, tenant.customer_id)
    assert (balance.invoiced, balance.credited, balance.paid, balance.balance) == (
        Decimal("60.00"), Decimal("60.00"), Decimal("10.00"), Decimal("-10.00"))
    with pytest.raises(Conflict):
        issue_credit_note(any_db, invoice_id, tenant.accountant, today=DAY)
    with pytest.raises(Conflict):
        record_payment(any_db, tenant.org_id, invoice_id, Decimal("1.00"), DAY)

    with any_db.transaction() as session:
        session.execute(text("UPDATE invoice SET corrects_id = NULL WHERE id = :id"),
                        {"id": rest.id})
    state = chain_state(any_db, tenant.org_id)
    assert not state.ok and state.first_break.number == rest.number and state.count == 2


def test_a_payment_over_what_is_due_is_refused_and_not_stored(any_db: Database, tenant: Tenant):
    invoice_id = issued_invoice(any_db, tenant)
    with pytest.raises(Invalid, match="amount"):
        record_payment(any_db, tenant.org_id, invoice_id, Decimal("60.01"), DAY)
    with any_db.session() as session:
        assert session.exec(select(Payment).where(Payment.org_id == tenant.org_id)).all() == []


def test_a_legal_check_refusal_takes_no_number(any_db: Database, tenant: Tenant):
    def refusing(issued):
        return [Problem(None, None, "seller.legal_id", "missing")]

    invoice_id = new_draft(any_db, tenant)
    draft, state = draft_content(tenant.customer_id)
    with pytest.raises(DraftRejected, match="seller.legal_id"):
        finalise_invoice(any_db, invoice_id, tenant.accountant, draft, state, today=DAY,
                         check=refusing)
    assert get_invoice(any_db, tenant.org_id, invoice_id).number is None
    assert issued_invoice(any_db, tenant) and verify_chain(any_db, tenant.org_id).checked == 1


def test_an_issued_invoice_keeps_its_parties_as_they_were(any_db: Database, tenant: Tenant):
    invoice_id = issued_invoice(any_db, tenant)
    with any_db.transaction() as session:
        session.execute(text("UPDATE customer SET name = 'Renamed' WHERE id = :id"),
                        {"id": tenant.customer_id})
    issued = load_issued(any_db, tenant.org_id, invoice_id)
    assert issued.buyer["name"] == "Bäckerei Schmidt" and issued.customer.name == "Renamed"
    assert verify_chain(any_db, tenant.org_id).ok


def test_create_all_adds_the_columns_an_older_schema_lacks(sqlite_db: Database):
    # SQLite only: the PostgreSQL test database is shared by the whole session.
    with sqlite_db.transaction() as session:
        session.execute(text("ALTER TABLE customer DROP COLUMN city"))
        session.execute(text("ALTER TABLE invoice DROP COLUMN parties"))
    sqlite_db.create_all()
    with sqlite_db.engine.connect() as connection:
        columns = {table: {column["name"] for column in inspect(connection).get_columns(table)}
                   for table in ("customer", "invoice")}
    assert "city" in columns["customer"] and "parties" in columns["invoice"]
