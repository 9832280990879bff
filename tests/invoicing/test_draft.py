import json
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from invoicer.invoicing.draft import (
    MAX_REFERENCE_LENGTH,
    PROBLEM_MESSAGES,
    Problem,
    draft_view,
    finalisation_problems,
    read_draft,
)


def a_line(id="l1", **values):
    line = {"id": id, "description": "Consulting", "quantity": "2", "unit_price": "100.00",
            "vat_rate": "20", "discount": "", "unit": "HUR"}
    line.update(values)
    return line


def a_draft(*lines, **meta):
    header = {"customer_id": "c1", "currency": "EUR", "issue_date": "2026-03-01",
              "due_date": "2026-03-31", "reference": "PO-7", "language": "fr"}
    header.update(meta)
    return {"meta": header, "notes": "Merci", "lines": list(lines)}


def fields(problems):
    return [(p.line, p.field) for p in problems]


def test_a_complete_draft_reads_into_typed_values():
    draft = read_draft(a_draft(a_line(), a_line("l2", quantity="1,5", unit_price="10",
                                                vat_rate="5.5", discount="10")))
    assert draft.problems == []
    assert draft.meta.customer_id == "c1"
    assert draft.meta.issue_date == date(2026, 3, 1)
    assert draft.meta.language == "fr"
    assert draft.notes == "Merci"
    second = draft.lines[1]
    assert (second.quantity, second.discount, second.quantity_text) == (
        Decimal("1.5"), Decimal(10), "1,5"
    )
    assert second.vat_category == "S"
    assert [line.net for line in draft.lines] == [Decimal("200.00"), Decimal("13.50")]
    assert draft.totals.net == Decimal("213.50")
    assert finalisation_problems(draft) == []


def test_a_value_that_does_not_parse_is_a_problem_and_the_rest_still_counts():
    draft = read_draft(a_draft(a_line(), a_line("l2", quantity="abc")))
    assert draft.problems == [Problem(2, "l2", "quantity", "«abc» is not a number")]
    assert draft.problems[0].text() == "Line 2, quantity: «abc» is not a number"
    assert draft.lines[1].net is None
    assert draft.totals.net == Decimal("200.00")
    assert [line.id for line in draft.totals.lines] == ["l1"]


def test_defaults_and_required_values():
    draft = read_draft(a_draft(a_line(quantity="", discount=None, vat_rate=" ")))
    assert fields(draft.problems) == [(1, "quantity"), (1, "vat_rate")]
    assert draft.lines[0].discount == Decimal(0)
    assert all(p.message == "a number is required" for p in draft.problems)


def test_out_of_range_rate_and_discount():
    draft = read_draft(a_draft(a_line(vat_rate="120"), a_line("l2", discount="-5")))
    assert fields(draft.problems) == [(1, "vat_rate"), (2, "discount")]


def test_an_empty_document_is_a_valid_empty_draft():
    draft = read_draft({})
    assert draft.problems == []
    assert draft.meta.currency == "EUR"
    assert draft.totals.to_dict()["gross"] == "0.00"
    assert fields(finalisation_problems(draft)) == [(None, "customer_id"), (None, "lines")]


def test_header_problems():
    draft = read_draft(a_draft(currency="EURO", issue_date="2026-02-30",
                               due_date="tomorrow", customer_id=12.5))
    assert fields(draft.problems) == [
        (None, "customer_id"), (None, "currency"), (None, "issue_date"), (None, "due_date")
    ]
    assert draft.meta.currency == "EURO"
    assert draft.totals.currency == "EUR"
    view = draft_view(draft)
    assert (view["issue_date"], view["due_date"]) == ("2026-02-30", "tomorrow")


def test_currency_code_is_read_in_capitals():
    draft = read_draft(a_draft(a_line(quantity="3", unit_price="1.125"), currency=" kwd"))
    assert draft.meta.currency == "KWD"
    assert draft_view(draft)["lines"][0]["net"] == "3.375"


def test_due_date_before_issue_date():
    draft = read_draft(a_draft(issue_date="2026-03-10", due_date="2026-03-01"))
    assert fields(draft.problems) == [(None, "due_date")]


def test_numbers_from_a_javascript_client_are_accepted():
    draft = read_draft(a_draft(a_line(quantity=3, unit_price=0.1, vat_rate=20)))
    assert draft.problems == []
    assert draft.lines[0].net == Decimal("0.30")


def test_zero_rate_means_zero_rated_and_categories_may_be_given():
    draft = read_draft(a_draft(
        a_line(vat_rate="0"),
        a_line("l2", vat_rate="0", vat_category="ae"),
        a_line("l3", vat_rate="20", vat_category="K"),
        a_line("l4", vat_rate="0", vat_category="Q"),
        a_line("l5", vat_rate="0", vat_category="S"),
        a_line("l6", vat_rate="10", vat_category=" "),
    ))
    assert [line.vat_category for line in draft.lines] == ["Z", "AE", "K", None, "S", "S"]
    assert fields(draft.problems) == [(3, "vat_rate"), (4, "vat_category"), (5, "vat_rate")]
    assert [row.category for row in draft.totals.vat_breakdown] == ["AE", "S", "Z"]


def test_finalisation_names_the_line_and_the_field():
    draft = read_draft(a_draft(a_line(), a_line("l2", description="  ", unit_price="1.2.3"),
                               customer_id=None))
    problems = finalisation_problems(draft)
    assert [p.text() for p in problems] == [
        "Line 2, unit_price: «1.2.3» is not a number",
        "customer_id: choose a customer",
        "Line 2, description: describe the line",
    ]


def test_missing_issue_date_does_not_block_finalisation():
    draft = read_draft(a_draft(a_line(), issue_date=None, due_date=None))
    assert finalisation_problems(draft) == []


def test_draft_view_is_the_api_shape():
    view = draft_view(read_draft(a_draft(a_line(), a_line("l2", quantity="x"))))
    assert json.loads(json.dumps(view)) == view
    assert view["lines"][0] == {
        "id": "l1", "description": "Consulting", "quantity": "2", "unit_price": "100.00",
        "vat_rate": "20", "discount": "0", "unit": "HUR", "vat_category": "S",
        "exemption_reason": None, "net": "200.00",
    }
    assert view["lines"][1]["quantity"] == "x"
    assert view["lines"][1]["net"] is None
    assert view["totals"]["vat_breakdown"] == [
        {"category": "S", "rate": "20", "base": "200.00", "amount": "40.00",
         "exemption_reason": None}
    ]
    assert (view["totals"]["net"], view["totals"]["vat"], view["totals"]["gross"]) == (
        "200.00", "40.00", "240.00"
    )
    assert view["problems"][0]["field"] == "quantity"
    assert view["issue_date"] == "2026-03-01"


def test_lines_without_id_still_get_their_net():
    draft = read_draft({"lines": [a_line(id=None), a_line(id=None, unit_price="50")]})
    assert [line.net for line in draft.lines] == [Decimal("200.00"), Decimal("100.00")]
    assert draft.totals.net == Decimal("300.00")


def test_lines_sharing_an_id_keep_their_own_net():
    draft = read_draft({"lines": [a_line(), a_line(unit_price="1")]})
    assert [line.net for line in draft.lines] == [Decimal("200.00"), Decimal("2.00")]


def test_wrong_shapes_are_problems_not_errors():
    assert fields(read_draft([]).problems) == [(None, "document")]
    assert fields(read_draft({"meta": "x", "lines": {}, "notes": 3}).problems) == [
        (None, "meta"), (None, "notes"), (None, "lines")
    ]
    assert fields(read_draft({"lines": ["x", None]}).problems) == [(1, "line"), (2, "line")]


# -- garbage never raises ---------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=12,
)
number_texts = st.one_of(
    json_values,
    st.sampled_from(["", " ", "1e5", "NaN", "-Infinity", "1,5", "12.50", "-3", "0", "100",
                     "99999999999999", "0.0000001", "١", "1 000", "--1", ".", "20", "5.5"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
garbage_lines = st.fixed_dictionaries(
    {},
    optional={key: number_texts for key in (
        "id", "description", "quantity", "unit_price", "vat_rate", "discount", "unit",
        "vat_category", "exemption_reason")},
)
garbage_meta = st.fixed_dictionaries(
    {},
    optional={key: st.one_of(json_values, st.sampled_from(
        ["EUR", "jpy", "XXX", "2026-01-01", "2026-13-01", "20260101"]))
        for key in ("customer_id", "currency", "issue_date", "due_date", "reference",
                    "language")},
)
garbage_drafts = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={
        "meta": st.one_of(garbage_meta, json_values),
        "notes": json_values,
        "lines": st.one_of(st.lists(st.one_of(garbage_lines, json_values), max_size=5),
                           json_values),
    }),
)


@settings(max_examples=300, deadline=None)
@given(garbage_drafts)
def test_reading_garbage_never_raises(data):
    draft = read_draft(data)
    view = draft_view(draft)
    json.dumps(view)
    problems = finalisation_problems(draft)
    assert len(problems) >= len(draft.problems)
    valid = [line for line in draft.lines if line.valid]
    assert draft.totals.net == sum((line.net for line in valid), Decimal(0))
    for line in draft.lines:
        assert line.valid == (line.net is not None)


def test_a_line_too_large_for_any_invoice_is_a_problem_not_a_total():
    draft = read_draft({"meta": {"currency": "EUR"}, "lines": [
        {"id": "a", "description": "x", "quantity": "999999999999",
         "unit_price": "999999999999.99", "vat_rate": "20"},
        {"id": "b", "description": "y", "quantity": "1", "unit_price": "10", "vat_rate": "20"},
    ]})
    assert [(p.line, p.field) for p in draft.problems] == [(1, "unit_price")]
    assert str(draft.totals.gross) == "12.00"


# -- codes: every problem can be said in the reader's language --------------------------------


def test_each_problem_has_a_stable_code_and_the_params_of_its_message():
    draft = read_draft(a_draft(a_line(quantity="abc", unit_price=""), a_line("l2", vat_rate="120"),
                               currency="EURO"))
    coded = [(p.field, p.code, dict(p.params)) for p in draft.problems]
    assert coded == [
        ("currency", "not_a_currency", {"value": "EURO"}),
        ("quantity", "not_a_number", {"value": "abc"}),
        ("unit_price", "number_required", {}),
        ("vat_rate", "not_a_vat_rate", {"rate": "120"}),
    ]
    # The English message is the code's, with its params.
    for problem in draft.problems:
        assert problem.message == PROBLEM_MESSAGES[problem.code].format(**problem.params)


def test_the_api_shape_of_a_problem_carries_its_code_and_params():
    view = draft_view(read_draft(a_draft(a_line(quantity="1.1234567"))))
    assert view["problems"] == [{
        "line": 1, "line_id": "l1", "field": "quantity", "code": "too_many_decimals",
        "params": {"value": "1.1234567", "places": "6"},
        "message": "«1.1234567» has more than 6 decimals",
        "text": "Line 1, quantity: «1.1234567» has more than 6 decimals",
    }]


def test_finalisation_problems_have_codes_too():
    draft = read_draft(a_draft(a_line(description=""), customer_id=None))
    assert [(p.field, p.code) for p in finalisation_problems(draft)] == [
        ("customer_id", "customer_required"), ("description", "description_required")]
    assert [p.code for p in finalisation_problems(read_draft(a_draft()))] == ["lines_required"]


def test_a_problem_made_with_a_message_only_is_unspecified():
    legal = Problem(None, None, "seller.legal_id", "The seller's SIREN is missing.")
    assert legal.code == "unspecified" and legal.to_dict()["params"] == {}


def test_every_problem_code_has_a_message_whose_placeholders_its_params_fill():
    draft = read_draft({"meta": {"currency": 3, "issue_date": 5, "customer_id": [1],
                                 "reference": 7, "due_date": "2026-01-01",
                                 "language": None},
                        "notes": 4, "lines": [None, a_line(unit=3, description=5, quantity=True,
                                                           vat_category="X", discount="150")],
                        "charges": [3, {"amount": "x", "vat_rate": "5", "vat_category": "K"}],
                        "payment": {"prepaid": "y"}})
    assert {p.code for p in draft.problems} >= {
        "currency_not_text", "date_not_text", "not_an_identifier", "not_text", "notes_not_text",
        "line_not_object", "unit_not_code", "description_not_text", "number_as_text",
        "not_a_vat_category", "discount_out_of_range", "charge_not_object", "not_a_number",
    }
    for problem in draft.problems:
        assert problem.code in PROBLEM_MESSAGES
        assert problem.message == PROBLEM_MESSAGES[problem.code].format(**problem.params)


def test_a_reference_longer_than_the_api_allows_is_a_problem():
    assert read_draft(a_draft(reference="R" * MAX_REFERENCE_LENGTH)).problems == []
    draft = read_draft(a_draft(a_line(), reference="R" * (MAX_REFERENCE_LENGTH + 1)))
    assert [(p.field, p.code, dict(p.params)) for p in draft.problems] == [
        ("reference", "too_long", {"max": "100"})]
    assert draft.problems[0].message == "is longer than 100 characters"
    assert [p.field for p in finalisation_problems(draft)] == ["reference"]


def test_document_charges_are_checked_like_lines():
    draft = read_draft(a_draft(a_line()) | {"charges": [
        {"id": "c1", "is_charge": "True", "amount": "", "vat_rate": "20"},
        {"id": "c2", "is_charge": "True", "amount": "5", "vat_rate": "20", "vat_category": "K"},
        {"id": "c3", "is_charge": "False", "amount": "2", "vat_rate": "-1"},
        {"id": "c4", "is_charge": "True", "amount": "10", "vat_rate": "20"},
    ]})
    assert [(p.field, p.code) for p in draft.problems] == [
        ("charges.1.amount", "number_required"),
        ("charges.2.vat_rate", "category_at_zero"),
        ("charges.3.vat_rate", "not_a_vat_rate"),
    ]
    assert [charge.amount for charge in draft.charges] == [Decimal(10)]
