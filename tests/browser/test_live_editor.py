"""Two or more people on the same draft, each in their own browser (issue #2)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import LIVE_TIMEOUT_MS, open_editor


def claire_and_sam(open_page, new_draft) -> tuple[str, Page, Page]:
    """A new draft open in two editors: the accountant's and the salesman's."""
    invoice_id = new_draft()
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    sam = open_page("sam@demo.test", f"/invoices/{invoice_id}")
    open_editor(claire)
    open_editor(sam)
    return invoice_id, claire, sam

DESCRIPTION = "tr.line textarea[data-line-field=description]"


def line_field(page: Page, index: int, field: str):
    return page.locator("tr.line").nth(index).locator(f"[data-line-field={field}]")


def is_subsequence(part: str, whole: str) -> bool:
    letters = iter(whole)
    return all(letter in letters for letter in part)


def test_two_editors_typing_into_one_description_end_with_the_same_text(
    open_page, new_draft, screenshot
):
    invoice_id, claire, sam = claire_and_sam(open_page, new_draft)

    claire.click("#add-line")
    expect(sam.locator("tr.line")).to_have_count(1)
    sam.locator(DESCRIPTION).click()
    # Character by character, in turn, without waiting for each other: concurrent edits.
    for mine, theirs in zip("Design review", "Site visit +2", strict=True):
        claire.keyboard.type(mine)
        sam.keyboard.type(theirs)

    length = len("Design review") + len("Site visit +2")
    for page in (claire, sam):
        expect(page.locator(DESCRIPTION)).to_have_value(re.compile(f"^.{{{length}}}$"))
    text = claire.locator(DESCRIPTION).input_value()
    expect(sam.locator(DESCRIPTION)).to_have_value(text)
    assert is_subsequence("Design review", text) and is_subsequence("Site visit +2", text)

    # Each sees the other on the field, in their colour and with their name.
    expect(claire.locator(".cell.peer[data-field=description]")).to_have_attribute(
        "data-peer-name", "Sam Patel")
    expect(sam.locator("#presence-avatars .avatar")).to_have_count(2)
    screenshot(claire, "browser-editor-two-people")


def test_a_line_added_or_removed_on_one_page_shows_on_the_other(open_page, new_draft):
    invoice_id, claire, sam = claire_and_sam(open_page, new_draft)

    claire.click("#add-line")
    claire.keyboard.type("Oak table")
    # Enter adds a line after the current one and puts the caret in it.
    claire.keyboard.press("Enter")
    claire.keyboard.type("Delivery")
    expect(sam.locator("tr.line")).to_have_count(2)
    expect(line_field(sam, 0, "description")).to_have_value("Oak table")
    expect(line_field(sam, 1, "description")).to_have_value("Delivery")

    line_field(claire, 0, "description").click()
    claire.keyboard.press("Enter")
    claire.keyboard.type("Assembly")
    expect(line_field(sam, 1, "description")).to_have_value("Assembly")
    expect(line_field(sam, 2, "description")).to_have_value("Delivery")

    sam.locator("tr.line").nth(1).locator(".line-delete").click()
    expect(claire.locator("tr.line")).to_have_count(2)
    expect(line_field(claire, 1, "description")).to_have_value("Delivery")


def test_amounts_typed_in_one_editor_update_the_totals_in_every_editor(open_page, new_draft):
    invoice_id, claire, sam = claire_and_sam(open_page, new_draft)

    claire.click("#add-line")
    claire.keyboard.type("Consulting")
    line_field(claire, 0, "quantity").fill("3")
    line_field(claire, 0, "unit_price").fill("150")
    line_field(claire, 0, "vat_rate").fill("20")

    # The server's calculator: 3 x 150 = 450 net, 90 VAT, 540 total.
    for page in (claire, sam):
        expect(page.locator("#total-gross")).to_contain_text("540")
        expect(page.locator("tr.line [data-net]")).to_contain_text("450")
    expect(line_field(sam, 0, "unit_price")).to_have_value("150")

    # While Claire holds the line's amounts, Sam sees who and cannot change them.
    line_field(claire, 0, "unit_price").click()
    expect(sam.locator("tr.line .claim-note")).to_contain_text("Claire Dubois")
    expect(line_field(sam, 0, "unit_price")).to_have_attribute("readonly", "")
    claire.locator("#f-notes").click()
    expect(sam.locator("tr.line .claim-note")).to_be_hidden()
    expect(line_field(sam, 0, "unit_price")).not_to_have_attribute("readonly", "")


def test_an_invalid_amount_is_shown_as_an_error_on_its_field(open_page, new_draft):
    invoice_id = new_draft()
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    open_editor(claire)
    claire.click("#add-line")
    line_field(claire, 0, "unit_price").fill("12,5x")
    cell = claire.locator("tr.line .cell[data-field=unit_price]")
    expect(cell).to_have_class(re.compile(r"\bhas-error\b"))
    expect(cell.locator(".field-error")).not_to_be_empty()


def test_a_viewer_watches_the_draft_live_but_cannot_change_it(open_page, new_draft):
    invoice_id = new_draft()
    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    vera = open_page("vera@demo.test", f"/invoices/{invoice_id}")
    open_editor(claire)
    open_editor(vera)

    claire.click("#add-line")
    claire.keyboard.type("Lamp")
    expect(line_field(vera, 0, "description")).to_have_value("Lamp")

    expect(vera.locator("#readonly-banner")).to_be_visible()
    expect(vera.locator("#add-line")).to_be_hidden()
    expect(line_field(vera, 0, "description")).to_have_attribute("readonly", "")
    expect(vera.locator("#f-notes")).to_have_attribute("readonly", "")
    expect(vera.locator("#f-customer_id")).to_be_disabled()

    vera.locator("#f-notes").click()
    vera.keyboard.type("not allowed")
    expect(vera.locator("#f-notes")).to_have_value("")
    expect(claire.locator("#f-notes")).to_have_value("")


def test_finalising_turns_every_open_editor_read_only_with_who_and_the_number(
    open_page, new_draft, screenshot
):
    invoice_id, claire, sam = claire_and_sam(open_page, new_draft)

    # An empty draft cannot be finalised: the dialog says what is missing.
    claire.click("#finalise-button")
    claire.click("#finalise-confirm")
    expect(claire.locator("#finalise-problem-list li").first).to_be_visible()
    expect(claire.locator("#finalise-confirm")).to_be_hidden()
    claire.click("#finalise-cancel")

    claire.click("#add-line")
    claire.keyboard.type("Restoration of a mirror")
    line_field(claire, 0, "unit_price").fill("480")
    line_field(claire, 0, "vat_rate").fill("20")
    expect(sam.locator("#total-gross")).to_contain_text("576")

    claire.click("#finalise-button")
    expect(claire.locator("#finalise-dialog")).to_be_visible()
    claire.click("#finalise-confirm")
    number = claire.locator("#finalise-number")
    expect(number).to_have_text(re.compile(r"^F\d{4}-\d{5}$"))
    issued = number.inner_text()

    banner = sam.locator("#final-banner")
    expect(banner).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(banner).to_contain_text("Claire Dubois")
    expect(banner).to_contain_text(issued)
    expect(sam.locator("#doc-number")).to_have_text(issued)
    expect(sam.locator("#add-line")).to_be_hidden()
    expect(line_field(sam, 0, "description")).to_have_attribute("readonly", "")
    expect(line_field(sam, 0, "unit_price")).to_have_attribute("readonly", "")
    claire.click("#finalise-cancel")
    screenshot(sam, "browser-editor-finalised")


def test_a_remote_edit_before_the_caret_keeps_the_caret_on_the_same_letters(
    open_page, new_draft
):
    invoice_id, claire, sam = claire_and_sam(open_page, new_draft)
    claire.click("#add-line")
    claire.keyboard.type("world")
    claire.keyboard.press("ArrowLeft")
    claire.keyboard.press("ArrowLeft")

    expect(sam.locator(DESCRIPTION)).to_have_value("world")
    sam.locator(DESCRIPTION).click()
    sam.keyboard.press("Home")
    sam.keyboard.type("hello ")
    expect(claire.locator(DESCRIPTION)).to_have_value("hello world")
    claire.keyboard.type("X")
    for page in (claire, sam):
        expect(page.locator(DESCRIPTION)).to_have_value("hello worXld")


def test_tab_moves_through_a_lines_fields_in_order(open_page, new_draft):
    claire = open_page("claire@demo.test", f"/invoices/{new_draft()}")
    open_editor(claire)
    claire.click("#add-line")
    for field in ("quantity", "unit", "unit_price", "vat_rate", "discount"):
        claire.keyboard.press("Tab")
        expect(line_field(claire, 0, field)).to_be_focused()


def test_a_change_the_server_refuses_is_undone_and_explained(open_page, new_draft):
    invoice_id, claire, sam = claire_and_sam(open_page, new_draft)
    currency = sam.locator("#f-currency")
    expect(currency).to_be_disabled()

    # A tampered page: sales may not change the currency, whatever the page lets through.
    currency.evaluate("select => { select.disabled = false }")
    currency.select_option("USD")
    expect(sam.locator(".toast.error")).to_contain_text("meta.currency")
    expect(currency).to_have_value("EUR")
    expect(claire.locator("#f-currency")).to_have_value("EUR")

    # The page carries on from the server's state.
    open_editor(sam)
    sam.click("#add-line")
    sam.keyboard.type("Still editing")
    expect(line_field(claire, 0, "description")).to_have_value("Still editing")


def test_edits_typed_while_the_server_is_down_arrive_when_it_is_back(
    server, open_page, new_draft
):
    invoice_id, claire, sam = claire_and_sam(open_page, new_draft)
    claire.click("#add-line")
    claire.keyboard.type("Before")
    expect(line_field(sam, 0, "description")).to_have_value("Before")

    server.kill()
    expect(claire.locator("#conn")).to_have_attribute("data-state", "reconnecting")
    claire.keyboard.type(" and after")

    # Leaving now would lose what is typed: the page asks first.
    with claire.expect_event("dialog") as asked:
        claire.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()
    expect(claire.locator("#conn")).to_have_attribute("data-state", "reconnecting")

    server.start()
    for page in (claire, sam):
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(line_field(sam, 0, "description")).to_have_value("Before and after")
