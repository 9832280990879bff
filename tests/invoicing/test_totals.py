from decimal import Decimal as D

import pytest

from invoicer.invoicing.money import CurrencyError
from invoicer.invoicing.totals import (
    VAT_CATEGORY_MENTIONS,
    AllowanceCharge,
    LineInput,
    VatBreakdown,
    compute_totals,
    vat_mention,
)


def line(id, quantity, price, rate, **extra):
    return LineInput(id, D(quantity), D(price), D(rate), **extra)


# -- the cases of issue #3, each a mistake other invoicing systems made -----------------------


def test_vat_is_computed_on_the_summed_base_not_per_line():
    totals = compute_totals([line("a", "1", "55.55", "23"), line("b", "1", "11.11", "23")], "EUR")
    # Rounding each line's VAT (12.78 + 2.56) would give 15.34.
    assert totals.net == D("66.66")
    assert totals.vat == D("15.33")
    assert totals.gross == D("81.99")
    assert totals.to_dict()["gross"] == "81.99"


def test_line_allowance_comes_before_the_tax():
    totals = compute_totals([line("a", "3", "45.00", "21", allowances=(D("60.00"),))], "EUR")
    assert totals.lines[0].net == D("75.00")
    assert totals.vat_breakdown == (VatBreakdown("S", D("21"), D("75.00"), D("15.75")),)
    assert totals.vat == D("15.75")
    assert totals.gross == D("90.75")


def test_jpy_line_nets_add_up_to_the_net_shown():
    totals = compute_totals([line("a", "1", "100.5", "10"), line("b", "1", "100.5", "10")], "JPY")
    assert [t.net for t in totals.lines] == [D("101"), D("101")]
    assert totals.net == D("202")
    shown = totals.to_dict()
    assert [row["net"] for row in shown["lines"]] == ["101", "101"]
    assert shown["net"] == "202"


def test_kwd_keeps_three_decimals():
    totals = compute_totals([line("a", "3", "1.125", "0", vat_category="Z")], "KWD")
    assert totals.net == D("3.375")
    shown = totals.to_dict()
    assert shown["net"] == "3.375"
    assert shown["lines"] == [{"id": "a", "net": "3.375"}]
    assert shown["vat"] == "0.000"


def test_positive_and_negative_lines():
    totals = compute_totals([line("a", "1", "200.00", "20"), line("b", "1", "-100.00", "20")],
                            "EUR")
    assert (totals.net, totals.vat, totals.gross) == (D("100.00"), D("20.00"), D("120.00"))


def test_credit_note_mirrors_the_invoice_it_corrects():
    lines = [line("a", "1", "200.00", "20"), line("b", "1", "-100.00", "20")]
    credited = [line(x.id, -x.quantity, x.unit_price, x.vat_rate) for x in lines]
    invoice, credit = compute_totals(lines, "EUR"), compute_totals(credited, "EUR")
    assert (credit.net, credit.vat, credit.gross) == (D("-100.00"), D("-20.00"), D("-120.00"))
    assert invoice.gross + credit.gross == 0


# -- line nets --------------------------------------------------------------------------------


def test_line_discount_is_a_percentage_of_the_price():
    totals = compute_totals([line("a", "2", "19.99", "20", discount=D("15"))], "EUR")
    assert totals.lines[0].net == D("33.98")  # 39.98 x 0.85 = 33.983


def test_line_charges_are_added_after_rounding_the_price():
    totals = compute_totals(
        [line("a", "3", "0.333", "20", allowances=(D("0.10"),), charges=(D("1.50"),))], "EUR"
    )
    assert totals.lines[0].net == D("2.40")  # round(0.999) - 0.10 + 1.50


def test_price_base_quantity_divides_the_price():
    totals = compute_totals([line("a", "250", "12.00", "20", price_base_quantity=D("100"))],
                            "EUR")
    assert totals.lines[0].net == D("30.00")


def test_no_line_gives_zero_totals():
    totals = compute_totals([], "JPY")
    assert totals.to_dict() == {
        "currency": "JPY", "net": "0", "allowance_total": "0", "charge_total": "0",
        "tax_basis": "0", "vat": "0", "gross": "0", "prepaid": "0", "rounding": "0", "due": "0",
        "lines": [], "vat_breakdown": [],
    }


# -- breakdown, allowances, charges, amounts due ----------------------------------------------


def test_breakdown_groups_by_category_and_rate_sorted():
    totals = compute_totals(
        [
            line("a", "1", "100", "20"),
            line("b", "1", "50", "5.5"),
            line("c", "1", "10", "20.00"),
            line("d", "1", "30", "0", vat_category="E", exemption_reason="Formation"),
            line("e", "1", "40", "0", vat_category="AE"),
        ],
        "EUR",
    )
    rows = [(r.category, str(r.rate), str(r.base), str(r.amount)) for r in totals.vat_breakdown]
    assert rows == [
        ("AE", "0", "40.00", "0.00"),
        ("E", "0", "30.00", "0.00"),
        ("S", "5.5", "50.00", "2.75"),
        ("S", "20", "110.00", "22.00"),
    ]
    assert totals.vat_breakdown[1].exemption_reason == "Formation"
    assert totals.vat == D("24.75")
    rates = [row["rate"] for row in totals.to_dict()["vat_breakdown"]]
    assert rates == ["0", "0", "5.5", "20"]


def test_document_allowances_and_charges_change_the_base_of_their_rate():
    totals = compute_totals(
        [line("a", "1", "100.00", "20"), line("b", "1", "100.00", "10")],
        "EUR",
        allowances=[AllowanceCharge(D("10.00"), "S", D("20"), reason="Loyalty")],
        charges=[AllowanceCharge(D("5.00"), "S", D("10"), reason="Freight")],
    )
    assert totals.net == D("200.00")
    assert totals.allowance_total == D("10.00")
    assert totals.charge_total == D("5.00")
    assert totals.tax_basis == D("195.00")
    bases = {str(r.rate): (r.base, r.amount) for r in totals.vat_breakdown}
    assert bases == {"10": (D("105.00"), D("10.50")), "20": (D("90.00"), D("18.00"))}
    assert totals.gross == D("223.50")


def test_allowance_list_may_hold_charges_marked_as_such():
    mixed = [
        AllowanceCharge(D("10"), "S", D("20")),
        AllowanceCharge(D("4"), "S", D("20"), is_charge=True),
    ]
    totals = compute_totals([line("a", "1", "100", "20")], "EUR", allowances=mixed)
    assert (totals.allowance_total, totals.charge_total) == (D("10.00"), D("4.00"))
    assert totals.tax_basis == D("94.00")


def test_prepaid_and_rounding_give_the_amount_due():
    totals = compute_totals([line("a", "1", "99.99", "20")], "EUR", prepaid=D("50"),
                            rounding=D("0.01"))
    assert totals.gross == D("119.99")
    assert totals.due == D("70.00")
    shown = totals.to_dict()
    assert (shown["prepaid"], shown["rounding"], shown["due"]) == ("50.00", "0.01", "70.00")


def test_negative_zero_is_shown_as_zero():
    totals = compute_totals([line("a", "1", "-0.001", "20")], "EUR")
    assert totals.to_dict()["net"] == "0.00"


# -- categories and their mentions ------------------------------------------------------------


@pytest.mark.parametrize("category", ["Z", "E", "AE", "K", "G", "O"])
def test_categories_without_vat_refuse_a_rate(category):
    with pytest.raises(ValueError, match=f"category {category} is at 0 %"):
        line("a", "1", "1", "20", vat_category=category)


def test_unknown_category_and_negative_rate_are_refused():
    with pytest.raises(ValueError, match="UNCL5305"):
        line("a", "1", "1", "0", vat_category="X")
    with pytest.raises(ValueError, match="negative"):
        line("a", "1", "1", "-5")
    with pytest.raises(ValueError, match="price base quantity"):
        line("a", "1", "1", "20", price_base_quantity=D(0))


def test_canary_islands_category_carries_its_rate():
    totals = compute_totals([line("a", "1", "100", "7", vat_category="L")], "EUR")
    assert totals.vat == D("7.00")


def test_unknown_currency_is_refused():
    with pytest.raises(CurrencyError):
        compute_totals([], "EURO")


@pytest.mark.parametrize(
    ("category", "fr", "en"),
    [
        ("AE", "Autoliquidation", "Reverse charge"),
        ("K", "Exonération de TVA, article 262 ter I du CGI", "VAT exempt intra-community supply"),
        ("G", "Exonération de TVA, article 262 I du CGI", "VAT exempt export outside the EU"),
        ("E", "TVA non applicable, art. 293 B du CGI", None),
    ],
)
def test_each_category_without_vat_has_its_mention(category, fr, en):
    assert VAT_CATEGORY_MENTIONS[category]["fr"] == fr
    assert vat_mention(category, "fr") == fr
    if en:
        assert vat_mention(category, "en_GB") == en
    assert set(VAT_CATEGORY_MENTIONS) == {"E", "AE", "K", "G", "O"}


def test_a_given_exemption_reason_replaces_the_default_mention():
    totals = compute_totals(
        [line("a", "1", "10", "0", vat_category="E", exemption_reason="Art. 261-4-4° du CGI")],
        "EUR",
    )
    assert totals.vat_breakdown[0].mention("en") == "Art. 261-4-4° du CGI"
    assert vat_mention("S") is None


def test_inputs_are_coerced_to_decimal_and_floats_refused():
    converted = LineInput("a", 2, "1.10", 20, allowances=("0.20",))
    assert converted.quantity == D(2) and converted.unit_price == D("1.10")
    assert compute_totals([converted], "EUR").net == D("2.00")
    with pytest.raises(TypeError, match="not 0.1"):
        LineInput("a", 1, 0.1, 20)
    with pytest.raises(ValueError, match="must be a number"):
        LineInput("a", "abc", 1, 20)
    with pytest.raises(ValueError, match="finite"):
        AllowanceCharge(D("Infinity"), "S", D(20))
