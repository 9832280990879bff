import pytest

from invoicer.invoicing.lifecycle import (
    Status,
    can_transition,
    is_closed,
    is_editable,
    is_final,
)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "in_review"), ("in_review", "approved"), ("approved", "finalised"),
        ("draft", "finalised"), ("in_review", "draft"), ("finalised", "sent"),
        ("sent", "partly_paid"), ("partly_paid", "paid"), ("sent", "overdue"),
        ("overdue", "paid"), ("sent", "cancelled"),
    ],
)
def test_allowed_transitions(current, target):
    assert can_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("finalised", "draft"), ("paid", "sent"), ("cancelled", "draft"), ("draft", "paid"),
        ("draft", "cancelled"), ("draft", "draft"), ("sent", "finalised"), ("draft", "nope"),
    ],
)
def test_refused_transitions(current, target):
    assert not can_transition(current, target)


def test_only_drafts_are_editable_and_finalised_invoices_are_final():
    assert {s for s in Status if is_editable(s)} == {Status.DRAFT, Status.IN_REVIEW}
    assert {s for s in Status if not is_final(s)} == {
        Status.DRAFT, Status.IN_REVIEW, Status.APPROVED
    }
    assert {s for s in Status if is_closed(s)} == {Status.PAID, Status.CANCELLED}
    assert not is_editable("garbage") and not is_final("garbage")


def test_a_final_invoice_never_goes_back_to_an_editable_status():
    for current in Status:
        for target in Status:
            if is_final(current) and can_transition(current, target):
                assert is_final(target)
