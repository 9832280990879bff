"""Credit notes, payments, customers' balances and the hash chain's state, through the API."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from invoicer.einvoice import fatal, read_invoice, validate
from invoicer.storage.models import AuditEvent

from .test_api import CLAIRE, SAM, VERA, add_lines

MAX = "max@demo.test"
# The case: a line of +200.00 and one of -100.00 at 20 %.
PLUS = {"id": "plus", "description": "Lustre", "quantity": "2", "unit_price": "100.00",
        "vat_rate": "20"}
MINUS = {"id": "minus", "description": "Reprise ancien lustre", "quantity": "1",
         "unit_price": "-100.00", "vat_rate": "20"}


async def new_customer(client, name: str) -> str:
    """A customer of its own, so that its balance counts only this test's invoices."""
    response = await client.post("/api/customers", json={
        "name": name, "country": "FR", "vat_number": "FR42914572367",
        "address": "8 place des Lices", "postcode": "35000", "city": "Rennes",
    }, headers=await client.as_user(CLAIRE))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def issued(client, customer: str, *lines: dict) -> dict:
    headers = await client.as_user(CLAIRE)
    draft = (await client.post("/api/invoices", json={"customer_id": customer},
                               headers=headers)).json()
    await add_lines(client, draft["id"], *(lines or (PLUS, MINUS)))
    response = await client.post(f"/api/invoices/{draft['id']}/finalize", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def credit(client, invoice_id: str, body: dict | None = None, user: str = CLAIRE):
    return await client.post(f"/api/invoices/{invoice_id}/credit-note", json=body,
                             headers=await client.as_user(user))


async def pay(client, invoice_id: str, amount: str, user: str = CLAIRE, **fields):
    body = {"amount": amount, "date": "2026-03-20", **fields}
    return await client.post(f"/api/invoices/{invoice_id}/payments", json=body,
                             headers=await client.as_user(user))


async def balance(client, customer: str) -> dict:
    response = await client.get(f"/api/customers/{customer}/balance",
                                headers=await client.as_user(VERA))
    assert response.status_code == 200, response.text
    return response.json()


def totals(invoice: dict) -> tuple[str, str, str]:
    return invoice["totals"]["net"], invoice["totals"]["vat"], invoice["totals"]["gross"]


def sequence_of(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


# -- credit notes ---------------------------------------------------------------------------------


async def test_a_full_credit_note_negates_the_invoice_in_the_same_sequence(app_client):
    customer = await new_customer(app_client, "Avoir Complet SARL")
    invoice = await issued(app_client, customer)
    assert totals(invoice) == ("100.00", "20.00", "120.00")

    response = await credit(app_client, invoice["id"])

    assert response.status_code == 201, response.text
    note = response.json()
    assert response.headers["location"] == f"/api/invoices/{note['id']}"
    assert note["type_code"] == "381" and note["status"] == "finalised"
    assert totals(note) == ("-100.00", "-20.00", "-120.00")
    assert note["totals"]["due"] == "-120.00"
    assert note["corrects"] == {"id": invoice["id"], "number": invoice["number"]}
    assert sequence_of(note["number"]) == sequence_of(invoice["number"]) + 1
    assert [(line["id"], line["quantity"], line["net"]) for line in note["lines"]] == [
        ("plus", "-2", "-200.00"), ("minus", "-1", "100.00")]
    assert note["hash"] and note["customer_id"] == customer
    corrected = (await app_client.get(f"/api/invoices/{invoice['id']}",
                                      headers=await app_client.as_user(VERA))).json()
    assert corrected["status"] == "cancelled"  # nothing was paid: the credit voids it
    assert corrected["settlement"]["credited"] == "120.00"
    assert corrected["settlement"]["outstanding"] == "0.00"
    assert corrected["settlement"]["credit_notes"] == [
        {"id": note["id"], "number": note["number"], "due": "-120.00"}]
    assert (await balance(app_client, customer))["balance"] == "0.00"
    again = await credit(app_client, invoice["id"])
    assert again.status_code == 409 and "credited in full" in again.json()["message"]


async def test_a_customer_who_paid_then_got_the_full_credit_has_a_credit_of_120(app_client):
    customer = await new_customer(app_client, "Payé Puis Avoir SAS")
    invoice = await issued(app_client, customer)

    paid = await pay(app_client, invoice["id"], "120.00", method="transfer")
    note = (await credit(app_client, invoice["id"])).json()

    assert paid.status_code == 201 and paid.json()["invoice"]["status"] == "paid"
    assert totals(note) == ("-100.00", "-20.00", "-120.00")
    assert await balance(app_client, customer) == {
        "customer_id": customer, "currency": "EUR", "invoiced": "120.00",
        "credited": "120.00", "paid": "120.00", "balance": "-120.00",
        "currencies": [{"currency": "EUR", "invoiced": "120.00", "credited": "120.00",
                        "paid": "120.00", "balance": "-120.00"}],
    }


async def test_a_partly_paid_invoice_credited_in_full(app_client):
    customer = await new_customer(app_client, "Acompte SARL")
    invoice = await issued(app_client, customer)

    first = await pay(app_client, invoice["id"], "50.00")
    note = await credit(app_client, invoice["id"])

    assert first.json()["invoice"]["status"] == "partly_paid"
    assert first.json()["invoice"]["settlement"]["outstanding"] == "70.00"
    assert note.status_code == 201 and totals(note.json())[2] == "-120.00"
    after = (await app_client.get(f"/api/invoices/{invoice['id']}",
                                  headers=await app_client.as_user(VERA))).json()
    assert after["status"] == "paid"  # settled: 50.00 paid, 120.00 credited
    assert after["settlement"]["outstanding"] == "-50.00"
    assert (await balance(app_client, customer))["balance"] == "-50.00"
    more = await pay(app_client, invoice["id"], "1.00")
    assert more.status_code == 409


async def test_a_partial_credit_note_credits_chosen_quantities_only_once(app_client):
    customer = await new_customer(app_client, "Avoir Partiel SARL")
    invoice = await issued(app_client, customer)
    await pay(app_client, invoice["id"], "20.00")

    part = await credit(app_client, invoice["id"], {"lines": [{"id": "plus", "quantity": "1"}]})
    too_much = await credit(app_client, invoice["id"],
                            {"lines": [{"id": "plus", "quantity": "2"}]})
    unknown = await credit(app_client, invoice["id"], {"lines": [{"id": "nope"}]})
    rest = await credit(app_client, invoice["id"])

    assert part.status_code == 201 and totals(part.json()) == ("-100.00", "-20.00", "-120.00")
    assert too_much.status_code == 422 and too_much.json()["field"] == "lines[1].quantity"
    assert "1 left to credit" in too_much.json()["message"]
    assert unknown.status_code == 422 and unknown.json()["field"] == "lines[1].id"
    assert rest.status_code == 201
    assert [(line["id"], line["quantity"]) for line in rest.json()["lines"]] == [
        ("plus", "-1"), ("minus", "-1")]
    assert totals(rest.json()) == ("0.00", "0.00", "0.00")
    assert await balance(app_client, customer) == {
        **await balance(app_client, customer), "invoiced": "120.00", "credited": "120.00",
        "paid": "20.00", "balance": "-20.00"}


async def test_what_cannot_be_credited(app_client):
    customer = await new_customer(app_client, "Refus Avoir SARL")
    invoice = await issued(app_client, customer)
    note = (await credit(app_client, invoice["id"])).json()
    draft = (await app_client.post("/api/invoices", json={},
                                   headers=await app_client.as_user(CLAIRE))).json()

    assert (await credit(app_client, note["id"])).status_code == 409
    assert (await credit(app_client, draft["id"])).status_code == 409
    assert (await credit(app_client, invoice["id"], user=SAM)).status_code == 403
    bad = await credit(app_client, invoice["id"], {"lines": []})
    assert bad.status_code == 422 and bad.json()["field"] == "lines"


async def test_a_credit_note_exports_as_a_valid_credit_note(app_client):
    customer = await new_customer(app_client, "Export Avoir SARL")
    invoice = await issued(app_client, customer)
    note = (await credit(app_client, invoice["id"])).json()
    headers = await app_client.as_user(VERA)
    for format_name in ("cii", "ubl"):
        response = await app_client.get(f"/api/invoices/{note['id']}/export",
                                        params={"format": format_name}, headers=headers)
        assert response.status_code == 200, response.text
        assert fatal(validate(response.content, format_name)) == [], format_name
        read = read_invoice(response.content)
        assert read.is_credit_note and read.preceding_invoice == invoice["number"]
        assert read.stated.gross == 120  # positive in the file: the type says it credits


# -- payments -------------------------------------------------------------------------------------


async def test_payments_move_the_status_and_refuse_more_than_is_due(app_client):
    customer = await new_customer(app_client, "Paiements SARL")
    invoice = await issued(app_client, customer)

    first = await pay(app_client, invoice["id"], "100.00")
    too_much = await pay(app_client, invoice["id"], "20.01")
    rest = await pay(app_client, invoice["id"], "20.00")

    assert first.status_code == 201 and first.json()["invoice"]["status"] == "partly_paid"
    assert first.json()["payment"]["amount"] == "100.00"
    assert too_much.status_code == 422 and too_much.json()["field"] == "amount"
    assert "20.00 EUR still due" in too_much.json()["message"]
    assert rest.json()["invoice"]["status"] == "paid"
    assert rest.json()["invoice"]["settlement"]["paid"] == "120.00"
    with app_client.services.db.session() as session:
        actions = session.exec(select(AuditEvent.action).where(
            AuditEvent.target == invoice["id"]).order_by(AuditEvent.id)).all()
    assert actions == ["invoice.create", "invoice.finalise", "payment.record",
                       "invoice.status", "payment.record", "invoice.status"]


async def test_payment_input_is_checked(app_client):
    customer = await new_customer(app_client, "Saisie SARL")
    invoice = await issued(app_client, customer)
    cases = [
        ({"amount": 10.5, "date": "2026-03-20"}, "amount"),
        ({"amount": "0", "date": "2026-03-20"}, "amount"),
        ({"amount": "1.234", "date": "2026-03-20"}, "amount"),
        ({"amount": "10.00", "date": "20/03/2026"}, "date"),
        ({"amount": "10.00"}, "date"),
        ({"amount": "10.00", "date": "2026-03-20", "bank": "x"}, "bank"),
    ]
    headers = await app_client.as_user(CLAIRE)
    for body, field in cases:
        response = await app_client.post(f"/api/invoices/{invoice['id']}/payments",
                                          json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["field"] == field
    assert (await pay(app_client, invoice["id"], "10.00", user=SAM)).status_code == 403
    draft = (await app_client.post("/api/invoices", json={}, headers=headers)).json()
    assert (await pay(app_client, draft["id"], "10.00")).status_code == 409


# -- the ledger -----------------------------------------------------------------------------------


async def test_the_ledger_shows_the_chain_and_where_it_breaks(app_client):
    customer = await new_customer(app_client, "Chaîne SARL")
    invoice = await issued(app_client, customer)
    note = (await credit(app_client, invoice["id"])).json()
    headers = await app_client.as_user(MAX)

    state = (await app_client.get("/api/ledger", headers=headers)).json()

    assert state["ok"] is True and state["first_break"] is None
    assert state["count"] == state["length"] == 9  # 7 demo invoices, this one, its credit
    assert (state["last_number"], state["last_hash"]) == (note["number"], note["hash"])
    with app_client.services.db.transaction() as session:
        session.execute(text("UPDATE invoice SET gross = '1.00' WHERE id = :id"),
                        {"id": invoice["id"]})
    broken = (await app_client.get("/api/ledger", headers=headers)).json()
    assert broken["ok"] is False and broken["count"] == 7
    assert broken["first_break"]["number"] == invoice["number"]
    assert "changed after finalisation" in broken["first_break"]["reason"]
    denied = await app_client.get("/api/ledger", headers=await app_client.as_user(SAM))
    assert denied.status_code == 403
