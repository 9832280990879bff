"""Finalisation: a draft becomes a numbered, immutable invoice, in one transaction.

The steps, all or nothing: lock the organisation (its chain and its numbers), answer a
repeated request from its idempotency key, check the invoice may still be finalised, take
the next number of its sequence, store lines, totals and the final document, link the
invoice into the organisation's hash chain, and record the audit event.

Numbers are gapless and strictly increasing in finalisation order because one organisation's
finalisations run one at a time: on PostgreSQL the organisation and sequence rows are locked
(FOR NO KEY UPDATE: rows that merely reference them, such as new drafts and update log rows,
are not held up), on SQLite the write transaction starts with BEGIN IMMEDIATE (see db.py). A
failure rolls the sequence back with everything else, so no number is ever lost.

The issue date is the day of finalisation, so that issue dates follow the numbers as French
law requires; the payment term the draft had (due date minus issue date) is kept.

Before it commits, the invoice as it will be issued is given to the legal check the caller
supplies (the server's judges the French mentions with `invoicer.einvoice.legal`): a missing
mention refuses the finalisation like an invalid draft, and takes no number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlmodel import Session, select

from ..invoicing.chain import chain_hash
from ..invoicing.draft import Draft, Problem, finalisation_problems
from ..invoicing.lifecycle import Status, can_transition
from ..invoicing.money import to_plain
from ..invoicing.numbering import format_number, sequence_key
from ..invoicing.totals import AllowanceCharge, format_amount
from .audit import record_event
from .db import Database
from .errors import AlreadyFinal, DraftRejected, IdempotencyConflict, NotFound
from .issued import IssuedInvoice, LegalCheck, check_issued, party_snapshot
from .ledger import check_last_link, invoice_record, last_link
from .models import Customer, Invoice, InvoiceLine, NumberSequence, Organization, new_id, utcnow

__all__ = [
    "CREDIT_TRANSFER",
    "Actor",
    "FinalisedInvoice",
    "charge_record",
    "finalise_invoice",
    "issue",
    "lock_invoice",
    "lock_organisation",
    "next_sequence_value",
    "payment_terms",
]

DEFAULT_PAYMENT_DAYS = 30
CREDIT_TRANSFER = "58"  # UNTDID 4461: SEPA credit transfer
# Payment means keys of a draft's payment root -> keys of an issued invoice's means.
_MEANS_FIELDS = (("code", "means_code"), ("iban", "iban"), ("bic", "bic"),
                 ("account_name", "account_name"))


class Actor(Protocol):
    """Who acts: the authenticated user as the server knows it."""

    @property
    def id(self) -> str: ...

    @property
    def org_id(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class FinalisedInvoice:
    id: str
    org_id: str
    number: str
    currency: str
    issue_date: date
    due_date: date | None
    net: str
    vat: str
    gross: str
    hash: str
    finalised_at: datetime
    replayed: bool = False  # True when an earlier request with the same key did the work

    @classmethod
    def of(cls, invoice: Invoice, *, replayed: bool = False) -> FinalisedInvoice:
        assert invoice.number and invoice.issue_date and invoice.hash and invoice.finalised_at
        return cls(
            id=invoice.id, org_id=invoice.org_id, number=invoice.number,
            currency=invoice.currency, issue_date=invoice.issue_date,
            due_date=invoice.due_date, net=invoice.net, vat=invoice.vat,
            gross=invoice.gross, hash=invoice.hash, finalised_at=invoice.finalised_at,
            replayed=replayed,
        )


def finalise_invoice(
    db: Database,
    invoice_id: str,
    actor: Actor,
    draft: Draft,
    state: bytes,
    idempotency_key: str | None = None,
    *,
    ip: str | None = None,
    today: date | None = None,
    payment: Mapping[str, Any] | None = None,
    exchange_rate: str | None = None,
    delivery_date: date | None = None,
    check: LegalCheck | None = None,
) -> FinalisedInvoice:
    """Finalise the draft `invoice_id` of the actor's organisation (see the module doc).

    `payment` is the draft document's payment root (terms, means); `exchange_rate` the rate
    to the organisation's accounting currency; `delivery_date` the date of supply (default:
    the issue date); `check` judges the invoice about to be issued and refuses it
    (DraftRejected) with the legal problems it finds.
    """
    with db.transaction() as session:
        org = lock_organisation(session, actor.org_id)
        if idempotency_key:
            earlier = _by_idempotency_key(session, org.id, idempotency_key)
            if earlier is not None:
                return _replay(earlier, invoice_id, idempotency_key)
        invoice = lock_invoice(session, org.id, invoice_id)
        if not can_transition(invoice.status, Status.FINALISED):
            raise AlreadyFinal(invoice.id, invoice.status, invoice.number)
        customer = _check_draft(session, org.id, draft)

        day = today or datetime.now(UTC).date()
        lines = _fill_invoice(invoice, draft, state, actor, day)
        invoice.payment = payment_terms(payment or {}, org)
        invoice.exchange_rate = exchange_rate
        invoice.delivery_date = delivery_date or day
        invoice.parties = party_snapshot(org, customer)
        invoice.idempotency_key = idempotency_key or None
        issue(db, session, org, invoice, lines, day)
        check_issued(check, IssuedInvoice(org, customer, invoice, lines))

        session.add(invoice)
        session.add_all(lines)
        record_event(
            session, org_id=org.id, user_id=actor.id, action="invoice.finalise",
            target=invoice.id, ip=ip,
            detail={"number": invoice.number, "gross": invoice.gross,
                    "currency": invoice.currency, "exchange_rate": exchange_rate},
        )
        return FinalisedInvoice.of(invoice)


def issue(
    db: Database, session: Session, org: Organization, invoice: Invoice,
    lines: list[InvoiceLine], day: date,
) -> None:
    """Give the invoice (or credit note) the next number and link it into the chain.

    The caller holds the organisation's lock (`lock_organisation`) and has filled the
    invoice and its lines: the hash covers them.
    """
    key = sequence_key(org.number_pattern, day)
    value = next_sequence_value(db, session, org.id, key)
    invoice.sequence_key, invoice.sequence_value = key, value
    invoice.number = format_number(org.number_pattern, value, day)
    _link(session, invoice, lines)


def payment_terms(payment: Mapping[str, Any], org: Organization) -> dict[str, Any]:
    """What an issued invoice keeps of how to pay it: the draft's terms and means, else a
    credit transfer to the organisation's account."""
    means = []
    if payment.get("iban"):
        given = {key: str(payment.get(field) or "") for key, field in _MEANS_FIELDS}
        means.append({**given, "code": given["code"] or CREDIT_TRANSFER})
    elif org.iban:
        means.append({"code": CREDIT_TRANSFER, "iban": org.iban, "bic": org.bic,
                      "account_name": org.name})
    return {
        "terms": str(payment.get("terms") or ""),
        "reference": str(payment.get("reference") or ""),
        "means": means,
    }


def next_sequence_value(db: Database, session: Session, org_id: str, key: str) -> int:
    """Take the next value of the organisation's sequence `key`, locking its row."""
    db.insert_ignore(
        session, NumberSequence, {"id": new_id(), "org_id": org_id, "key": key,
                                  "next_value": 1},
        ["org_id", "key"],
    )
    sequence = session.exec(
        select(NumberSequence)
        .where(NumberSequence.org_id == org_id, NumberSequence.key == key)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()
    value = sequence.next_value
    sequence.next_value = value + 1
    session.add(sequence)
    return value


def lock_organisation(session: Session, org_id: str) -> Organization:
    org = session.exec(
        select(Organization)
        .where(Organization.id == org_id)
        .with_for_update(key_share=True)
    ).first()
    if org is None:
        raise NotFound(f"organisation {org_id} does not exist")
    return org


def lock_invoice(session: Session, org_id: str, invoice_id: str) -> Invoice:
    invoice = session.exec(
        select(Invoice)
        .where(Invoice.id == invoice_id, Invoice.org_id == org_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} does not exist")
    return invoice


def _by_idempotency_key(session: Session, org_id: str, key: str) -> Invoice | None:
    return session.exec(
        select(Invoice).where(Invoice.org_id == org_id, Invoice.idempotency_key == key)
    ).first()


def _replay(earlier: Invoice, invoice_id: str, key: str) -> FinalisedInvoice:
    if earlier.id != invoice_id:
        raise IdempotencyConflict(
            f"the Idempotency-Key {key!r} was used to finalise invoice {earlier.id}, "
            f"not {invoice_id}; send a new key for a new request"
        )
    return FinalisedInvoice.of(earlier, replayed=True)


def _check_draft(session: Session, org_id: str, draft: Draft) -> Customer:
    problems = finalisation_problems(draft)
    if problems:
        raise DraftRejected(problems)
    customer = session.get(Customer, draft.meta.customer_id)
    if customer is None or customer.org_id != org_id:
        raise DraftRejected([Problem(None, None, "customer_id", "no such customer")])
    return customer


def _fill_invoice(
    invoice: Invoice, draft: Draft, state: bytes, actor: Actor, day: date
) -> list[InvoiceLine]:
    meta, totals = draft.meta, draft.totals.to_dict()
    invoice.status = Status.FINALISED.value
    invoice.customer_id = meta.customer_id
    invoice.currency = meta.currency
    invoice.due_date = day + _payment_term(meta.issue_date, meta.due_date)
    invoice.issue_date = day
    invoice.reference = meta.reference
    invoice.language = meta.language or invoice.language
    invoice.notes = draft.notes
    invoice.net, invoice.vat, invoice.gross = (str(totals[k]) for k in ("net", "vat", "gross"))
    invoice.allowance_total, invoice.charge_total, invoice.tax_basis = (
        str(totals[k]) for k in ("allowance_total", "charge_total", "tax_basis")
    )
    invoice.prepaid, invoice.due = str(totals["prepaid"]), str(totals["due"])
    invoice.vat_breakdown = list(totals["vat_breakdown"])  # type: ignore[call-overload]
    invoice.charges = [charge_record(item, meta.currency) for item in draft.charges]
    invoice.document_state = bytes(state)
    now = utcnow()
    invoice.finalised_at = invoice.updated_at = now
    invoice.finalised_by = actor.id
    return [
        InvoiceLine(
            invoice_id=invoice.id, position=line.number, line_key=line.id,
            description=line.description, unit=line.unit,
            quantity=_plain(line.quantity), unit_price=_plain(line.unit_price),
            vat_category=line.vat_category or "S", vat_rate=_plain(line.vat_rate),
            discount=_plain(line.discount),
            net=format_amount(line.net or 0, meta.currency),  # type: ignore[arg-type]
            exemption_reason=line.exemption_reason,
        )
        for line in draft.lines
    ]


def charge_record(item: AllowanceCharge, currency: str) -> dict[str, Any]:
    """A document allowance or charge as an issued invoice stores it (amount rounded as
    the calculator counted it)."""
    record = {
        "is_charge": item.is_charge,
        "amount": format_amount(item.amount, currency),
        "vat_category": item.vat_category,
        "vat_rate": to_plain(item.vat_rate),
        "reason": item.reason,
    }
    if item.exemption_reason:
        # Only when given, so that records issued before it existed hash as they did.
        record["exemption_reason"] = item.exemption_reason
    return record


def _payment_term(issue: date | None, due: date | None) -> timedelta:
    if issue is not None and due is not None and due >= issue:
        return due - issue
    return timedelta(days=DEFAULT_PAYMENT_DAYS)


def _plain(value: object) -> str:
    return "0" if value is None else format(value, "f")


def _link(session: Session, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    check_last_link(session, invoice.org_id)
    index, previous = last_link(session, invoice.org_id)
    invoice.chain_index = index + 1
    invoice.prev_hash = previous
    invoice.hash = chain_hash(previous, invoice_record(invoice, lines))
