"""The editor as a French reader sees it: problems on their fields and in their language, the
finalise dialog of a draft that is not ready, totals before the live state, VAT mentions,
dates, document charges and payment terms."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import open_editor
from .test_issued_invoice import shown
from .test_live_editor import line_field


def drafts_of(client, customer: str) -> str:
    rows = client.get("/api/invoices", params={"status": "draft"}).raise_for_status().json()
    return str(next(row["id"] for row in rows if row["customer_name"].startswith(customer)))


def test_problems_are_marked_on_their_fields_in_the_readers_language(
    open_page, new_draft, screenshot
):
    # Claire reads French.
    claire = open_page("claire@demo.test", f"/invoices/{new_draft()}")
    open_editor(claire)
    claire.click("#add-line")
    claire.keyboard.type("Lampe de bureau")
    line_field(claire, 0, "quantity").fill("abc")

    quantity = claire.locator("tr.line .cell[data-field=quantity]")
    expect(quantity).to_have_class(re.compile(r"\bhas-error\b"))
    expect(quantity.locator(".field-error")).to_have_text(shown("« abc » n’est pas un nombre"))
    # The unit price was never given: marked as missing, and said so.
    price = claire.locator("tr.line .cell[data-field=unit_price]")
    expect(price).to_have_class(re.compile(r"\bis-missing\b"))
    expect(price.locator(".field-error")).to_have_text("un nombre est requis")
    expect(claire.locator("#totals-warning")).to_contain_text("2 valeurs à corriger")

    # Not ready: the dialog lists what to fix, in French, and offers no confirmation.
    claire.click("#finalise-button")
    dialog = claire.locator("#finalise-dialog")
    expect(dialog.locator("#finalise-title")).to_have_text("Pas encore prête à finaliser")
    expect(claire.locator("#finalise-confirm")).to_be_hidden()
    expect(claire.locator("#finalise-question")).to_be_hidden()
    items = dialog.locator("#finalise-problem-list li")
    expect(items).to_have_text([
        shown("Ligne 1 · Quantité : « abc » n’est pas un nombre"),
        shown("Ligne 1 · Prix unitaire : un nombre est requis"),
    ])
    screenshot(claire, "browser-editor-not-ready")

    # Each problem leads to its field.
    items.nth(1).get_by_role("button").click()
    expect(dialog).to_be_hidden()
    expect(line_field(claire, 0, "unit_price")).to_be_focused()


def test_a_stored_draft_shows_its_totals_and_vat_mention_before_the_live_state(
    open_page, api
):
    # The demo's draft for Bäckerei Schmidt: an intra-EU supply (category K), one line
    # without a unit price.
    invoice_id = drafts_of(api("claire@demo.test"), "Bäckerei")
    claire = open_page("claire@demo.test", "/invoices")
    # The live socket never answers: what shows comes from the page itself.
    claire.route_web_socket(re.compile(r"/ws/"), lambda socket: None)
    claire.goto(claire.url.replace("/invoices", f"/invoices/{invoice_id}"))

    expect(claire.locator("#conn")).to_have_attribute("data-state", "connecting")
    expect(claire.locator("#total-gross")).to_have_text(shown("4 470,00 €"))
    expect(claire.locator("#total-net")).to_have_text(shown("4 470,00 €"))
    expect(claire.locator("#vat-breakdown .vat-mention")).to_have_text(
        "Exonération de TVA, article 262 ter I du CGI")
    expect(claire.locator("#totals-warning")).to_contain_text("1 valeur à corriger")


def test_dates_are_written_out_in_the_readers_language(open_page, new_draft, api):
    invoice_id = new_draft()
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    sam = open_page("sam@demo.test", f"/invoices/{invoice_id}")
    open_editor(claire)
    open_editor(sam)

    claire.locator("#f-delivery_date").fill("2027-03-01")
    expect(claire.locator("#shown-delivery_date")).to_have_text("1 mars 2027")
    expect(sam.locator("#shown-delivery_date")).to_have_text("1 Mar 2027")
    expect(sam.locator("#f-delivery_date")).to_have_value("2027-03-01")
    draft = api("claire@demo.test").get(f"/api/invoices/{invoice_id}").json()
    assert draft["delivery_date"] == "2027-03-01"
    expect(claire.locator("#f-reference")).to_have_attribute("maxlength", "100")


def fill_charge(page: Page, reason: str, amount: str) -> None:
    page.click("#add-charge")
    row = page.locator("tr.charge").last
    row.locator("[data-charge-field=reason]").fill(reason)
    row.locator("[data-charge-field=amount]").fill(amount)


def test_charges_and_payment_terms_are_edited_by_accounting_and_read_by_sales(
    open_page, new_draft, api, screenshot
):
    invoice_id = new_draft()
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    sam = open_page("sam@demo.test", f"/invoices/{invoice_id}")
    open_editor(claire)
    open_editor(sam)
    expect(sam.locator("#add-charge")).to_be_hidden()

    # Document-level terms first: while someone holds a line's amounts, the server judges
    # every change field by field.
    fill_charge(claire, "Livraison", "10")
    claire.locator("#f-terms").fill("30 jours net")
    claire.locator("#f-prepaid").fill("50")
    claire.click("#add-line")
    claire.keyboard.type("Lampe")
    line_field(claire, 0, "unit_price").fill("100")
    line_field(claire, 0, "vat_rate").fill("20")

    # 100 + 10 of shipping, at 20 %: 132.00; 50.00 already paid leaves 82.00.
    for page, gross, due in ((claire, "132,00 €", "82,00 €"), (sam, "€132.00", "€82.00")):
        expect(page.locator("#total-gross")).to_have_text(shown(gross))
        expect(page.locator("#row-charges")).to_be_visible()
        expect(page.locator("#total-due")).to_have_text(shown(due))
    charge = sam.locator("tr.charge").first
    expect(charge.locator("[data-charge-field=reason]")).to_have_value("Livraison")
    expect(charge.locator("[data-charge-field=reason]")).to_have_attribute("readonly", "")
    expect(sam.locator("#f-terms")).to_have_value("30 jours net")
    expect(sam.locator("#f-terms")).to_have_attribute("readonly", "")
    screenshot(claire, "browser-editor-charges")

    draft = api("claire@demo.test").get(f"/api/invoices/{invoice_id}").json()
    assert draft["payment"]["terms"] == "30 jours net"
    assert [(c["reason"], c["amount"], c["is_charge"]) for c in draft["charges"]] == [
        ("Livraison", "10.00", True)]
    assert draft["totals"]["due"] == "82.00"
