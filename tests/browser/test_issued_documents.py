"""Issued documents as stored: the credit-note dialog's amounts and a credit note's own page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import invoice_id_of
from .test_issued_invoice import shown


def in_english(page: Page) -> None:
    """Switch the signed-in user to English (kept on the user for this server)."""
    page.click(".topbar .langswitch button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^en"))


def test_the_credit_dialog_states_the_full_amount_and_what_is_owed_back(
    open_page, api, screenshot
):
    client = api("claire@demo.test")
    # F2026-00006: 2,447.52 EUR, sent; 1,000.00 of it paid here.
    invoice_id = invoice_id_of(client, "F2026-00006")
    client.post(f"/api/invoices/{invoice_id}/payments",
                json={"amount": "1000.00", "date": "2026-03-20", "method": "transfer"},
                ).raise_for_status()
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    expect(claire.locator("#settle-outstanding")).to_have_text(shown("1 447,52 €"))

    claire.click("#credit-button")
    dialog = claire.locator("#credit-dialog")
    expect(dialog).to_be_visible()
    # The credit note cancels the whole invoice, not only what is left to pay.
    expect(dialog.locator(".dialog-total")).to_contain_text("Montant de l’avoir")
    expect(claire.locator("#credit-total")).to_have_text(shown("2 447,52 €"))
    refund = claire.locator("#credit-refund")
    expect(refund).to_be_visible()
    expect(refund).to_contain_text(shown("1 000,00 €"))
    expect(refund).to_contain_text("dus au client")
    screenshot(claire, "browser-credit-dialog-fr")
    claire.click("#credit-cancel")

    in_english(claire)
    claire.click("#credit-button")
    expect(claire.locator("#credit-total")).to_have_text("€2,447.52")
    expect(dialog.locator(".dialog-total")).to_contain_text("Credit note amount")
    expect(refund).to_have_text(
        "€1,000.00 already paid will be owed back to the customer (a customer credit).")
    screenshot(claire, "browser-credit-dialog-en")
    claire.click("#credit-confirm")
    expect(claire.locator("#credit-number")).to_have_text(re.compile(r"^F\d{4}-\d{5}$"))
    claire.click("#credit-cancel")
    expect(claire.locator("#status-pill")).to_have_text("Paid")


def test_nothing_paid_means_no_refund_note(open_page, api):
    invoice_id = invoice_id_of(api("claire@demo.test"), "F2026-00006")
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    claire.click("#credit-button")
    expect(claire.locator("#credit-total")).to_have_text(shown("2 447,52 €"))
    expect(claire.locator("#credit-refund")).to_be_hidden()


def test_a_credit_note_page_shows_the_stored_credit_note(open_page, api, screenshot):
    client = api("claire@demo.test")
    # F2026-00003: 2,640.00 GBP, half of it paid.
    invoice_id = invoice_id_of(client, "F2026-00003")
    invoice = client.get(f"/api/invoices/{invoice_id}").raise_for_status().json()
    created = client.post(f"/api/invoices/{invoice_id}/credit-note")
    note = created.raise_for_status().json()
    assert note["type_code"] == "381"

    claire = open_page("claire@demo.test", f"/invoices/{note['id']}")
    expect(claire.locator("#doc-kind")).to_have_text("Avoir")
    expect(claire.locator("#doc-title")).to_have_text(note["number"])
    link = claire.locator("#doc-corrects a")
    expect(link).to_have_text(invoice["number"])
    expect(link).to_have_attribute("href", f"/invoices/{invoice_id}")
    expect(claire.locator("#paper")).to_have_attribute("aria-busy", "false")

    expect(claire.locator("#f-issue_date")).to_have_value(note["issue_date"])
    expect(claire.locator("#f-due_date")).to_have_value(note["due_date"] or "")
    expect(claire.locator("#f-delivery_date")).to_have_value(
        note["delivery_date"] or note["issue_date"])
    expect(claire.locator("#f-currency")).to_have_value("GBP")
    expect(claire.locator("#f-customer_id")).to_have_value(note["customer_id"])
    rows = claire.locator("#lines-body tr.line")
    expect(rows).to_have_count(len(note["lines"]))
    first = note["lines"][0]
    expect(rows.first.locator("[data-line-field=description]")).to_have_value(
        first["description"])
    expect(rows.first.locator("[data-line-field=quantity]")).to_have_value(
        re.compile(r"^-"))
    expect(claire.locator("#lines-empty")).to_have_count(0)
    expect(claire.locator("#total-gross")).to_have_text(shown("-2 640,00 £GB"))
    expect(claire.locator("#add-line")).to_be_hidden()
    expect(claire.locator("#credit-button")).to_have_count(0)
    screenshot(claire, "browser-credit-note-page")

    in_english(claire)
    expect(claire.locator("#doc-kind")).to_have_text("Credit note")
    expect(claire.locator("#doc-corrects")).to_contain_text("Credit note for invoice")


def test_an_issued_invoice_shows_its_stored_fields_and_date_of_supply(
    open_page, api, screenshot
):
    client = api("claire@demo.test")
    invoice_id = invoice_id_of(client, "F2026-00003")
    invoice = client.get(f"/api/invoices/{invoice_id}").raise_for_status().json()
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    expect(claire.locator("#doc-kind")).to_have_text("Facture")
    expect(claire.locator("#f-issue_date")).to_have_value(invoice["issue_date"])
    expect(claire.locator("#f-delivery_date")).to_have_value(
        invoice["delivery_date"] or invoice["issue_date"])
    expect(claire.locator("#shown-delivery_date")).not_to_be_empty()
    expect(claire.locator("#f-customer_id")).to_have_value(invoice["customer_id"])
    expect(claire.locator("#lines-body tr.line")).to_have_count(len(invoice["lines"]))
    expect(claire.locator("#total-gross")).to_have_text(shown("2 640,00 £GB"))
    screenshot(claire, "browser-issued-invoice-stored")
