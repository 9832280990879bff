"""What storage refuses, as exceptions the server maps to HTTP statuses.

    StorageError
     +-- NotFound              the row does not exist in this organisation (404)
     +-- Conflict              the row is not in a state that allows it (409)
     |    +-- AlreadyFinal     the invoice is no longer a draft
     |    +-- IdempotencyConflict  the key was used for another invoice
     +-- Invalid               a value is refused; `field` names it (422)
     +-- DraftRejected         the draft cannot be finalised; `problems` say why (422)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AlreadyFinal",
    "Conflict",
    "DraftRejected",
    "IdempotencyConflict",
    "Invalid",
    "NotFound",
    "StorageError",
    "Tampered",
]


class StorageError(Exception):
    code = "storage_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(StorageError):
    code = "not_found"


class Conflict(StorageError):
    code = "conflict"


class Tampered(Conflict):
    """An issued invoice no longer matches its hash: nothing more is built on it."""

    code = "tampered"


class AlreadyFinal(Conflict):
    code = "already_final"

    def __init__(self, invoice_id: str, status: str, number: str | None) -> None:
        shown = f" as {number}" if number else ""
        super().__init__(f"invoice {invoice_id} is {status}{shown}, not an editable draft")
        self.status = status
        self.number = number


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"


class Invalid(StorageError):
    code = "invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class DraftRejected(StorageError):
    code = "invalid_draft"

    def __init__(self, problems: Sequence[Any]) -> None:
        texts = "; ".join(problem.text() for problem in problems)
        super().__init__(f"the draft cannot be finalised: {texts}")
        self.problems = list(problems)
