"""The life cycle of an invoice, from draft to paid or cancelled.

A draft (and a draft in review) can be edited and carries no number, so deleting one never
leaves a hole. Finalising gives it its number and makes it immutable: from then on only its
status moves, and a correction is a credit note.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["Status", "TRANSITIONS", "can_transition", "is_closed", "is_editable", "is_final"]


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    FINALISED = "finalised"
    SENT = "sent"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


_S = Status
_UNPAID = frozenset({_S.PARTLY_PAID, _S.PAID, _S.OVERDUE, _S.CANCELLED})

TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    _S.DRAFT: frozenset({_S.IN_REVIEW, _S.FINALISED}),
    _S.IN_REVIEW: frozenset({_S.DRAFT, _S.APPROVED, _S.FINALISED}),
    # Reopening an approved draft sends it back to editing (and to a new approval).
    _S.APPROVED: frozenset({_S.DRAFT, _S.FINALISED}),
    _S.FINALISED: _UNPAID | {_S.SENT},
    _S.SENT: _UNPAID,
    _S.PARTLY_PAID: frozenset({_S.PAID, _S.OVERDUE, _S.CANCELLED}),
    _S.OVERDUE: frozenset({_S.PARTLY_PAID, _S.PAID, _S.CANCELLED}),
    _S.PAID: frozenset(),
    _S.CANCELLED: frozenset(),
}

_EDITABLE = frozenset({_S.DRAFT, _S.IN_REVIEW})
_NOT_ISSUED = frozenset({_S.DRAFT, _S.IN_REVIEW, _S.APPROVED})


def _status(value: Status | str) -> Status | None:
    try:
        return Status(value)
    except ValueError:
        return None


def can_transition(current: Status | str, target: Status | str) -> bool:
    """Whether an invoice may move from `current` to `target` (unknown statuses: no)."""
    source, destination = _status(current), _status(target)
    if source is None or destination is None:
        return False
    return destination in TRANSITIONS[source]


def is_editable(status: Status | str) -> bool:
    """Only a draft, or a draft in review, can be edited."""
    return _status(status) in _EDITABLE


def is_final(status: Status | str) -> bool:
    """Whether the invoice has been finalised: numbered, immutable, never deleted."""
    known = _status(status)
    return known is not None and known not in _NOT_ISSUED


def is_closed(status: Status | str) -> bool:
    """Whether nothing more can happen to the invoice (paid or cancelled)."""
    known = _status(status)
    return known is not None and not TRANSITIONS[known]
