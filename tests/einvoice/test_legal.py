"""Each mention French law requires, refused with its own message when missing or wrong."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from invoicer.einvoice import (
    Exemption,
    InvoiceLine,
    LegalDetails,
    PaymentMeans,
    legal_problems,
    missing_mentions,
)

from .builders import french_buyer, french_seller, make_invoice

GERMAN_BUYER = replace(
    french_buyer(), country="DE", city="Berlin", postcode="10115", vat_number="", legal_id=""
)
EXEMPT_LINE = InvoiceLine("9", "Formation", Decimal(1), Decimal(500), "E", Decimal(0))
REVERSE_CHARGE_LINE = InvoiceLine("9", "Travaux", Decimal(1), Decimal(500), "AE", Decimal(0))


def test_a_complete_invoice_has_every_mention() -> None:
    assert missing_mentions(make_invoice(), b2b=True) == []
    assert missing_mentions(make_invoice(), b2b=False) == []


CASES = [
    ("seller name", dict(seller=replace(french_seller(), name=" ")), True,
     "The seller's name is missing."),
    ("seller address", dict(seller=replace(french_seller(), postcode="", city="")), True,
     "The seller's address lacks: postcode, city."),
    ("seller SIREN", dict(seller=replace(french_seller(), legal_id="")), True,
     "The seller's SIREN or SIRET number is missing."),
    ("seller SIRET check digit",
     dict(seller=replace(french_seller(), legal_id="30326504500016")), True,
     "The seller's SIREN/SIRET «30326504500016» is not valid (9 or 14 digits with a correct "
     "check digit)."),
    ("seller VAT number", dict(seller=replace(french_seller(), vat_number="")), True,
     "The seller's VAT number is missing."),
    ("seller VAT check digits",
     dict(seller=replace(french_seller(), vat_number="FR40303265044")), True,
     "The seller's VAT number «FR40303265044» is not valid: the number's checksum or check "
     "digit is invalid."),
    ("buyer name", dict(buyer=replace(french_buyer(), name="")), True,
     "The buyer's name is missing."),
    ("buyer address",
     dict(buyer=replace(french_buyer(), address_lines=(), postcode="", city="", country="")),
     False, "The buyer's address lacks: street, postcode, city, country."),
    ("buyer VAT within the EU", dict(buyer=GERMAN_BUYER), True,
     "The buyer's VAT number is missing (required for a business buyer in another EU "
     "country)."),
    ("buyer VAT check digits", dict(buyer=replace(french_buyer(), vat_number="FR00732829320")),
     True, "The buyer's VAT number «FR00732829320» is not valid: the number's checksum or check "
     "digit is invalid."),
    ("buyer VAT for reverse charge",
     dict(buyer=replace(french_buyer(), vat_number=""), lines=(REVERSE_CHARGE_LINE,),
          exemptions=(Exemption("AE", "Autoliquidation"),)), False,
     "The buyer's VAT number is missing (required for reverse charge and intra-community "
     "supplies)."),
    ("due date", dict(due_date=None), True, "The payment due date is missing."),
    ("late penalty rate", dict(legal=LegalDetails(recovery_indemnity=True)), True,
     "The late payment penalty rate is missing."),
    ("recovery indemnity", dict(legal=LegalDetails(late_penalty="3 x taux légal")), True,
     "The fixed recovery indemnity of 40 EUR owed by a business buyer paying late is not "
     "mentioned."),
    ("IBAN check digits",
     dict(payment_means=(PaymentMeans("58", iban="FR7630006000011234567890188"),)), False,
     "The IBAN «FR7630006000011234567890188» is not valid: Invalid checksum digits."),
    ("IBAN for a credit transfer", dict(payment_means=(PaymentMeans("30"),)), False,
     "The IBAN to pay by credit transfer is missing."),
    ("exemption reason", dict(lines=(EXEMPT_LINE,)), False,
     "VAT category E needs the exemption reason or legal mention that explains why there is "
     "no VAT (e.g. the article of the tax code)."),
    ("line description",
     dict(lines=(InvoiceLine("1", " ", Decimal(1), Decimal(10), "S", Decimal(20)),)), False,
     "Line 1 has no description."),
    ("invoice corrected by a credit note", dict(type_code="381"), False,
     "A credit note must name the invoice it corrects."),
]


@pytest.mark.parametrize(("changes", "b2b", "message"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_a_missing_mention_is_refused_with_its_message(
    changes: dict[str, object], b2b: bool, message: str
) -> None:
    assert missing_mentions(make_invoice(**changes), b2b=b2b) == [message]


def test_business_only_mentions_are_not_asked_of_a_consumer_invoice() -> None:
    consumer = make_invoice(legal=LegalDetails(), buyer=GERMAN_BUYER)
    assert missing_mentions(consumer, b2b=False) == []
    assert len(missing_mentions(consumer, b2b=True)) == 3


def test_a_siren_alone_is_enough() -> None:
    seller = replace(french_seller(), legal_id="303 265 045")
    assert missing_mentions(make_invoice(seller=seller), b2b=True) == []


def test_an_exemption_reason_on_the_line_or_the_document_satisfies_the_rule() -> None:
    on_line = replace(EXEMPT_LINE, exemption_reason="Exonération, art. 261-4-4° du CGI")
    assert missing_mentions(make_invoice(lines=(on_line,)), b2b=True) == []
    by_code = (Exemption("E", "", "VATEX-EU-132-1I"),)
    on_document = make_invoice(lines=(EXEMPT_LINE,), exemptions=by_code)
    assert missing_mentions(on_document, b2b=True) == []


def test_a_seller_without_vat_may_invoice_exempt_supplies_without_a_vat_number() -> None:
    # The "franchise en base": no VAT charged, no VAT number, the article printed instead.
    seller = replace(french_seller(), vat_number="")
    exempt = replace(EXEMPT_LINE, exemption_reason="TVA non applicable, art. 293 B du CGI")
    assert missing_mentions(make_invoice(seller=seller, lines=(exempt,), allowances=()),
                            b2b=True) == []


def test_each_problem_names_its_field() -> None:
    problems = legal_problems(make_invoice(due_date=None, buyer=GERMAN_BUYER), b2b=True)
    assert [problem.field for problem in problems] == ["buyer.vat_number", "due_date"]
