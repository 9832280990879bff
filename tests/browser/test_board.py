"""The status board follows every invoice live (issue #2, DESIGN.md section 10)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import open_editor


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
