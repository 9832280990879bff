"""Issue #3 through the API: importing e-invoices, legal checks at finalisation, exports."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pycrdt import Doc, Map
from sqlmodel import func, select

from invoicer.einvoice import fatal, read_invoice, validate
from invoicer.invoicing.money import round_money
from invoicer.storage.accounts import create_organization, create_user
from invoicer.storage.models import AuditEvent, Customer, DocUpdate, Invoice

from .test_api import CLAIRE, LINE, SAM, VERA, add_lines, customer_id, new_draft

DATA = Path(__file__).resolve().parents[1] / "data" / "en16931"
EXAMPLES = sorted(path for folder in ("cii", "ubl") for path in (DATA / folder).iterdir())
# Files whose VAT is rounded to whole units, not base x rate to the cent as EN 16931 says
# (see tests/einvoice/test_import_examples.py).
VAT_ROUNDED_BY_FILE = {"huf_example_cii.xml"}
# An example with document charges and a prepaid amount, whose buyer has every mention.
ROUND_TRIP = DATA / "cii" / "CII_example5.xml"


async def upload(client, path: Path, user: str = CLAIRE, content: bytes | None = None):
    files = {"file": (path.name, content if content is not None else path.read_bytes(),
                      "application/xml")}
    return await client.post("/api/imports", files=files, headers=await client.as_user(user))


def counts(client) -> tuple[int, int, int]:
    with client.services.db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Customer, Invoice, DocUpdate)
        )


def money(value: Decimal | None, currency: str) -> str:
    return format(round_money(value or Decimal(0), currency), "f")


# -- import ---------------------------------------------------------------------------------------


async def test_every_example_imports_with_the_totals_its_file_states(app_client):
    headers = await app_client.as_user(VERA)
    mismatches = []
    for path in EXAMPLES:
        response = await upload(app_client, path)
        assert response.status_code == 201, (path.name, response.text)
        draft = (await app_client.get(f"/api/invoices/{response.json()['id']}",
                                      headers=headers)).json()
        stated, totals = read_invoice(path.read_bytes()).stated, draft["totals"]
        currency = draft["currency"]
        expected = {
            "net": stated.net, "tax_basis": stated.tax_basis,
            "allowance_total": stated.allowance_total, "charge_total": stated.charge_total,
            "prepaid": stated.prepaid,
        }
        if path.name not in VAT_ROUNDED_BY_FILE:
            expected.update(vat=stated.vat, gross=stated.gross, due=stated.due)
        for name, value in expected.items():
            if totals[name] != money(value, currency):
                mismatches.append(f"{path.name} {name}: {totals[name]} != {value}")
        # Every line reads; a file's own inconsistencies (a due date before the issue date)
        # are shown to the editors as problems of the draft.
        assert [p for p in draft["problems"] if p["field"] != "due_date"] == [], path.name
    assert mismatches == []


async def test_an_import_makes_a_customer_lines_charges_and_payment_terms(app_client):
    response = await upload(app_client, ROUND_TRIP)

    assert response.status_code == 201
    draft = response.json()
    assert response.headers["location"] == f"/api/invoices/{draft['id']}"
    assert draft["status"] == "draft" and draft["number"] is None
    assert draft["currency"] == "DKK" and draft["import"]["customer_created"] is True
    assert [c["is_charge"] for c in draft["charges"]] == [False, True]
    assert draft["totals"]["prepaid"] == "2337.50"
    # The file's account is the original seller's: the draft is paid to the organisation.
    assert draft["payment"]["means"][0]["iban"] == "FR7630004016900000123456771"
    customer = (await app_client.get(f"/api/customers/{draft['customer_id']}",
                                     headers=await app_client.as_user(CLAIRE))).json()
    assert (customer["country"], customer["vat_number"], customer["currency"]) == (
        "DK", "DK16356607", "DKK")
    assert customer["city"] and customer["postcode"] and customer["address"]
    with app_client.services.db.session() as session:
        actions = session.exec(select(AuditEvent.action).where(
            AuditEvent.target.in_([draft["id"], customer["id"]]))).all()
    assert sorted(actions) == ["customer.create", "invoice.import"]


async def test_a_second_import_reuses_the_customer_with_the_same_vat_number(app_client):
    first = (await upload(app_client, ROUND_TRIP)).json()
    second = (await upload(app_client, ROUND_TRIP)).json()
    assert second["customer_id"] == first["customer_id"]
    assert second["import"]["customer_created"] is False


async def test_an_unreadable_file_is_422_with_its_path_and_leaves_nothing(app_client):
    broken = ROUND_TRIP.read_bytes().replace(b"<ram:BilledQuantity", b"<ram:BilledQuantityX", 1)
    broken = broken.replace(b"</ram:BilledQuantity>", b"</ram:BilledQuantityX>", 1)
    before = counts(app_client)

    responses = [await upload(app_client, ROUND_TRIP, content=content)
                 for content in (broken, b"not xml at all", b"<Invoice/>")]

    for response in responses:
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "unreadable_invoice"
    assert "BilledQuantity" in responses[0].json()["message"]
    assert responses[0].json()["path"].startswith("/rsm:CrossIndustryInvoice")
    assert counts(app_client) == before


async def test_import_needs_a_file_multipart_and_the_right(app_client):
    headers = await app_client.as_user(CLAIRE)
    as_json = await app_client.post("/api/imports", json={}, headers=headers)
    assert as_json.status_code == 415
    no_file = await app_client.post("/api/imports", files={"other": ("a", b"x")},
                                    headers=headers)
    assert no_file.status_code == 422 and no_file.json()["field"] == "file"
    viewer = await upload(app_client, ROUND_TRIP, user=VERA)
    assert viewer.status_code == 403


def test_the_command_line_import_prints_the_draft_id_last(tmp_path: Path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL") and not key.startswith("INVOICER_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'invoicer.db'}"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "invoicer.server.cli", *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=60, check=False)

    assert cli("demo").returncode == 0
    result = cli("import", str(ROUND_TRIP), "--org", "Atelier Lumière SARL")
    refused = cli("import", str(tmp_path / "missing.xml"))

    assert result.returncode == 0, result.stderr
    draft_id = result.stdout.splitlines()[-1]
    assert len(draft_id) == 32 and "for Buyercompany" in result.stdout
    assert refused.returncode == 1 and "missing.xml" in refused.stderr


# -- legal checks at finalisation -----------------------------------------------------------------


async def finalise(client, invoice_id: str, user: str = CLAIRE, **body):
    return await client.post(f"/api/invoices/{invoice_id}/finalize", json=body or None,
                             headers=await client.as_user(user))


async def test_a_customer_without_an_address_is_refused_with_its_message(app_client):
    headers = await app_client.as_user(SAM)
    created = await app_client.post("/api/customers", json={
        "name": "Sans Adresse SARL", "country": "FR", "vat_number": "FR42914572367"},
        headers=headers)
    draft = await new_draft(app_client, "Sans Adresse")
    await add_lines(app_client, draft["id"], LINE)

    response = await finalise(app_client, draft["id"])

    assert created.status_code == 201
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_draft"
    assert [(p["field"], p["message"]) for p in body["problems"]] == [
        ("buyer.address", "The buyer's address lacks: street, postcode, city.")]
    assert "The buyer's address lacks" in body["message"]
    invoice = (await app_client.get(f"/api/invoices/{draft['id']}", headers=headers)).json()
    assert invoice["status"] == "draft" and invoice["number"] is None


async def test_an_address_typed_in_one_field_is_read_as_street_postcode_city(app_client):
    await app_client.post("/api/customers", json={
        "name": "Une Ligne SAS", "country": "FR", "address": "3 rue Neuve, 69001 Lyon"},
        headers=await app_client.as_user(SAM))
    draft = await new_draft(app_client, "Une Ligne")
    await add_lines(app_client, draft["id"], LINE)
    assert (await finalise(app_client, draft["id"])).status_code == 200


async def test_an_organisation_without_siren_is_refused_with_its_message(app_client):
    store = app_client.services.store
    org = await store.run(
        create_organization, "Sans Siren SARL", address="1 rue du Port", city="Nantes",
        postcode="44000", country="FR", vat_number="FR31853920171",
        iban="FR7630004016900000123456771",
        late_penalty_text="Pénalités de retard : trois fois le taux d'intérêt légal.",
    )
    await store.run(create_user, org.id, email="owner@sans-siren.test", name="Owner",
                    role="owner", password_hash=None)
    headers = await app_client.as_user("owner@sans-siren.test")
    customer = (await app_client.post("/api/customers", json={
        "name": "Client SA", "country": "FR", "address": "2 quai Sud", "postcode": "44100",
        "city": "Nantes"}, headers=headers)).json()
    draft = (await app_client.post("/api/invoices", json={"customer_id": customer["id"]},
                                   headers=headers)).json()
    await add_lines(app_client, draft["id"], LINE)

    response = await finalise(app_client, draft["id"], "owner@sans-siren.test")

    assert response.status_code == 422
    assert [(p["field"], p["message"]) for p in response.json()["problems"]] == [
        ("seller.legal_id", "The seller's SIREN or SIRET number is missing.")]


async def test_every_missing_mention_of_a_bare_organisation_is_listed(app_client):
    store = app_client.services.store
    org = await store.run(create_organization, "Nue SAS")
    await store.run(create_user, org.id, email="owner@nue.test", name="Owner", role="owner",
                    password_hash=None)
    headers = await app_client.as_user("owner@nue.test")
    customer = (await app_client.post("/api/customers", json={"name": "Client"},
                                      headers=headers)).json()
    draft = (await app_client.post("/api/invoices", json={"customer_id": customer["id"]},
                                   headers=headers)).json()
    await add_lines(app_client, draft["id"], LINE)

    response = await finalise(app_client, draft["id"], "owner@nue.test")

    fields = [problem["field"] for problem in response.json()["problems"]]
    assert fields == ["seller.address", "seller.legal_id", "seller.vat_number",
                      "buyer.address", "legal.late_penalty"]
    assert len({p["message"] for p in response.json()["problems"]}) == len(fields)


async def test_a_british_customers_vat_number_is_checked_by_british_rules(app_client):
    draft = await new_draft(app_client, "Harbour")
    await add_lines(app_client, draft["id"], {**LINE, "vat_rate": "0", "vat_category": "G"})
    response = await finalise(app_client, draft["id"])
    assert response.status_code == 200, response.text


# -- exports --------------------------------------------------------------------------------------


async def issued(client, customer: str = "Boulangerie", *lines: dict) -> dict:
    draft = await new_draft(client, customer)
    await add_lines(client, draft["id"], *(lines or (LINE,)))
    response = await finalise(client, draft["id"])
    assert response.status_code == 200, response.text
    return response.json()


async def export(client, invoice_id: str, format_name: str):
    return await client.get(f"/api/invoices/{invoice_id}/export",
                            params={"format": format_name},
                            headers=await client.as_user(VERA))


async def test_an_issued_invoice_exports_in_every_format(app_client):
    invoice = await issued(app_client, "Bäckerei",
                           {**LINE, "vat_rate": "0", "vat_category": "K", "unit": "HUR"},
                           {**LINE, "description": "Ampoules", "discount": "10"})
    number = invoice["number"]
    expected = {"pdf": ("application/pdf", f"{number}.pdf"),
                "facturx": ("application/pdf", f"{number}-facturx.pdf"),
                "cii": ("application/xml", f"{number}-cii.xml"),
                "ubl": ("application/xml", f"{number}-ubl.xml")}

    for format_name, (media_type, filename) in expected.items():
        response = await export(app_client, invoice["id"], format_name)
        assert response.status_code == 200, (format_name, response.text)
        assert response.headers["content-type"].startswith(media_type)
        assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
        if media_type == "application/pdf":
            assert response.content.startswith(b"%PDF")
        else:
            assert fatal(validate(response.content, format_name)) == []
            assert number.encode() in response.content
            assert invoice["totals"]["gross"].encode() in response.content


async def test_export_refuses_drafts_unknown_formats_and_three_decimal_amounts(app_client):
    draft = await new_draft(app_client)
    to_draft = await export(app_client, draft["id"], "pdf")
    assert to_draft.status_code == 409 and to_draft.json()["error"] == "not_final"
    final = await issued(app_client)
    unknown = await export(app_client, final["id"], "docx")
    assert unknown.status_code == 400 and unknown.json()["field"] == "format"

    rows = (await app_client.get("/api/invoices", headers=await app_client.as_user(VERA))
            ).json()
    kuwaiti = next(row for row in rows if row["currency"] == "KWD")
    assert kuwaiti["gross"] == "1375.125"
    for format_name in ("cii", "ubl", "facturx"):
        response = await export(app_client, kuwaiti["id"], format_name)
        assert response.status_code == 422, format_name
        assert response.json()["error"] == "export_limit"
        assert "1375.125 KWD" in response.json()["message"]
    assert (await export(app_client, kuwaiti["id"], "pdf")).status_code == 200


async def test_a_draft_preview_is_a_watermarked_pdf(app_client):
    draft = await new_draft(app_client)
    await add_lines(app_client, draft["id"], LINE)
    response = await app_client.get(f"/api/invoices/{draft['id']}/preview.pdf",
                                    headers=await app_client.as_user(VERA))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("inline;")


async def edit_payment(client, invoice_id: str, **changes: str | None) -> None:
    """Change the draft's payment root as an editor would (None removes a key)."""
    doc = Doc()
    for update in await client.services.store.updates.load(invoice_id):
        doc.apply_update(update)
    payment = doc.get("payment", type=Map)
    state = doc.get_state()
    for key, value in changes.items():
        if value is None:
            payment.pop(key, None)
        else:
            payment[key] = value
    await client.services.store.updates.append(invoice_id, doc.get_update(state), "test")


async def test_an_imported_example_finalised_and_exported_keeps_its_totals(app_client):
    stated = read_invoice(ROUND_TRIP.read_bytes()).stated
    draft = (await upload(app_client, ROUND_TRIP)).json()
    headers = await app_client.as_user(CLAIRE)
    refused = await finalise(app_client, draft["id"])
    # The example's buyer VAT number has wrong check digits: what the legal check asks is
    # fixed as a person would, then the invoice is issued (the file's account is not kept).
    assert [p["field"] for p in refused.json()["problems"]] == ["buyer.vat_number"]
    fixed = await app_client.patch(f"/api/customers/{draft['customer_id']}",
                                   json={"vat_number": "DK16356603"}, headers=headers)
    assert fixed.status_code == 200 and fixed.json()["vat_number"] == "DK16356603"
    await edit_payment(app_client, draft["id"], iban=None, bic=None, means_code=None)

    final = await finalise(app_client, draft["id"])

    assert final.status_code == 200, final.text
    totals = final.json()["totals"]
    assert (totals["tax_basis"], totals["vat"], totals["gross"], totals["prepaid"],
            totals["due"]) == tuple(money(value, "DKK") for value in (
                stated.tax_basis, stated.vat, stated.gross, stated.prepaid, stated.due))
    for format_name in ("cii", "ubl"):
        xml = (await export(app_client, draft["id"], format_name)).content
        assert fatal(validate(xml, format_name)) == [], format_name
        again = read_invoice(xml).stated
        assert (again.tax_basis, again.vat, again.gross, again.due) == (
            stated.tax_basis, stated.vat, stated.gross, stated.due)


@pytest.mark.parametrize("rate", ["1.0843"])
async def test_finalising_stores_an_exchange_rate(app_client, rate):
    draft = await new_draft(app_client, "Harbour")
    await add_lines(app_client, draft["id"], {**LINE, "vat_rate": "0", "vat_category": "G"})
    bad = await finalise(app_client, draft["id"], exchange_rate="-2")
    assert bad.status_code == 422 and bad.json()["field"] == "exchange_rate"
    as_number = await finalise(app_client, draft["id"], exchange_rate=1.08)
    assert as_number.status_code == 422

    response = await finalise(app_client, draft["id"], exchange_rate=rate)

    assert response.status_code == 200 and response.json()["exchange_rate"] == rate
    again = await app_client.get(f"/api/invoices/{draft['id']}",
                                 headers=await app_client.as_user(VERA))
    assert again.json()["exchange_rate"] == rate
    same_currency = await new_draft(app_client)
    await add_lines(app_client, same_currency["id"], LINE)
    refused = await finalise(app_client, same_currency["id"], exchange_rate="1.2")
    assert refused.status_code == 422 and "accounting currency" in refused.json()["message"]


async def test_the_invoice_shows_what_exporters_need(app_client):
    invoice = await issued(app_client, "Cerámica",
                           {**LINE, "vat_rate": "0", "vat_category": "E",
                            "exemption_reason": "Exonération, art. 261-4-4° du CGI"})
    line = invoice["lines"][0]
    assert (line["vat_category"], line["exemption_reason"]) == (
        "E", "Exonération, art. 261-4-4° du CGI")
    assert invoice["totals"]["vat_breakdown"][0]["exemption_reason"].startswith("Exonération")
    assert invoice["payment"]["means"][0]["iban"] == "FR7630004016900000123456771"
    assert invoice["totals"]["due"] == invoice["totals"]["gross"] == "200.00"
    assert invoice["settlement"] == {"paid": "0.00", "credited": "0.00",
                                     "outstanding": "200.00", "payments": [],
                                     "credit_notes": []}
    assert invoice["type_code"] == "380" and invoice["charges"] == []
    assert await customer_id(app_client, "Cerámica") == invoice["customer_id"]
