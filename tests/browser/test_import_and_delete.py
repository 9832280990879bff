"""Importing an e-invoice from the invoice list, and deleting a draft from its editor (#3)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from playwright.sync_api import expect

from .conftest import open_editor

EXAMPLE = Path(__file__).parents[1] / "data" / "en16931" / "ubl" / "ubl-tc434-example1.xml"
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
DESCRIPTIONS = "tr.line textarea[data-line-field=description]"


def stated(path: Path) -> tuple[list[str], str, str]:
    """The file's line names, its stated total with VAT and its currency."""
    root = ET.parse(path).getroot()
    names = [name.text.strip() for name in
             root.findall("cac:InvoiceLine/cac:Item/cbc:Name", UBL) if name.text]
    total = root.find("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", UBL)
    assert total is not None and total.text
    return names, total.text, total.get("currencyID", "")


def test_an_imported_file_opens_in_its_editor_with_its_lines_and_total(
    server, open_page, screenshot
):
    names, total, currency = stated(EXAMPLE)
    sam = open_page("sam@demo.test", "/invoices")
    sam.set_input_files("#import-file", EXAMPLE)

    sam.wait_for_url(re.compile(rf"{re.escape(server.url)}/invoices/[\w-]+$"))
    open_editor(sam)
    expect(sam.locator("tr.line")).to_have_count(len(names))
    shown = [value.strip() for value in
             sam.locator(DESCRIPTIONS).evaluate_all("(fields) => fields.map((f) => f.value)")]
    assert shown == names
    # Sam reads English: "€250.33", the total the file states, computed from its lines.
    assert currency == "EUR"
    expect(sam.locator("#total-gross")).to_have_text(f"€{total}")
    expect(sam.locator("#f-customer_id option:checked")).to_have_text("ODIN 59")
    screenshot(sam, "browser-imported-draft")


def test_a_file_that_cannot_be_read_says_where_and_creates_nothing(
    open_page, api, tmp_path, screenshot
):
    client = api("claire@demo.test")
    invoices = len(client.get("/api/invoices").raise_for_status().json())
    customers = len(client.get("/api/customers").raise_for_status().json())
    broken = tmp_path / "broken-quantity.xml"
    broken.write_bytes(EXAMPLE.read_bytes().replace(
        b'unitCode="EA">2<', b'unitCode="EA">two<', 1))
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(EXAMPLE.read_bytes()[:4000])

    claire = open_page("claire@demo.test", "/invoices")
    rows = claire.locator("#invoice-table tbody tr")
    expect(rows).to_have_count(invoices)
    claire.set_input_files("#import-file", broken)

    # Claire reads French; the server's message names the element.
    error = claire.locator("#import-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("broken-quantity.xml n’a pas pu être importé")
    expect(error).to_contain_text("/Invoice/cac:InvoiceLine[1]/cbc:InvoicedQuantity")
    expect(claire.locator("#import-file")).to_be_enabled()
    screenshot(claire, "browser-import-refused")

    claire.set_input_files("#import-file", truncated)
    expect(error).to_contain_text("truncated.xml")
    expect(error).to_contain_text("not well-formed XML")
    claire.reload()
    expect(claire.locator("#import-error")).to_be_hidden()
    expect(rows).to_have_count(invoices)
    assert len(client.get("/api/invoices").json()) == invoices
    assert len(client.get("/api/customers").json()) == customers


def test_who_may_import_and_delete_sees_the_controls_and_nobody_else(open_page, new_draft):
    vera = open_page("vera@demo.test", "/invoices")
    expect(vera.locator("#invoice-table")).to_be_visible()
    expect(vera.locator("#import-form")).to_have_count(0)

    # Sales creates and imports drafts but does not delete them.
    invoice_id = new_draft()
    sam = open_page("sam@demo.test", f"/invoices/{invoice_id}")
    open_editor(sam)
    expect(sam.locator("#delete-button")).to_have_count(0)
    expect(open_page("sam@demo.test", "/invoices").locator("#import-form")).to_have_count(1)


def test_a_deleted_draft_turns_its_other_editors_read_only_and_leaves_the_board(
    server, open_page, api, new_draft, screenshot
):
    invoice_id = new_draft()
    board = open_page("max@demo.test", "/board")
    expect(board.locator("#conn")).to_have_attribute("data-state", "live")
    board_row = board.locator(f"tr[data-invoice-id='{invoice_id}']")
    expect(board_row).to_have_count(1)

    sam = open_page("sam@demo.test", f"/invoices/{invoice_id}")
    open_editor(sam)
    sam.click("#add-line")
    sam.keyboard.type("Shop window lettering")
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    open_editor(claire)
    expect(claire.locator("tr.line")).to_have_count(1)

    # Asked first; cancelling keeps the draft.
    claire.click("#delete-button")
    expect(claire.locator("#delete-dialog")).to_be_visible()
    claire.click("#delete-cancel")
    expect(claire.locator("#delete-dialog")).to_be_hidden()
    claire.click("#delete-button")
    screenshot(claire, "browser-delete-dialog")
    claire.click("#delete-confirm")

    # Claire is back on the list, which says so and no longer has the draft.
    claire.wait_for_url(f"{server.url}/invoices?done=draft_deleted")
    expect(claire.locator(".alert-success")).to_have_text("Brouillon supprimé.")
    expect(claire.locator(f"tr[data-invoice-id='{invoice_id}']")).to_have_count(0)
    screenshot(claire, "browser-list-after-delete")

    # Sam, still in it, is told who deleted it and can change nothing more.
    banner = sam.locator("#final-banner")
    expect(banner).to_have_text("Claire Dubois deleted this draft.")
    expect(banner).to_have_attribute("data-kind", "deleted")
    expect(sam.locator("#status-pill")).to_have_text("Deleted")
    expect(sam.locator("#add-line")).to_be_hidden()
    expect(sam.locator("#preview-link")).to_be_hidden()
    expect(sam.locator(DESCRIPTIONS).first).to_have_attribute("readonly", "")
    expect(board_row).to_have_count(0)
    screenshot(sam, "browser-editor-deleted")
    screenshot(board, "browser-board-after-delete")
    assert api("claire@demo.test").get(f"/api/invoices/{invoice_id}").status_code == 404
