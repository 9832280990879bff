"""Sign-in, the invoice list, customers and administration, as a person uses them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, open_editor


def test_signing_in_with_a_wrong_password_says_so_and_keeps_the_email(
    browser, server, screenshot
):
    context = browser.new_context(locale="en-GB", viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/invoices")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Finvoices$"))
    screenshot(page, "browser-sign-in")

    page.fill("#email", "claire@demo.test")
    page.fill("#password", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator(".alert-error")).to_be_visible()
    expect(page.locator("#email")).to_have_value("claire@demo.test")

    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(f"{server.url}/invoices")
    context.close()


def test_a_new_invoice_from_the_list_opens_its_editor_for_the_chosen_customer(
    open_page, screenshot
):
    page = open_page("claire@demo.test", "/invoices")
    expect(page.locator("#invoice-table tbody tr").first).to_be_visible()
    screenshot(page, "browser-invoice-list")

    page.select_option("#new-customer", label="Kyoto Washi Co., Ltd.")
    page.click("form.new-invoice button[type=submit]")
    expect(page).to_have_url(re.compile(r"/invoices/[0-9a-f]{32}$"))
    open_editor(page)
    selected = page.locator("#f-customer_id option:checked")
    expect(selected).to_have_text("Kyoto Washi Co., Ltd.")
    expect(page.locator("#f-currency")).to_have_value("JPY")


def test_the_language_switch_turns_the_pages_french_and_back(open_page):
    page = open_page("sam@demo.test", "/invoices")
    page.click(".topbar .langswitch button[value=fr]")
    expect(page.locator("html")).to_have_attribute("lang", "fr-FR")
    expect(page.locator(".mainnav a[href='/invoices']")).to_have_text("Factures")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fr-FR")
    page.click(".topbar .langswitch button[value=en]")
    expect(page.locator(".mainnav a[href='/invoices']")).to_have_text("Invoices")


def test_a_customer_added_with_markup_in_its_name_is_shown_as_text(open_page):
    page = open_page("sam@demo.test", "/customers")
    page.fill("#c-name", "<b>Bold</b> & Sons")
    page.select_option("#c-country", "BE")
    page.click("form[action='/customers'] button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    cell = page.locator("#customer-table td", has_text="Bold")
    expect(cell).to_have_text("<b>Bold</b> & Sons")
    expect(page.locator("#customer-table b")).to_have_count(0)


def test_a_customer_is_added_with_its_street_postcode_and_city(open_page, api):
    page = open_page("sam@demo.test", "/customers")
    page.fill("#c-name", "Luminaires Armor")
    page.fill("#c-address", "8 place des Lices")
    page.fill("#c-postcode", "35000")
    page.fill("#c-city", "Rennes")
    page.select_option("#c-country", "FR")
    page.click("form[action='/customers'] button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    row = page.locator("#customer-table tr", has_text="Luminaires Armor")
    expect(row).to_contain_text("Rennes")
    stored = next(customer for customer in api("sam@demo.test").get("/api/customers").json()
                  if customer["name"] == "Luminaires Armor")
    assert (stored["address"], stored["postcode"], stored["city"]) == (
        "8 place des Lices", "35000", "Rennes")


def test_a_customer_with_an_invalid_vat_number_is_refused_with_the_field_named(open_page):
    page = open_page("claire@demo.test", "/customers")
    page.fill("#c-name", "Nowhere Ltd")
    page.select_option("#c-country", "FR")
    page.fill("#c-vat", "FR123")
    page.click("form[action='/customers'] button[type=submit]")
    expect(page.locator(".alert-error")).to_contain_text("FR123")
    expect(page.locator("#c-vat")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#c-name")).to_have_value("Nowhere Ltd")


def test_administration_shows_members_and_the_permission_table_to_owners_only(open_page):
    owner = open_page("olivia@demo.test", "/admin")
    expect(owner.locator("#member-table tbody tr")).to_have_count(6)
    expect(owner.locator("#permission-table tbody tr").first).to_be_visible()
    finalise = owner.locator("#permission-table tr", has_text="invoice_finalize")
    # owner, admin, accountant may finalise; sales, manager, viewer may not.
    expect(finalise.locator("td.yes")).to_have_count(3)
    expect(finalise.locator("td.no")).to_have_count(3)
    # The hash chain of the demo's issued invoices, verified as the page opens.
    expect(owner.locator("#ledger-state")).to_have_attribute("data-state", "ok")
    expect(owner.locator("#ledger-number")).to_have_text(re.compile(r"^F\d{4}-\d{5}$"))

    sales = open_page("sam@demo.test", "/invoices")
    expect(sales.locator(".mainnav a[href='/admin']")).to_have_count(0)
    response = sales.goto(sales.url.replace("/invoices", "/admin"))
    assert response is not None and response.status == 403
