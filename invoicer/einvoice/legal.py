"""What French law requires an invoice to carry, checked before it is issued.

Sources: Code général des impôts art. 242 nonies A (annex II) for the mentions, Code de
commerce L441-9 and L441-10 for payment terms, the late payment penalty rate and the fixed
recovery indemnity (40 EUR, D441-5) owed by business buyers. Identifiers are checked with
python-stdnum (SIREN, SIRET, EU VAT numbers: check digits, offline) and IBANs with schwifty.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_errors
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat
from stdnum.fr import siren, siret
from stdnum.gb import vat as gb_vat
from stdnum.no import mva as no_vat

from .model import InvoiceDocument, Party

__all__ = ["LegalProblem", "legal_problems", "missing_mentions"]

# Categories whose invoice must say why there is no VAT (exemption article, reverse charge...).
_NEEDS_REASON = ("E", "AE", "K", "G", "O")
# Categories where the buyer's VAT number is part of the mention (reverse charge, EU supply).
_NEEDS_BUYER_VAT = frozenset({"AE", "K"})
# A seller that only makes supplies outside the scope of VAT (or under the franchise) may have
# no VAT number; any other category means it accounts for VAT.
_WITHOUT_SELLER_VAT = frozenset({"E", "O"})
_EU = frozenset(code.upper() for code in vat.MEMBER_STATES) - {"XI"} | {"GR"}
# VAT numbers of countries outside the EU that python-stdnum checks offline.
_VAT_OUTSIDE_EU: dict[str, ModuleType] = {"GB": gb_vat, "CH": ch_vat, "NO": no_vat}


@dataclass(frozen=True)
class LegalProblem:
    """A missing or invalid mention: `field` names it ("seller.legal_id", "lines[2]...")."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def missing_mentions(doc: InvoiceDocument, *, b2b: bool) -> list[str]:
    """One message per mention the invoice lacks or gets wrong; empty when it may be issued."""
    return [problem.message for problem in legal_problems(doc, b2b=b2b)]


def legal_problems(doc: InvoiceDocument, *, b2b: bool) -> list[LegalProblem]:
    problems: list[LegalProblem] = []
    problems += _header(doc)
    problems += _seller(doc)
    problems += _buyer(doc, b2b)
    problems += _lines(doc)
    problems += _exemptions(doc)
    problems += _payment(doc, b2b)
    return problems


def _categories(doc: InvoiceDocument) -> set[str]:
    return {line.vat_category for line in doc.lines} | {
        item.vat_category for item in doc.allowances
    }


# -- the invoice itself ---------------------------------------------------------------------


def _header(doc: InvoiceDocument) -> list[LegalProblem]:
    problems = []
    if not doc.number.strip():
        problems.append(LegalProblem("number", "The invoice has no number."))
    if doc.is_credit_note and not doc.preceding_invoice:
        problems.append(
            LegalProblem("preceding_invoice", "A credit note must name the invoice it corrects.")
        )
    return problems


def _lines(doc: InvoiceDocument) -> list[LegalProblem]:
    if not doc.lines:
        return [LegalProblem("lines", "The invoice has no line.")]
    return [
        LegalProblem(f"lines[{number}].description", f"Line {number} has no description.")
        for number, line in enumerate(doc.lines, start=1)
        if not line.description.strip()
    ]


def _exemptions(doc: InvoiceDocument) -> list[LegalProblem]:
    problems = []
    used = _categories(doc)
    for category in _NEEDS_REASON:
        if category in used and not _has_reason(doc, category):
            problems.append(
                LegalProblem(
                    f"exemptions.{category}",
                    f"VAT category {category} needs the exemption reason or legal mention "
                    "that explains why there is no VAT (e.g. the article of the tax code).",
                )
            )
    return problems


def _has_reason(doc: InvoiceDocument, category: str) -> bool:
    exemption = doc.exemption_for(category)
    if exemption is not None and (exemption.reason or exemption.code):
        return True
    lines = [line for line in doc.lines if line.vat_category == category]
    return bool(lines) and all(line.exemption_reason for line in lines)


# -- parties --------------------------------------------------------------------------------


def _address(party: Party, role: str, label: str) -> list[LegalProblem]:
    missing = [
        name for name, value in (
            ("street", party.address_lines), ("postcode", party.postcode),
            ("city", party.city), ("country", party.country),
        ) if not value
    ]
    if not missing:
        return []
    return [LegalProblem(f"{role}.address", f"The {label}'s address lacks: {', '.join(missing)}.")]


def _seller(doc: InvoiceDocument) -> list[LegalProblem]:
    seller = doc.seller
    problems = []
    if not seller.name.strip():
        problems.append(LegalProblem("seller.name", "The seller's name is missing."))
    problems += _address(seller, "seller", "seller")
    if seller.country.upper() == "FR":
        problems += _french_company_id(seller)
    if seller.vat_number:
        problems += _vat_number(seller, "seller", "seller")
    elif _categories(doc) - _WITHOUT_SELLER_VAT:
        problems.append(
            LegalProblem("seller.vat_number", "The seller's VAT number is missing.")
        )
    return problems


def _french_company_id(seller: Party) -> list[LegalProblem]:
    number = "".join(seller.legal_id.split())
    if not number:
        return [LegalProblem("seller.legal_id", "The seller's SIREN or SIRET number is missing.")]
    if len(number) == 14 and siret.is_valid(number):
        return []
    if len(number) == 9 and siren.is_valid(number):
        return []
    return [
        LegalProblem(
            "seller.legal_id",
            f"The seller's SIREN/SIRET «{seller.legal_id}» is not valid "
            "(9 or 14 digits with a correct check digit).",
        )
    ]


def _vat_checker(party: Party) -> ModuleType | None:
    """The python-stdnum module that checks the party's VAT number, None where none does."""
    prefix = party.vat_number[:2].upper()
    country = prefix if prefix.isalpha() else party.country.upper()
    if country in _EU or country in ("EL", "XI"):
        return vat
    return _VAT_OUTSIDE_EU.get(country)


def _vat_number(party: Party, role: str, label: str) -> list[LegalProblem]:
    checker = _vat_checker(party)
    if checker is None:
        return []  # no offline check for this country: printed as given
    try:
        checker.validate(party.vat_number)
    except stdnum_errors.ValidationError as error:
        return [
            LegalProblem(
                f"{role}.vat_number",
                f"The {label}'s VAT number «{party.vat_number}» is not valid: "
                f"{str(error).rstrip('.').lower()}.",
            )
        ]
    return []


def _buyer(doc: InvoiceDocument, b2b: bool) -> list[LegalProblem]:
    buyer = doc.buyer
    problems = []
    if not buyer.name.strip():
        problems.append(LegalProblem("buyer.name", "The buyer's name is missing."))
    problems += _address(buyer, "buyer", "buyer")
    if buyer.vat_number:
        return problems + _vat_number(buyer, "buyer", "buyer")
    country = buyer.country.upper()
    intra_eu = country in _EU and country != doc.seller.country.upper()
    if b2b and intra_eu:
        problems.append(
            LegalProblem(
                "buyer.vat_number",
                "The buyer's VAT number is missing (required for a business buyer in another "
                "EU country).",
            )
        )
    elif _categories(doc) & _NEEDS_BUYER_VAT:
        problems.append(
            LegalProblem(
                "buyer.vat_number",
                "The buyer's VAT number is missing (required for reverse charge and "
                "intra-community supplies).",
            )
        )
    return problems


# -- payment --------------------------------------------------------------------------------


def _payment(doc: InvoiceDocument, b2b: bool) -> list[LegalProblem]:
    problems = []
    if doc.due_date is None and not doc.is_credit_note:
        problems.append(LegalProblem("due_date", "The payment due date is missing."))
    if b2b and not doc.legal.late_penalty.strip():
        problems.append(
            LegalProblem("legal.late_penalty", "The late payment penalty rate is missing.")
        )
    if b2b and not doc.legal.recovery_indemnity:
        problems.append(
            LegalProblem(
                "legal.recovery_indemnity",
                "The fixed recovery indemnity of 40 EUR owed by a business buyer paying late "
                "is not mentioned.",
            )
        )
    for number, means in enumerate(doc.payment_means, start=1):
        if means.is_credit_transfer:
            problems += _iban(means.iban, number)
    return problems


def _iban(text: str, number: int) -> list[LegalProblem]:
    field = f"payment_means[{number}].iban"
    if not text.strip():
        return [LegalProblem(field, "The IBAN to pay by credit transfer is missing.")]
    try:
        IBAN(text)
    except SchwiftyException as error:
        reason = str(error).rstrip(".")
        return [LegalProblem(field, f"The IBAN «{text}» is not valid: {reason}.")]
    return []
