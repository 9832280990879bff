"""Drafts can be deleted and leave no hole in the numbering; issued invoices never can."""

from __future__ import annotations

from sqlmodel import select

from invoicer.storage.models import AuditEvent, DocUpdate

from .test_api import CLAIRE, LINE, add_lines, new_draft

SAM = "sam@demo.test"
VERA = "vera@demo.test"


async def test_a_draft_is_deleted_with_its_document_and_an_audit_event(app_client):
    headers = await app_client.as_user(CLAIRE)
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE)

    response = await app_client.delete(f"/api/invoices/{draft['id']}", headers=headers)
    assert response.status_code == 204
    assert (await app_client.get(f"/api/invoices/{draft['id']}", headers=headers)
            ).status_code == 404
    with app_client.services.db.session() as session:
        assert session.exec(select(DocUpdate).where(DocUpdate.invoice_id == draft["id"])
                            ).all() == []
        events = session.exec(select(AuditEvent).where(AuditEvent.target == draft["id"])).all()
    assert "invoice.delete_draft" in {event.action for event in events}


async def test_deleting_a_draft_leaves_no_gap_in_the_numbers(app_client):
    headers = await app_client.as_user(CLAIRE)
    first, doomed, second = [await new_draft(app_client) for _ in range(3)]
    for draft in (first, doomed, second):
        await add_lines(app_client, draft["id"], LINE)
    await app_client.delete(f"/api/invoices/{doomed['id']}", headers=headers)
    numbers = []
    for draft in (first, second):
        response = await app_client.post(f"/api/invoices/{draft['id']}/finalize",
                                         headers=headers)
        assert response.status_code == 200, response.text
        numbers.append(response.json()["number"])
    assert int(numbers[1][-5:]) == int(numbers[0][-5:]) + 1


async def test_an_issued_invoice_cannot_be_deleted(app_client):
    headers = await app_client.as_user(CLAIRE)
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE)
    await app_client.post(f"/api/invoices/{draft['id']}/finalize", headers=headers)
    response = await app_client.delete(f"/api/invoices/{draft['id']}", headers=headers)
    assert response.status_code == 409
    assert "credit note" in response.json()["message"]


async def test_a_viewer_may_not_delete_a_draft(app_client):
    draft = await new_draft(app_client)
    response = await app_client.delete(f"/api/invoices/{draft['id']}",
                                       headers=await app_client.as_user(VERA))
    assert response.status_code == 403
