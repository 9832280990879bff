"""From an invoice document to the calculator's inputs, and the totals it gives.

Totals are never copied from a file: they are computed again by the one calculator of
`invoicer.invoicing.totals`, which the exports, the PDF and the editor all share.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from invoicer.invoicing.money import round_money
from invoicer.invoicing.totals import AllowanceCharge, LineInput, Totals, compute_totals

from .model import InvoiceDocument, InvoiceLine, LineAllowanceCharge

__all__ = [
    "ADJUSTMENT_REASON",
    "CalculatorInputs",
    "calculator_inputs",
    "compute",
    "line_input",
    "line_net",
    "reconcile_lines",
    "reconcile_rounding",
]

# The reason given to a line allowance or charge the importer adds so that the line's net
# is the one the file states (see `reconcile_lines`).
ADJUSTMENT_REASON = "Adjustment to the stated line net amount"

CalculatorInputs = tuple[
    tuple[LineInput, ...], tuple[AllowanceCharge, ...], tuple[AllowanceCharge, ...],
    Decimal, Decimal,
]


def line_input(line: InvoiceLine) -> LineInput:
    return LineInput(
        id=line.id,
        quantity=line.quantity,
        unit_price=line.unit_price,
        vat_rate=line.vat_rate,
        discount=line.discount,
        vat_category=line.vat_category,
        exemption_reason=line.exemption_reason,
        allowances=tuple(item.amount for item in line.allowances if not item.is_charge),
        charges=tuple(item.amount for item in line.allowances if item.is_charge),
        price_base_quantity=line.price_base_quantity,
    )


def calculator_inputs(doc: InvoiceDocument) -> CalculatorInputs:
    """(lines, allowances, charges, prepaid, rounding), as `compute_totals` takes them."""
    lines = tuple(line_input(line) for line in doc.lines)
    allowances = []
    charges = []
    for item in doc.allowances:
        target = charges if item.is_charge else allowances
        target.append(
            AllowanceCharge(
                amount=item.amount,
                vat_category=item.vat_category,
                vat_rate=item.vat_rate,
                reason=item.reason,
                is_charge=item.is_charge,
            )
        )
    return lines, tuple(allowances), tuple(charges), doc.prepaid, doc.rounding


def compute(doc: InvoiceDocument) -> Totals:
    """The document's totals, by the calculator."""
    lines, allowances, charges, prepaid, rounding = calculator_inputs(doc)
    return compute_totals(
        lines, doc.currency, allowances=allowances, charges=charges, prepaid=prepaid,
        rounding=rounding,
    )


def line_net(line: InvoiceLine, currency: str) -> Decimal:
    return line_input(line).net(currency)


def reconcile_lines(doc: InvoiceDocument) -> InvoiceDocument:
    """Make each line's computed net the net the file states (BT-131), saying how.

    EN 16931 defines the line net as quantity x net price / base quantity, less the line's
    allowances, plus its charges, but none of its rules checks that, and real files (official
    examples among them) state line nets the formula does not give: a returned item written
    with a positive quantity, a price "per" a base quantity that merely repeats the price, or
    a line rounded to whole units. The stated amount is what the seller invoiced, so it wins:
    the first reading of `_READINGS` that gives it is kept; failing all, the difference is
    kept as an explicit line allowance or charge. Each case adds a warning in words.
    """
    lines = []
    warnings = list(doc.warnings)
    for line in doc.lines:
        fixed, warning = _reconciled(line, doc.currency)
        lines.append(fixed)
        if warning:
            warnings.append(warning)
    return replace(doc, lines=tuple(lines), warnings=tuple(warnings))


def _as_return(line: InvoiceLine) -> InvoiceLine:
    return replace(line, quantity=-line.quantity)


def _per_unit(line: InvoiceLine) -> InvoiceLine:
    return replace(line, price_base_quantity=Decimal(1))


_READINGS = (
    ("read as a return (negative quantity)", _as_return),
    ("read with the price per unit, ignoring its base quantity", _per_unit),
    ("read as a return with the price per unit", lambda line: _as_return(_per_unit(line))),
)


def _reconciled(line: InvoiceLine, currency: str) -> tuple[InvoiceLine, str | None]:
    stated = line.stated_net
    if stated is None:
        return line, None
    computed = line_net(line, currency)
    if computed == stated:
        return line, None
    described = (
        f"line {line.id}: the file states a net of {stated}, but {line.quantity} x "
        f"{line.unit_price} / {line.price_base_quantity} gives {computed}"
    )
    for meaning, reading in _READINGS:
        candidate = reading(line)
        if candidate != line and line_net(candidate, currency) == stated:
            return candidate, f"{described}; {meaning}"
    difference = round_money(stated, currency) - computed
    adjustment = LineAllowanceCharge(
        amount=abs(difference), is_charge=difference > 0, reason=ADJUSTMENT_REASON
    )
    kind = "charge" if adjustment.is_charge else "allowance"
    return replace(line, allowances=line.allowances + (adjustment,)), (
        f"{described}; the difference is kept as a line {kind} of {abs(difference)}"
    )


def reconcile_rounding(doc: InvoiceDocument) -> InvoiceDocument:
    """Keep a file's amount due when it differs from ours by less than one unit (BT-114).

    Some files round their VAT to whole units (HUF invoices, for one): EN 16931 computes the
    VAT as base x rate rounded to the cent (BR-CO-17) and tolerates the file's value within
    one unit, and its way to reach a rounded amount due is the rounding amount (BT-114). So
    our VAT stays the exact one, and the difference becomes the rounding amount.
    """
    stated = doc.stated
    if stated is None or stated.due is None or stated.rounding:
        return doc
    totals = compute(doc)
    difference = stated.due - totals.due
    if difference == 0 or abs(difference) >= 1:
        return doc
    warning = (
        f"the file states an amount due of {stated.due}, the VAT computed by EN 16931 gives "
        f"{totals.due}; the difference of {difference} is kept as the rounding amount"
    )
    return replace(
        doc, rounding=doc.rounding + difference, warnings=doc.warnings + (warning,)
    )
