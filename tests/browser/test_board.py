"""The status board follows every invoice live (issue #2, DESIGN.md section 10)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import in_french, open_editor


def test_the_board_shows_a_drafts_new_total_without_reloading(open_page, new_draft, screenshot):
    invoice_id = new_draft()
    board = open_page("max@demo.test", "/board")
    expect(board.locator("#conn")).to_have_attribute("data-state", "live")
    row = board.locator(f"tr[data-invoice-id='{invoice_id}']")
    expect(row.locator("[data-gross]")).to_have_attribute("data-gross", "0.00")
    board.evaluate("window.boardWasNotReloaded = true")

    claire = open_page("claire@demo.test", f"/invoices/{invoice_id}")
    open_editor(claire)
    claire.click("#add-line")
    claire.keyboard.type("Hand-painted sign")
    line = claire.locator("tr.line").first
    line.locator("[data-line-field=quantity]").fill("2")
    line.locator("[data-line-field=unit_price]").fill("60")
    line.locator("[data-line-field=vat_rate]").fill("20")

    # 2 x 60 = 120 net, 24 VAT: 144 in total, shown in place with who is editing.
    expect(row.locator("[data-gross]")).to_have_attribute("data-gross", "144.00")
    expect(row).to_contain_text("Claire Dubois")
    assert board.evaluate("window.boardWasNotReloaded") is True
    screenshot(board, "browser-board")
    screenshot(claire, "browser-editor")


def test_the_board_filters_groups_and_sorts(open_page):
    board = open_page("max@demo.test", "/board")
    expect(board.locator("#conn")).to_have_attribute("data-state", "live")
    expect(board.locator("tr.group-head").first).to_be_visible()

    board.fill("#board-filter", "Kyoto")
    rows = board.locator("tbody#board-body tr[data-invoice-id]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kyoto")

    board.fill("#board-filter", "")
    board.uncheck("#board-group")
    expect(board.locator("tr.group-head")).to_have_count(0)
    board.click("th[data-sort=gross] button")
    expect(board.locator("th[data-sort=gross]")).to_have_attribute(
        "aria-sort", re.compile("ascending|descending"))
    totals = [cell.get_attribute("data-gross")
              for cell in board.locator("tbody#board-body [data-gross]").all()]
    assert totals, "the demo organisation has invoices"
    # Overdue invoices of the demo are marked.
    expect(board.locator("tr.is-overdue").first).to_be_visible()


def test_the_board_tells_watchers_from_editors_and_marks_drafts_with_problems(
    open_page, api, new_draft, screenshot
):
    client = api("claire@demo.test")
    customers = client.get("/api/customers").json()
    # A new pound draft at 0.00: its group total says nothing of pounds.
    client.post("/api/invoices", json={"customer_id": customers[0]["id"], "currency": "GBP"})
    approved = new_draft()
    for status in ("in_review", "approved"):
        client.post(f"/api/invoices/{approved}/status", json={"status": status}).raise_for_status()
    rows = client.get("/api/invoices", params={"status": "draft"}).json()
    baeckerei = next(row["id"] for row in rows if row["customer_name"].startswith("Bäckerei"))

    board = open_page("max@demo.test", "/board")
    expect(board.locator("#conn")).to_have_attribute("data-state", "live")
    draft_group = board.locator("tr.group-head[data-group=draft] .group-total")
    expect(draft_group).to_contain_text("€")
    expect(draft_group).not_to_contain_text("£")
    # Its line without a unit price: the draft's total is marked as maybe incomplete.
    row = board.locator(f"tr[data-invoice-id='{baeckerei}']")
    expect(row.locator(".problem-badge")).to_have_attribute("data-problems", "1")

    claire = open_page("claire@demo.test", f"/invoices/{baeckerei}")
    vera = open_page("vera@demo.test", f"/invoices/{baeckerei}")
    open_editor(claire)
    open_editor(vera)
    expect(row.locator(".person")).to_have_count(2)
    expect(row.locator(".person.editing-person")).to_have_text("Claire Dubois")
    watcher = row.locator(".person.watching")
    expect(watcher).to_have_text("Vera Costa watching")
    expect(watcher.locator(".icon-eye")).to_have_count(1)

    # In an approved invoice, nobody edits: whoever is there views it.
    open_editor(open_page("olivia@demo.test", f"/invoices/{approved}"))
    viewer = board.locator(f"tr[data-invoice-id='{approved}'] .person")
    expect(viewer).to_have_text(re.compile(r"^Olivia Martin viewing$"))
    screenshot(board, "browser-board-watchers")


def table_fits(page, table: str) -> bool:
    return page.evaluate(
        "(selector) => { const t = document.querySelector(selector);"
        " return t.scrollWidth <= t.parentElement.clientWidth }", table)


def test_the_board_and_the_list_fit_their_card_in_french_and_on_narrow_screens(open_page):
    board = open_page("max@demo.test", "/board")
    in_french(board)
    expect(board.locator("#conn")).to_have_attribute("data-state", "live")
    expect(board.locator("tr[data-invoice-id]").first).to_be_visible()
    assert table_fits(board, "#board-table")
    board.goto(board.url.replace("/board", "/invoices"))
    assert table_fits(board, "#invoice-table")

    narrow = open_page("sam@demo.test", "/board")
    narrow.set_viewport_size({"width": 1024, "height": 800})
    expect(narrow.locator("tr[data-invoice-id]").first).to_be_visible()
    assert table_fits(narrow, "#board-table")
    narrow.goto(narrow.url.replace("/board", "/invoices"))
    assert table_fits(narrow, "#invoice-table")
