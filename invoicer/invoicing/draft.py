"""Reading the live draft document (its plain JSON shape) into typed values and problems.

The draft is edited by people, character by character, so any value may be missing, of the
wrong type or half typed. Reading never fails: each value that does not parse becomes a
`Problem` that names its line and field, the totals are computed from the lines that parse,
and `finalisation_problems` says what still blocks issuing the invoice.

Problem fields are the document keys: "quantity", "unit_price"... on a line (with its 1-based
number and id), "currency", "issue_date", "customer_id"... for the header (line None), and
"lines" or "notes" for the document as a whole. Each problem also has a stable `code` and the
`params` of its message (PROBLEM_MESSAGES), so that the pages can say it in the reader's
language; `message` is the English the API shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .money import (
    AMOUNT_MESSAGES,
    MAX_ABS_AMOUNT,
    AmountError,
    is_currency,
    parse_decimal,
    to_plain,
)
from .totals import (
    RATED_CATEGORIES,
    VAT_CATEGORIES,
    AllowanceCharge,
    LineInput,
    Totals,
    compute_totals,
    default_category,
    format_amount,
)

__all__ = [
    "DEFAULT_CURRENCY",
    "MAX_REFERENCE_LENGTH",
    "PROBLEM_MESSAGES",
    "Draft",
    "DraftLine",
    "DraftMeta",
    "Problem",
    "draft_view",
    "finalisation_problems",
    "problem",
    "read_draft",
]

DEFAULT_CURRENCY = "EUR"
# Totals of a draft whose currency is not valid yet are shown with this one's digits.
_FALLBACK_CURRENCY = DEFAULT_CURRENCY
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HUNDRED = Decimal(100)
# The API's limit for a buyer reference (BT-10), also the editor's.
MAX_REFERENCE_LENGTH = 100

# Every problem of a draft by its code: the English message, with {placeholders} filled from
# the problem's params. The codes are a public contract (API, pages): keep them stable.
PROBLEM_MESSAGES: Mapping[str, str] = {
    **AMOUNT_MESSAGES,
    "number_as_text": "must be a number written as text, such as 12.50",
    "line_too_large": "quantity x unit price is too large for one line",
    "not_a_vat_rate": "{rate} % is not a VAT rate",
    "discount_out_of_range": "a discount is a percentage between 0 and 100",
    "not_a_vat_category": "«{value}» is not a VAT category",
    "category_at_zero": "VAT category {category} is at 0 %",
    "standard_rate_zero": "the standard rate is above 0 %; use category Z for zero rated",
    "description_not_text": "the description must be text",
    "unit_not_code": "the unit must be a code such as C62 or HUR",
    "not_an_identifier": "not a valid identifier",
    "not_text": "must be text",
    "too_long": "is longer than {max} characters",
    "currency_not_text": "must be a code such as EUR",
    "not_a_currency": "«{value}» is not a currency code",
    "date_not_text": "must be a date written YYYY-MM-DD",
    "not_a_date": "«{value}» is not a date (YYYY-MM-DD)",
    "due_before_issue": "the due date is before the issue date",
    "notes_not_text": "the notes must be text",
    "document_not_object": "the draft is not a JSON object",
    "header_not_object": "the header is not a JSON object",
    "lines_not_list": "the lines are not a list",
    "line_not_object": "the line is not a JSON object",
    "charges_not_list": "must be a list",
    "charge_not_object": "item {index} is not an object",
    "customer_required": "choose a customer",
    "lines_required": "add at least one line",
    "description_required": "describe the line",
}
# Problems made elsewhere with a message only (the legal checks of finalisation).
UNCODED = "unspecified"

Report = Callable[..., None]  # (field, code, params) of a problem on the current line


@dataclass(frozen=True)
class Problem:
    """A value that does not parse, or something missing to finalise.

    Build draft problems with `problem()`, which writes the message from the code; a problem
    given only a message (as the legal checks do) has the code "unspecified".
    """

    line: int | None
    line_id: str | None
    field: str
    message: str
    code: str = field(default=UNCODED, compare=False)
    params: Mapping[str, str] = field(default_factory=dict, compare=False)

    def text(self) -> str:
        """The message as a sentence naming where: "Line 2, quantity: «abc» is not a number"."""
        where = self.field if self.line is None else f"Line {self.line}, {self.field}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "line_id": self.line_id,
            "field": self.field,
            "code": self.code,
            "params": dict(self.params),
            "message": self.message,
            "text": self.text(),
        }


def problem(
    field: str, code: str, params: Mapping[str, object] | None = None, *,
    line: int | None = None, line_id: str | None = None,
) -> Problem:
    """The problem `code` on `field`, its message written from PROBLEM_MESSAGES."""
    texts = {name: str(value) for name, value in (params or {}).items()}
    return Problem(line, line_id, field, PROBLEM_MESSAGES[code].format(**texts),
                   code=code, params=texts)


@dataclass
class DraftMeta:
    customer_id: str | None = None
    currency: str = DEFAULT_CURRENCY
    issue_date: date | None = None
    due_date: date | None = None
    reference: str | None = None
    language: str | None = None
    # What was typed, for fields shown back to the editors even when they do not parse.
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class DraftLine:
    """One line: the text as typed and, where it parses, its value."""

    number: int  # 1-based position in the document
    id: str | None
    description: str = ""
    unit: str | None = None
    quantity_text: str = ""
    unit_price_text: str = ""
    vat_rate_text: str = ""
    discount_text: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    vat_rate: Decimal | None = None
    discount: Decimal | None = None
    vat_category: str | None = None
    exemption_reason: str | None = None
    net: Decimal | None = None
    valid: bool = False

    @property
    def key(self) -> str:
        """The id used for this line in the totals (its position when it has no id)."""
        return self.id if self.id is not None else f"#{self.number}"

    def to_input(self) -> LineInput:
        """The line for the calculator; only meaningful when `valid`."""
        return LineInput(
            id=self.key,
            quantity=self.quantity or Decimal(0),
            unit_price=self.unit_price or Decimal(0),
            vat_rate=self.vat_rate or Decimal(0),
            discount=self.discount or Decimal(0),
            vat_category=self.vat_category or "S",
            exemption_reason=self.exemption_reason,
        )


@dataclass
class Draft:
    meta: DraftMeta
    notes: str
    lines: list[DraftLine]
    problems: list[Problem]
    totals: Totals
    charges: list[AllowanceCharge] = field(default_factory=list)
    prepaid: Decimal = Decimal(0)

    @property
    def currency_valid(self) -> bool:
        return is_currency(self.meta.currency)


def read_draft(data: Any) -> Draft:
    """Read the draft's JSON shape; never raises, whatever the values."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        data = {}
        problems.append(problem("document", "document_not_object"))
    meta = _read_meta(data.get("meta"), problems)
    notes = _read_notes(data.get("notes"), problems)
    lines = _read_lines(data.get("lines"), problems)
    currency = meta.currency if is_currency(meta.currency) else _FALLBACK_CURRENCY
    charges = _read_charges(data.get("charges"), problems)
    prepaid = _read_prepaid(data.get("payment"), problems)
    valid = [line for line in lines if line.valid and _amount_fits(line, problems)]
    totals = compute_totals(
        [line.to_input() for line in valid], currency,
        allowances=[c for c in charges if not c.is_charge],
        charges=[c for c in charges if c.is_charge],
        prepaid=prepaid,
    )
    # By position, not by id: two lines of a draft may briefly share an id.
    for line, line_total in zip(valid, totals.lines):
        line.net = line_total.net
    return Draft(meta=meta, notes=notes, lines=lines, problems=problems, totals=totals,
                 charges=charges, prepaid=prepaid)


def _amount_fits(line: DraftLine, problems: list[Problem]) -> bool:
    """A line whose amount is beyond any real invoice is a typing slip, not a total to show."""
    amount = abs((line.quantity or 0) * (line.unit_price or 0))
    if amount < MAX_ABS_AMOUNT:
        return True
    problems.append(problem("unit_price", "line_too_large", line=line.number, line_id=line.id))
    return False


def _read_charges(raw: Any, problems: list[Problem]) -> list[AllowanceCharge]:
    """Document-level allowances and charges (the optional `charges` root)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(problem("charges", "charges_not_list"))
        return []
    result = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(problem("charges", "charge_not_object", {"index": index}))
            continue

        def report(name: str, code: str, params: Mapping[str, object] | None = None,
                   index: int = index) -> None:
            problems.append(problem(f"charges.{index}.{name}", code, params))

        _, amount = _read_number(item.get("amount"), "amount", report)
        _, rate = _read_number(item.get("vat_rate"), "vat_rate", report, default=Decimal(0))
        if amount is None or rate is None:
            continue
        category = _charge_category(item.get("vat_category"), rate, report)
        if category is None:
            continue
        result.append(AllowanceCharge(
            amount=amount, vat_category=category, vat_rate=rate,
            reason=str(item.get("reason") or ""),
            is_charge=str(item.get("is_charge")).lower() in ("true", "1"),
            exemption_reason=str(item.get("exemption_reason") or "")[:200],
        ))
    return result


def _charge_category(value: Any, rate: Decimal, report: Report) -> str | None:
    """A charge's category (implied by its rate when not given), or None with a problem."""
    if not 0 <= rate < _HUNDRED:
        report("vat_rate", "not_a_vat_rate", {"rate": to_plain(rate)})
        return None
    text = str(value or "").strip().upper()
    if not text:
        return default_category(rate)
    if text not in VAT_CATEGORIES:
        report("vat_category", "not_a_vat_category", {"value": _shorten(str(value))})
        return None
    if text not in RATED_CATEGORIES and rate != 0:
        report("vat_rate", "category_at_zero", {"category": text})
        return None
    return text


def _read_prepaid(raw: Any, problems: list[Problem]) -> Decimal:
    if not isinstance(raw, dict) or raw.get("prepaid") in (None, ""):
        return Decimal(0)

    def report(name: str, code: str, params: Mapping[str, object] | None = None) -> None:
        problems.append(problem(f"payment.{name}", code, params))

    _, prepaid = _read_number(raw.get("prepaid"), "prepaid", report, default=Decimal(0))
    return prepaid or Decimal(0)


def finalisation_problems(draft: Draft) -> list[Problem]:
    """Everything that blocks finalising: unparsed values plus what an invoice must have.

    A missing issue date is not one: finalisation sets it to the day of issue.
    """
    problems = list(draft.problems)
    if not draft.meta.customer_id:
        problems.append(problem("customer_id", "customer_required"))
    if not draft.lines:
        problems.append(problem("lines", "lines_required"))
    for line in draft.lines:
        if not line.description.strip():
            problems.append(problem("description", "description_required",
                                    line=line.number, line_id=line.id))
    return problems


def draft_view(draft: Draft) -> dict[str, object]:
    """The draft as the REST API shows it: values as decimal strings, totals, problems."""
    meta = draft.meta
    return {
        "customer_id": meta.customer_id,
        "currency": meta.currency,
        "issue_date": _date_view(meta.issue_date, meta.raw.get("issue_date")),
        "due_date": _date_view(meta.due_date, meta.raw.get("due_date")),
        "reference": meta.reference,
        "language": meta.language,
        "notes": draft.notes,
        "lines": [_line_view(line, draft.totals.currency) for line in draft.lines],
        "totals": draft.totals.to_dict(),
        "problems": [problem.to_dict() for problem in draft.problems],
    }


def _date_view(value: date | None, raw: str | None) -> str | None:
    if value is not None:
        return value.isoformat()
    return raw or None


def _line_view(line: DraftLine, currency: str) -> dict[str, object]:
    return {
        "id": line.id,
        "description": line.description,
        "quantity": _number_view(line.quantity, line.quantity_text),
        "unit_price": _number_view(line.unit_price, line.unit_price_text),
        "vat_rate": _number_view(line.vat_rate, line.vat_rate_text),
        "discount": _number_view(line.discount, line.discount_text),
        "unit": line.unit,
        "vat_category": line.vat_category,
        "exemption_reason": line.exemption_reason,
        "net": format_amount(line.net, currency) if line.net is not None else None,
    }


def _number_view(value: Decimal | None, text: str) -> str | None:
    if value is not None:
        return format(value, "f")
    return text or None


# -- header -----------------------------------------------------------------------------------


def _read_meta(raw: Any, problems: list[Problem]) -> DraftMeta:
    meta = DraftMeta()
    if raw is None:
        return meta
    if not isinstance(raw, dict):
        problems.append(problem("meta", "header_not_object"))
        return meta
    meta.customer_id = _read_id(raw.get("customer_id"), "customer_id", problems)
    meta.currency = _read_currency(raw.get("currency"), meta, problems)
    meta.issue_date = _read_date(raw.get("issue_date"), "issue_date", meta, problems)
    meta.due_date = _read_date(raw.get("due_date"), "due_date", meta, problems)
    meta.reference = _read_text(raw.get("reference"), "reference", problems)
    meta.language = _read_text(raw.get("language"), "language", problems)
    if meta.reference is not None and len(meta.reference) > MAX_REFERENCE_LENGTH:
        problems.append(problem("reference", "too_long", {"max": MAX_REFERENCE_LENGTH}))
    if meta.issue_date and meta.due_date and meta.due_date < meta.issue_date:
        problems.append(problem("due_date", "due_before_issue"))
    return meta


def _read_id(value: Any, name: str, problems: list[Problem]) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    problems.append(problem(name, "not_an_identifier"))
    return None


def _read_text(value: Any, name: str, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    problems.append(problem(name, "not_text"))
    return None


def _read_currency(value: Any, meta: DraftMeta, problems: list[Problem]) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_CURRENCY
    if not isinstance(value, str):
        problems.append(problem("currency", "currency_not_text"))
        return DEFAULT_CURRENCY
    text = value.strip().upper()
    meta.raw["currency"] = text
    if not is_currency(text):
        problems.append(problem("currency", "not_a_currency", {"value": _shorten(text)}))
    return text


def _read_date(value: Any, name: str, meta: DraftMeta, problems: list[Problem]) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        problems.append(problem(name, "date_not_text"))
        return None
    text = value.strip()
    meta.raw[name] = text
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(problem(name, "not_a_date", {"value": _shorten(text)}))
    return None


def _shorten(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_notes(value: Any, problems: list[Problem]) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    problems.append(problem("notes", "notes_not_text"))
    return ""


# -- lines ------------------------------------------------------------------------------------


def _read_lines(raw: Any, problems: list[Problem]) -> list[DraftLine]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(problem("lines", "lines_not_list"))
        return []
    lines = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(problem("line", "line_not_object", line=number))
            continue
        lines.append(_read_line(number, item, problems))
    return lines


def _read_line(number: int, raw: dict[str, Any], problems: list[Problem]) -> DraftLine:
    line_id = raw.get("id")
    line = DraftLine(number=number, id=line_id if isinstance(line_id, str) and line_id else None)
    found: list[Problem] = []

    def report(name: str, code: str, params: Mapping[str, object] | None = None) -> None:
        found.append(problem(name, code, params, line=number, line_id=line.id))

    description = raw.get("description")
    if isinstance(description, str):
        line.description = description
    elif description is not None:
        report("description", "description_not_text")
    unit = raw.get("unit")
    if isinstance(unit, str):
        line.unit = unit.strip() or None
    elif unit is not None:
        report("unit", "unit_not_code")

    line.quantity_text, line.quantity = _read_number(raw.get("quantity"), "quantity", report)
    line.unit_price_text, line.unit_price = _read_number(
        raw.get("unit_price"), "unit_price", report
    )
    line.vat_rate_text, line.vat_rate = _read_number(raw.get("vat_rate"), "vat_rate", report)
    line.discount_text, line.discount = _read_number(
        raw.get("discount"), "discount", report, default=Decimal(0)
    )
    _check_ranges(line, report)
    _read_category(line, raw, report)
    problems.extend(found)
    line.valid = not found
    return line


def _read_number(
    value: Any, name: str, report: Report, *, default: Decimal | None = None
) -> tuple[str, Decimal | None]:
    text = _as_text(value)
    if text is None:
        report(name, "number_as_text")
        return "", None
    if not text.strip():
        if default is not None:
            return "", default
        report(name, "number_required")
        return "", None
    try:
        return text, parse_decimal(text)
    except AmountError as error:
        report(name, error.code, error.params)
        return text, None


def _as_text(value: Any) -> str | None:
    # Standard Yjs clients may store a JavaScript number; accept it as the text it shows.
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return None


def _check_ranges(line: DraftLine, report: Report) -> None:
    if line.vat_rate is not None and not 0 <= line.vat_rate < _HUNDRED:
        report("vat_rate", "not_a_vat_rate", {"rate": to_plain(line.vat_rate)})
        line.vat_rate = None
    if line.discount is not None and not 0 <= line.discount <= _HUNDRED:
        report("discount", "discount_out_of_range")
        line.discount = None


def _read_category(line: DraftLine, raw: dict[str, Any], report: Report) -> None:
    # The category is optional in the document: a plain rate means standard, or zero at 0 %.
    category = raw.get("vat_category")
    reason = raw.get("exemption_reason")
    line.exemption_reason = (reason.strip() or None) if isinstance(reason, str) else None
    if category is None or (isinstance(category, str) and not category.strip()):
        if line.vat_rate is not None:
            line.vat_category = default_category(line.vat_rate)
        return
    if not isinstance(category, str) or category.strip().upper() not in VAT_CATEGORIES:
        report("vat_category", "not_a_vat_category", {"value": _shorten(str(category))})
        return
    line.vat_category = category.strip().upper()
    if line.vat_category not in RATED_CATEGORIES and line.vat_rate not in (None, 0):
        report("vat_rate", "category_at_zero", {"category": line.vat_category})
    elif line.vat_category == "S" and line.vat_rate == 0:
        report("vat_rate", "standard_rate_zero")
