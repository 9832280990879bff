"""The EN 16931 business rules on totals (BR-CO-*), for any lines, rates and currencies."""

from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from invoicer.invoicing.money import minor_units, round_money
from invoicer.invoicing.totals import AllowanceCharge, LineInput, compute_totals

CURRENCIES = ["EUR", "JPY", "KWD", "HUF"]
RATES = ["20", "10", "5.5", "2.1", "21", "23", "7", "19", "8.5"]

examples = settings(max_examples=200, deadline=None)


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places,
                       allow_nan=False, allow_infinity=False)


@st.composite
def vat(draw: st.DrawFn) -> tuple[str, Decimal]:
    category = draw(st.sampled_from(["S", "S", "S", "Z", "E", "AE", "K", "G", "O", "L"]))
    if category in {"S", "L"}:
        return category, Decimal(draw(st.sampled_from(RATES)))
    return category, Decimal(0)


@st.composite
def lines(draw: st.DrawFn) -> LineInput:
    category, rate = draw(vat())
    return LineInput(
        id=str(draw(st.integers(0, 10**6))),
        quantity=draw(decimals("-1000", "1000", 3)),
        unit_price=draw(decimals("-100000", "100000", 4)),
        vat_rate=rate,
        discount=draw(st.one_of(st.just(Decimal(0)), decimals("0", "100", 2))),
        vat_category=category,
        allowances=tuple(draw(st.lists(decimals("0", "500", 2), max_size=2))),
        charges=tuple(draw(st.lists(decimals("0", "500", 2), max_size=2))),
        price_base_quantity=draw(st.sampled_from([Decimal(1), Decimal(1), Decimal(12)])),
    )


@st.composite
def document_amounts(draw: st.DrawFn, is_charge: bool) -> AllowanceCharge:
    category, rate = draw(vat())
    return AllowanceCharge(draw(decimals("0", "1000", 3)), category, rate, is_charge=is_charge)


invoices = st.fixed_dictionaries({
    "lines": st.lists(lines(), max_size=8),
    "currency": st.sampled_from(CURRENCIES),
    "allowances": st.lists(document_amounts(False), max_size=2),
    "charges": st.lists(document_amounts(True), max_size=2),
    "prepaid": decimals("0", "5000", 3),
    "rounding": decimals("-0.5", "0.5", 2),
})


def compute(invoice: dict) -> object:
    return compute_totals(
        invoice["lines"], invoice["currency"], allowances=invoice["allowances"],
        charges=invoice["charges"], prepaid=invoice["prepaid"], rounding=invoice["rounding"],
    )


def has_currency_digits(value: Decimal, currency: str) -> bool:
    return value.as_tuple().exponent == -minor_units(currency)


@examples
@given(invoices)
def test_business_rules_on_totals(invoice):
    totals = compute(invoice)
    currency = invoice["currency"]
    # BR-CO-10: the sum of the line nets is the invoice net.
    assert totals.net == sum((line.net for line in totals.lines), Decimal(0))
    # BR-CO-11, BR-CO-12: sums of the document allowances and charges.
    assert totals.allowance_total == sum(
        (round_money(item.amount, currency) for item in invoice["allowances"]), Decimal(0)
    )
    assert totals.charge_total == sum(
        (round_money(item.amount, currency) for item in invoice["charges"]), Decimal(0)
    )
    # BR-CO-13: the tax basis.
    assert totals.tax_basis == totals.net - totals.allowance_total + totals.charge_total
    # BR-CO-14: the invoice VAT is the sum of the VAT per category.
    assert totals.vat == sum((row.amount for row in totals.vat_breakdown), Decimal(0))
    # BR-CO-15: total with VAT.
    assert totals.gross == totals.tax_basis + totals.vat
    # BR-CO-16: amount due.
    assert totals.due == totals.gross - totals.prepaid + totals.rounding
    for amount in (totals.net, totals.tax_basis, totals.vat, totals.gross, totals.due,
                   *(line.net for line in totals.lines)):
        assert has_currency_digits(amount, currency)


@examples
@given(invoices)
def test_vat_per_category_is_the_rounded_base_times_rate(invoice):
    totals = compute(invoice)
    currency = invoice["currency"]
    bases: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for line, line_total in zip(invoice["lines"], totals.lines):
        bases[line.vat_category, line.vat_rate] += line_total.net
    for item in invoice["allowances"]:
        bases[item.vat_category, item.vat_rate] -= round_money(item.amount, currency)
    for item in invoice["charges"]:
        bases[item.vat_category, item.vat_rate] += round_money(item.amount, currency)

    assert {(row.category, row.rate): row.base for row in totals.vat_breakdown} == bases
    for row in totals.vat_breakdown:
        # BR-CO-17 and BR-S-08: VAT = base x rate, rounded once per category and rate.
        assert row.amount == round_money(row.base * row.rate / 100, currency)
        if row.category not in {"S", "L", "M"}:
            assert row.rate == 0 and row.amount == 0
    keys = [(row.category, row.rate) for row in totals.vat_breakdown]
    assert keys == sorted(keys)


@examples
@given(invoices)
def test_shown_amounts_read_back_as_the_amounts(invoice):
    totals = compute(invoice)
    shown = totals.to_dict()
    digits = minor_units(invoice["currency"])
    for key in ("net", "allowance_total", "charge_total", "tax_basis", "vat", "gross", "due"):
        assert Decimal(shown[key]) == getattr(totals, key)
        assert len(shown[key].partition(".")[2]) == digits
    # What is shown per line adds up to what is shown in total.
    assert sum((Decimal(line["net"]) for line in shown["lines"]), Decimal(0)) == Decimal(
        shown["net"]
    )


@examples
@given(st.lists(lines(), max_size=8), st.sampled_from(CURRENCIES))
def test_a_full_credit_note_cancels_its_invoice_exactly(invoice_lines, currency):
    credited = [
        LineInput(line.id, -line.quantity, line.unit_price, line.vat_rate, line.discount,
                  line.vat_category, None, tuple(-a for a in line.allowances),
                  tuple(-c for c in line.charges), line.price_base_quantity)
        for line in invoice_lines
    ]
    invoice, credit = compute_totals(invoice_lines, currency), compute_totals(credited, currency)
    assert credit.net == -invoice.net
    assert credit.vat == -invoice.vat
    assert credit.gross == -invoice.gross
