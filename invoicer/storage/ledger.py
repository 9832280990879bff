"""The hash chain of finalised invoices: the record each link hashes, and its verification.

Each organisation's finalised invoices form one chain in finalisation order (`chain_index`
1, 2, 3...): hash = chain_hash(previous hash, record), GENESIS before the first. The record
is rebuilt from the stored columns, so a row changed behind the application's back (raw
SQL, a restored backup) no longer matches its hash, and neither does the next link.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ..invoicing.chain import GENESIS, chain_hash
from .db import Database
from .models import INVOICE_TYPE, Invoice, InvoiceLine, NumberSequence, Organization
from .errors import Tampered

__all__ = [
    "ChainBreak", "ChainReport", "ChainState", "chain_state", "invoice_record", "last_link",
    "verify_chain",
]

# Columns added after the first links were made, with the value rows older than them hold:
# hashed only when they hold something else, so that earlier links keep verifying, while
# setting, changing or clearing one is still seen.
_LATER_COLUMNS: dict[str, Any] = {
    "type_code": INVOICE_TYPE, "corrects_id": None, "allowance_total": None,
    "charge_total": None, "tax_basis": None, "prepaid": None, "due": None, "charges": None,
    "payment": None, "exchange_rate": None, "delivery_date": None, "parties": None,
}


def invoice_record(invoice: Invoice, lines: list[InvoiceLine]) -> dict[str, Any]:
    """What the chain vouches for: identity, number, parties, dates, amounts and lines."""
    state = invoice.document_state or b""
    record: dict[str, Any] = {
        "org_id": invoice.org_id,
        "invoice_id": invoice.id,
        "chain_index": invoice.chain_index,
        "number": invoice.number,
        "sequence": [invoice.sequence_key, invoice.sequence_value],
        "customer_id": invoice.customer_id,
        "currency": invoice.currency,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "net": invoice.net,
        "vat": invoice.vat,
        "gross": invoice.gross,
        "vat_breakdown": invoice.vat_breakdown,
        "notes": invoice.notes,
        "finalised_at": invoice.finalised_at,
        "finalised_by": invoice.finalised_by,
        "document_sha256": hashlib.sha256(state).hexdigest(),
        "lines": [
            [line.position, line.line_key, line.description, line.unit, line.quantity,
             line.unit_price, line.vat_category, line.vat_rate, line.discount, line.net]
            + ([line.exemption_reason] if line.exemption_reason else [])
            for line in sorted(lines, key=lambda line: line.position)
        ],
    }
    for name, older in _LATER_COLUMNS.items():
        value = getattr(invoice, name)
        if value is not None and value != older:
            record[name] = value
    return record


def last_link(session: Session, org_id: str) -> tuple[int, str]:
    """(index, hash) of the organisation's last finalised invoice, (0, GENESIS) if none."""
    statement = (
        select(Invoice.chain_index, Invoice.hash)
        .where(Invoice.org_id == org_id, col(Invoice.chain_index).is_not(None))
        .order_by(col(Invoice.chain_index).desc())
        .limit(1)
    )
    row = session.exec(statement).first()
    if row is None:
        return 0, GENESIS
    return int(row[0]), str(row[1])


def content_problem(session: Session, invoice: Invoice) -> str | None:
    """Why an issued invoice no longer matches its own hash (None when it does)."""
    if invoice.hash is None or invoice.prev_hash is None:
        return None
    lines = list(session.exec(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
    ).all())
    if chain_hash(invoice.prev_hash, invoice_record(invoice, lines)) != invoice.hash:
        return (f"invoice {invoice.number} does not match its hash: it was changed after it "
                "was issued; run `invoicer verify` and restore it before going on")
    return None


def check_last_link(session: Session, org_id: str) -> None:
    """Refuse to extend a chain whose last link was altered: an auditor must see the break."""
    row = session.exec(
        select(Invoice)
        .where(Invoice.org_id == org_id, col(Invoice.chain_index).is_not(None))
        .order_by(col(Invoice.chain_index).desc())
        .limit(1)
    ).first()
    if row is not None and (problem := content_problem(session, row)) is not None:
        raise Tampered(problem)


@dataclass(frozen=True)
class ChainBreak:
    org_id: str
    invoice_id: str | None
    number: str | None
    chain_index: int | None
    reason: str

    def text(self) -> str:
        return (f"invoice {self.number or '?'} ({self.invoice_id}, link {self.chain_index}) "
                f"of organisation {self.org_id}: {self.reason}")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


@dataclass(frozen=True)
class ChainState:
    """An organisation's chain as the administration page shows it."""

    count: int  # links verified before the first break, or all of them
    length: int  # links in the chain
    last_hash: str
    last_number: str | None
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def chain_state(db: Database, org_id: str) -> ChainState:
    """Verify one organisation's chain and say where it ends."""
    with db.session() as session:
        length, last_hash = last_link(session, org_id)
        last_number = session.exec(
            select(Invoice.number).where(Invoice.org_id == org_id, Invoice.hash == last_hash)
        ).first() if length else None
        checked, broken = _verify_org(session, org_id)
    # `checked` counts the broken link itself.
    return ChainState(checked - 1 if broken else checked, length, last_hash, last_number,
                      broken)


def verify_chain(db: Database, org_id: str | None = None) -> ChainReport:
    """Recompute every link (of one organisation or all) and report the first mismatch."""
    checked = 0
    with db.session() as session:
        for org in _organisations(session, org_id):
            count, broken = _verify_org(session, org)
            checked += count
            if broken is not None:
                return ChainReport(checked, broken)
    return ChainReport(checked, None)


def _organisations(session: Session, org_id: str | None) -> list[str]:
    statement = select(Organization.id).order_by(Organization.id)
    if org_id is not None:
        statement = statement.where(Organization.id == org_id)
    return list(session.exec(statement).all())


def _verify_org(session: Session, org_id: str) -> tuple[int, ChainBreak | None]:
    invoices = session.exec(
        select(Invoice)
        .where(Invoice.org_id == org_id, col(Invoice.chain_index).is_not(None))
        .order_by(col(Invoice.chain_index))
    ).all()
    previous = GENESIS
    for expected_index, invoice in enumerate(invoices, start=1):
        reason = _link_problem(session, invoice, previous, expected_index)
        if reason is not None:
            return expected_index, ChainBreak(
                org_id, invoice.id, invoice.number, invoice.chain_index, reason
            )
        previous = invoice.hash or ""
    return len(invoices), _missing_tail(session, org_id, invoices)


def _missing_tail(session: Session, org_id: str, invoices: list[Invoice]) -> ChainBreak | None:
    """Links that were deleted from the end of the chain.

    Every number the sequences handed out went, in the same transaction, to a document linked
    into the chain; fewer links than numbers means documents were removed after issue (the
    links left still verify, so only this count shows it).
    """
    issued = sum(
        value - 1 for value in session.exec(
            select(NumberSequence.next_value).where(NumberSequence.org_id == org_id)
        ).all()
    )
    if issued <= len(invoices):
        return None
    last = invoices[-1] if invoices else None
    return ChainBreak(
        org_id, last.id if last else None, last.number if last else None,
        len(invoices) + 1,
        f"{issued - len(invoices)} issued document(s) missing after link {len(invoices)}"
        f"{f' ({last.number})' if last else ''}: the numbering issued {issued}",
    )


def _link_problem(
    session: Session, invoice: Invoice, previous: str, expected_index: int
) -> str | None:
    if invoice.chain_index != expected_index:
        return f"link {expected_index} is missing (found link {invoice.chain_index})"
    if invoice.prev_hash != previous:
        return "its previous hash is not the hash of the invoice before it"
    lines = list(session.exec(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
    ).all())
    if chain_hash(previous, invoice_record(invoice, lines)) != invoice.hash:
        return "its stored content does not match its hash (changed after finalisation)"
    return None
