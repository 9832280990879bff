"""Finalisation: gapless numbers under concurrency, idempotency, refusals, the hash chain."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from invoicer.storage import (
    AlreadyFinal,
    Database,
    DraftRejected,
    IdempotencyConflict,
    Store,
    verify_chain,
)
from invoicer.storage.finalise import finalise_invoice
from invoicer.storage.models import AuditEvent, Invoice, InvoiceLine

from .conftest import Tenant, draft_content, new_draft

DAY = date(2026, 3, 10)


def finalise(db: Database, tenant: Tenant, invoice_id: str, key: str | None = None):
    draft, state = draft_content(tenant.customer_id)
    return finalise_invoice(db, invoice_id, tenant.accountant, draft, state, key, today=DAY)


async def test_twenty_concurrent_finalisations_get_twenty_gapless_numbers(
    any_db: Database, tenant: Tenant
):
    drafts = [new_draft(any_db, tenant) for _ in range(20)]
    store = Store(any_db)
    draft, state = draft_content(tenant.customer_id)

    results = await asyncio.gather(*(
        store.finalise(invoice_id, tenant.accountant, draft, state) for invoice_id in drafts
    ))

    year = date.today().year
    assert sorted(r.number for r in results) == [f"F{year}-{n:05d}" for n in range(1, 21)]
    # Numbers follow finalisation order: the chain order.
    with any_db.session() as session:
        chained = session.exec(
            select(Invoice.number).where(Invoice.org_id == tenant.org_id)
            .order_by(Invoice.chain_index)
        ).all()
    assert chained == sorted(chained)
    assert verify_chain(any_db, tenant.org_id).ok
    await store.close()


def test_processes_finalising_at_once_share_one_gapless_sequence(
    any_db: Database, tenant: Tenant
):
    drafts = [new_draft(any_db, tenant) for _ in range(12)]
    url = any_db.url.render_as_string(hide_password=False)
    script = textwrap.dedent(f"""
        import sys
        from datetime import date
        from invoicer.storage import Database
        from invoicer.storage.finalise import finalise_invoice
        from tests.storage.conftest import Member, draft_content
        db = Database({url!r})
        actor = Member({tenant.accountant.id!r}, {tenant.org_id!r}, "Claire")
        draft, state = draft_content({tenant.customer_id!r})
        for invoice_id in sys.argv[1:]:
            finalise_invoice(db, invoice_id, actor, draft, state, today=date(2026, 3, 10))
    """)
    workers = [
        subprocess.Popen([sys.executable, "-c", script, *drafts[n::3]], cwd=_root())
        for n in range(3)
    ]
    assert [worker.wait(timeout=90) for worker in workers] == [0, 0, 0]

    with any_db.session() as session:
        numbers = session.exec(
            select(Invoice.number).where(Invoice.org_id == tenant.org_id)
            .order_by(Invoice.chain_index)
        ).all()
    assert numbers == [f"F2026-{n:05d}" for n in range(1, 13)]
    assert verify_chain(any_db, tenant.org_id).ok


def _root() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parents[2])


def test_finalisation_stores_lines_totals_document_and_audit(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    draft, state = draft_content(tenant.customer_id)

    result = finalise_invoice(any_db, invoice_id, tenant.accountant, draft, state, today=DAY)

    assert (result.number, result.net, result.vat, result.gross) == (
        "F2026-00001", "50.00", "10.00", "60.00")
    assert result.issue_date == DAY and result.due_date == date(2026, 4, 9)  # 30-day term kept
    with any_db.session() as session:
        invoice = session.get(Invoice, invoice_id)
        lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
                             .order_by(InvoiceLine.position)).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.target == invoice_id)).all()
    assert invoice.status == "finalised" and invoice.document_state == state
    assert invoice.finalised_by == tenant.accountant.id
    assert [(line.description, line.quantity, line.unit_price, line.net) for line in lines] == [
        ("Atelier 1", "2", "12.50", "25.00"), ("Atelier 2", "2", "12.50", "25.00")]
    assert invoice.vat_breakdown[0]["amount"] == "10.00"
    assert {event.action for event in events} == {"invoice.create", "invoice.finalise"}


def test_the_same_idempotency_key_returns_the_same_invoice(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)

    first = finalise(any_db, tenant, invoice_id, key="req-1")
    again = finalise(any_db, tenant, invoice_id, key="req-1")

    assert again.id == first.id and again.number == first.number and again.replayed
    assert not first.replayed
    next_one = finalise(any_db, tenant, new_draft(any_db, tenant))
    assert next_one.number == "F2026-00002"  # the replay took no number


def test_an_idempotency_key_of_another_invoice_is_refused(any_db: Database, tenant: Tenant):
    finalise(any_db, tenant, new_draft(any_db, tenant), key="req-7")
    with pytest.raises(IdempotencyConflict, match="req-7"):
        finalise(any_db, tenant, new_draft(any_db, tenant), key="req-7")


def test_a_finalised_invoice_cannot_be_finalised_again(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    finalise(any_db, tenant, invoice_id)
    with pytest.raises(AlreadyFinal, match="F2026-00001"):
        finalise(any_db, tenant, invoice_id, key="another")


def test_an_invalid_draft_is_refused_and_takes_no_number(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    draft, state = draft_content(tenant.customer_id, lines=0)

    with pytest.raises(DraftRejected) as refused:
        finalise_invoice(any_db, invoice_id, tenant.accountant, draft, state, today=DAY)

    assert [problem.field for problem in refused.value.problems] == ["lines"]
    assert finalise(any_db, tenant, invoice_id).number == "F2026-00001"


def test_a_customer_of_another_organisation_is_refused(any_db: Database, tenant: Tenant):
    from .conftest import make_tenant

    stranger = make_tenant(any_db)
    draft, state = draft_content(stranger.customer_id)
    with pytest.raises(DraftRejected, match="customer_id"):
        finalise_invoice(any_db, new_draft(any_db, tenant), tenant.accountant, draft, state)


def test_verify_finds_the_invoice_changed_by_raw_sql(any_db: Database, tenant: Tenant):
    numbers = [finalise(any_db, tenant, new_draft(any_db, tenant)).number for _ in range(3)]
    assert verify_chain(any_db, tenant.org_id).checked == 3

    with any_db.transaction() as session:
        session.execute(
            text("UPDATE invoice SET gross = '6.00' WHERE number = :number AND org_id = :org"),
            {"number": numbers[1], "org": tenant.org_id},
        )
    report = verify_chain(any_db, tenant.org_id)

    assert not report.ok
    assert report.first_break.number == numbers[1]
    assert "changed after finalisation" in report.first_break.text()


def test_verify_finds_a_line_changed_by_raw_sql(any_db: Database, tenant: Tenant):
    invoice_id = new_draft(any_db, tenant)
    number = finalise(any_db, tenant, invoice_id).number
    with any_db.transaction() as session:
        session.execute(text("UPDATE invoiceline SET unit_price = '1.00' WHERE invoice_id = :i"),
                        {"i": invoice_id})
    assert verify_chain(any_db, tenant.org_id).first_break.number == number


def test_verify_finds_a_deleted_invoice(any_db: Database, tenant: Tenant):
    ids = [new_draft(any_db, tenant) for _ in range(3)]
    numbers = [finalise(any_db, tenant, invoice_id).number for invoice_id in ids]
    with any_db.transaction() as session:
        session.execute(text("DELETE FROM invoiceline WHERE invoice_id = :i"), {"i": ids[0]})
        session.execute(text("DELETE FROM docupdate WHERE invoice_id = :i"), {"i": ids[0]})
        session.execute(text("DELETE FROM invoice WHERE id = :i"), {"i": ids[0]})
    assert verify_chain(any_db, tenant.org_id).first_break.number == numbers[1]


def test_verify_finds_the_last_invoice_deleted(any_db: Database, tenant: Tenant):
    ids = [new_draft(any_db, tenant) for _ in range(3)]
    numbers = [finalise(any_db, tenant, invoice_id).number for invoice_id in ids]
    with any_db.transaction() as session:
        for table in ("invoiceline", "docupdate", "docsnapshot", "payment"):
            session.execute(text(f"DELETE FROM {table} WHERE invoice_id = :i"), {"i": ids[2]})
        session.execute(text("DELETE FROM invoice WHERE id = :i"), {"i": ids[2]})
    report = verify_chain(any_db, tenant.org_id)
    assert not report.ok
    assert report.first_break.number == numbers[1]
    assert "1 issued document(s) missing after link 2" in report.first_break.text()


def test_nothing_is_built_on_an_altered_invoice(any_db: Database, tenant: Tenant):
    from decimal import Decimal

    from invoicer.storage.errors import Tampered
    from invoicer.storage.settlement import record_payment

    invoice_id = new_draft(any_db, tenant)
    number = finalise(any_db, tenant, invoice_id).number
    with any_db.transaction() as session:
        session.execute(text("UPDATE invoice SET gross = '1.00', due = '1.00' WHERE id = :i"),
                        {"i": invoice_id})

    with pytest.raises(Tampered, match=number):
        record_payment(any_db, tenant.org_id, invoice_id, Decimal("1.00"), DAY)
    with pytest.raises(Tampered, match="invoicer verify"):
        finalise(any_db, tenant, new_draft(any_db, tenant))
