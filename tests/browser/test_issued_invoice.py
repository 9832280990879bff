"""An issued invoice's page: its documents, what is paid and owed, payments and credit notes."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import invoice_id_of, open_editor


def shown(text: str) -> re.Pattern[str]:
    """An amount as the page writes it, whatever spaces its locale puts in ("2 640,00 £GB")."""
    return re.compile(r"\s".join(re.escape(part) for part in text.split(" ")))


def test_an_issued_invoice_offers_its_documents_and_takes_a_payment(
    server, open_page, api, screenshot
):
    # F2026-00003 of the demo: 2,640.00 GBP, half of it paid.
    invoice_id = invoice_id_of(api("claire@demo.test"), "F2026-00003")
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    issued = claire.locator("#issued")
    expect(issued).to_be_visible()
    expect(claire.locator("#preview-link")).to_be_hidden()

    for name, format in (("PDF", "pdf"), ("Factur-X", "facturx"), ("UBL", "ubl"), ("CII", "cii")):
        link = issued.get_by_role("link", name=name, exact=True)
        expected = f"/api/invoices/{invoice_id}/export?format={format}"
        expect(link).to_have_attribute("href", expected)
    # The links work with the page's own session.
    pdf = claire.request.get(f"{server.url}/api/invoices/{invoice_id}/export?format=pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    # Claire reads French: amounts and labels are hers.
    expect(claire.locator("#settle-due")).to_have_text(shown("2 640,00 £GB"))
    expect(claire.locator("#settle-paid")).to_have_text(shown("1 320,00 £GB"))
    expect(claire.locator("#settle-outstanding")).to_have_text(shown("1 320,00 £GB"))
    expect(claire.locator("#settle-history")).to_contain_text("Virement")
    screenshot(claire, "browser-issued-invoice")

    # More than is outstanding is refused in the page, with the amount it may be.
    claire.fill("#pay-amount", "2000")
    claire.click("#pay-submit")
    expect(claire.locator("#pay-error")).to_have_text(shown("1 320,00 £GB"))

    claire.fill("#pay-amount", "1320,00")
    claire.click("#pay-submit")
    expect(claire.locator("#settle-outstanding")).to_have_text(shown("0,00 £GB"))
    expect(claire.locator("#status-pill")).to_have_text("Payée")
    expect(claire.locator("#payment-form")).to_be_hidden()
    expect(claire.locator("#settle-history li")).to_have_count(2)


def test_a_credit_note_is_issued_from_the_invoice_and_links_back(open_page, api):
    client = api("claire@demo.test")
    # F2026-00006: sent, nothing paid yet.
    invoice_id = invoice_id_of(client, "F2026-00006")
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    claire.click("#credit-button")
    expect(claire.locator("#credit-dialog")).to_be_visible()
    expect(claire.locator("#credit-total")).to_have_text(shown("2 447,52 €"))
    claire.click("#credit-confirm")
    number = claire.locator("#credit-number")
    expect(number).to_have_text(re.compile(r"^F\d{4}-\d{5}$"))
    issued_number = number.inner_text()
    claire.click("#credit-cancel")

    # Nothing was paid: credited in full, the invoice is cancelled.
    expect(claire.locator("#status-pill")).to_have_text("Annulée")
    expect(claire.locator("#settle-credited")).to_have_text(shown("2 447,52 €"))
    expect(claire.locator("#credit-button")).to_be_hidden()
    claire.locator("#settle-history a", has_text=issued_number).click()
    expect(claire.locator("#doc-title")).to_have_text(issued_number)
    expect(claire.locator("#issued-corrects")).to_contain_text("F2026-00006")


def test_a_draft_offers_its_preview_and_watchers_get_no_payment_form(
    open_page, api, new_draft
):
    draft = open_page("claire@demo.test", f"/invoices/{new_draft()}")
    open_editor(draft)
    preview = draft.locator("#preview-link")
    expect(preview).to_be_visible()
    assert preview.get_attribute("href").endswith("/preview.pdf")
    expect(draft.locator("#issued")).to_be_hidden()

    invoice_id = invoice_id_of(api("claire@demo.test"), "F2026-00003")
    vera = open_page("vera@demo.test", f"/invoices/{invoice_id}")
    expect(vera.locator("#settle-outstanding")).to_have_text("£1,320.00")
    expect(vera.locator("#settle-history")).to_contain_text("Bank transfer")
    expect(vera.locator("#payment-form")).to_have_count(0)
    expect(vera.locator("#credit-button")).to_have_count(0)
    expect(vera.locator("#issued a[data-format=pdf]")).to_be_visible()
