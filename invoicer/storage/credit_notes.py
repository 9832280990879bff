"""Credit notes: how an issued invoice is corrected, since it is never changed.

A credit note (UNTDID 1001 type 381) names the invoice it corrects and takes the next
number of the same sequence, in the same hash chain. Its lines are the invoice's lines with
their quantities negated, so its amounts are negative and adding it to the invoice gives
what remains invoiced. By default it credits what is left of every line (and, the first
time, the document charges); a selection credits chosen lines, each in full or in part.
A line is never credited beyond its quantity, over all the credit notes of the invoice.

Issuing one is a single transaction: number, chain link, the invoice's new status when
nothing is left to pay (see settlement.py) and the audit events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from ..invoicing.lifecycle import Status, is_final
from ..invoicing.money import to_plain
from ..invoicing.totals import AllowanceCharge, LineInput, Totals, compute_totals, format_amount
from .audit import record_event
from .db import Database
from .errors import Conflict, Invalid
from .finalise import Actor, charge_record, issue, lock_invoice, lock_organisation
from .issued import IssuedInvoice, LegalCheck, check_issued, party_snapshot
from .models import CREDIT_NOTE_TYPE, INVOICE_TYPE, Customer, Invoice, InvoiceLine, utcnow
from .settlement import record_settled

__all__ = ["CreditSelection", "issue_credit_note"]

ZERO = Decimal(0)


@dataclass(frozen=True)
class CreditSelection:
    """A line to credit: its id, and how much of its quantity (None: all that is left)."""

    line_id: str
    quantity: Decimal | None = None


def issue_credit_note(
    db: Database,
    invoice_id: str,
    actor: Actor,
    selection: Sequence[CreditSelection] | None = None,
    *,
    ip: str | None = None,
    today: date | None = None,
    check: LegalCheck | None = None,
) -> Invoice:
    """Credit the invoice, in full (no `selection`) or the selected lines; returns the
    finalised credit note."""
    with db.transaction() as session:
        org = lock_organisation(session, actor.org_id)
        invoice = lock_invoice(session, org.id, invoice_id)
        _check_creditable(invoice)
        lines = _lines_of(session, invoice.id)
        earlier = _earlier_notes(session, invoice.id)
        credited = _credited_quantities(session, earlier)
        chosen = _chosen(lines, credited, selection)
        charges = _charges_to_credit(invoice, earlier, selection)
        if not chosen and not charges:
            raise Conflict(f"invoice {invoice.number} is already credited in full")

        day = today or datetime.now(UTC).date()
        customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
        note = _credit_note(invoice, actor, day)
        note.parties = party_snapshot(org, customer)
        session.add(note)
        session.flush()  # the lines' foreign key needs the note first
        note_lines = _fill(note, chosen, charges)
        issue(db, session, org, note, note_lines, day)
        check_issued(check, IssuedInvoice(org, customer, note, note_lines, corrected=invoice))
        session.add(note)
        session.add_all(note_lines)
        session.flush()
        record_event(
            session, org_id=org.id, user_id=actor.id, action="credit_note.issue",
            target=note.id, ip=ip,
            detail={"number": note.number, "corrects": invoice.id,
                    "corrects_number": invoice.number, "gross": note.gross,
                    "currency": note.currency, "full": selection is None},
        )
        record_settled(session, invoice, actor.id, ip)
    return note


def _check_creditable(invoice: Invoice) -> None:
    if not is_final(invoice.status):
        raise Conflict(f"invoice {invoice.id} is a draft: a draft is edited, not credited")
    if invoice.type_code != INVOICE_TYPE:
        raise Conflict(f"{invoice.number} is a credit note: only an invoice is credited")


def _lines_of(session: Session, invoice_id: str) -> list[InvoiceLine]:
    return list(session.exec(
        select(InvoiceLine)
        .where(InvoiceLine.invoice_id == invoice_id)
        .order_by(col(InvoiceLine.position))
    ).all())


def _earlier_notes(session: Session, invoice_id: str) -> list[Invoice]:
    return list(session.exec(
        select(Invoice)
        .where(Invoice.corrects_id == invoice_id, Invoice.type_code == CREDIT_NOTE_TYPE)
    ).all())


def line_id(line: InvoiceLine) -> str:
    """The id a line is selected by: its id in the draft, else its position."""
    return line.line_key or f"#{line.position}"


def _credited_quantities(session: Session, notes: list[Invoice]) -> dict[str, Decimal]:
    """How much of each invoice line earlier credit notes credited (in the line's sign)."""
    credited: dict[str, Decimal] = {}
    for note in notes:
        for line in _lines_of(session, note.id):
            key = line_id(line)
            credited[key] = credited.get(key, ZERO) - Decimal(line.quantity)
    return credited


def _chosen(
    lines: list[InvoiceLine], credited: dict[str, Decimal],
    selection: Sequence[CreditSelection] | None,
) -> list[tuple[InvoiceLine, Decimal]]:
    """(invoice line, quantity to credit) for each line the credit note takes."""
    by_id = {line_id(line): line for line in lines}
    if selection is None:
        chosen = [(line, _left(line, credited)) for line in lines]
        return [(line, quantity) for line, quantity in chosen if quantity != 0]
    result = []
    for number, item in enumerate(selection, start=1):
        line = by_id.get(item.line_id)
        if line is None:
            raise Invalid(f"lines[{number}].id", f"the invoice has no line {item.line_id!r}")
        left = _left(line, credited)
        quantity = left if item.quantity is None else item.quantity
        if quantity == 0 or left == 0:
            raise Invalid(f"lines[{number}].quantity",
                          f"line {item.line_id!r} has nothing left to credit")
        if (quantity > 0) != (left > 0) or abs(quantity) > abs(left):
            raise Invalid(f"lines[{number}].quantity", (
                f"{to_plain(quantity)} is more than the {to_plain(left)} left to credit on "
                f"line {item.line_id!r}"
            ))
        result.append((line, quantity))
    return result


def _left(line: InvoiceLine, credited: dict[str, Decimal]) -> Decimal:
    return Decimal(line.quantity) - credited.get(line_id(line), ZERO)


def _charges_to_credit(
    invoice: Invoice, earlier: list[Invoice], selection: Sequence[CreditSelection] | None,
) -> list[dict[str, object]]:
    # Document allowances and charges belong to the whole invoice: a full credit note takes
    # them, unless an earlier full one did.
    if selection is not None or any(note.charges for note in earlier):
        return []
    return list(invoice.charges or [])


def _credit_note(invoice: Invoice, actor: Actor, day: date) -> Invoice:
    now = utcnow()
    return Invoice(
        org_id=invoice.org_id, customer_id=invoice.customer_id, type_code=CREDIT_NOTE_TYPE,
        corrects_id=invoice.id, status=Status.FINALISED.value, currency=invoice.currency,
        issue_date=day, due_date=None, reference=invoice.reference,
        language=invoice.language, notes="", created_by=actor.id, created_at=now,
        updated_at=now, finalised_at=now, finalised_by=actor.id,
        payment=invoice.payment, exchange_rate=invoice.exchange_rate,
        delivery_date=invoice.delivery_date,
    )


def _fill(
    note: Invoice, chosen: list[tuple[InvoiceLine, Decimal]], charges: list[dict[str, object]],
) -> list[InvoiceLine]:
    """The credit note's lines and totals, by the one calculator."""
    currency = note.currency
    inputs = [
        LineInput(id=line_id(line), quantity=-quantity, unit_price=Decimal(line.unit_price),
                  vat_rate=Decimal(line.vat_rate), discount=Decimal(line.discount),
                  vat_category=line.vat_category, exemption_reason=line.exemption_reason)
        for line, quantity in chosen
    ]
    negated = [
        AllowanceCharge(amount=-Decimal(str(item["amount"])),
                        vat_category=str(item["vat_category"]),
                        vat_rate=Decimal(str(item["vat_rate"])), reason=str(item["reason"]),
                        is_charge=bool(item["is_charge"]))
        for item in charges
    ]
    totals = compute_totals(inputs, currency, allowances=negated)
    _store_totals(note, totals, negated)
    return [
        InvoiceLine(
            invoice_id=note.id, position=position, line_key=line_id(line),
            description=line.description, unit=line.unit, quantity=to_plain(-quantity),
            unit_price=line.unit_price, vat_category=line.vat_category,
            vat_rate=line.vat_rate, discount=line.discount,
            net=format_amount(total.net, currency), exemption_reason=line.exemption_reason,
        )
        for position, ((line, quantity), total) in enumerate(
            zip(chosen, totals.lines, strict=True), start=1
        )
    ]


def _store_totals(note: Invoice, totals: Totals, charges: list[AllowanceCharge]) -> None:
    values = totals.to_dict()
    for name in ("net", "vat", "gross", "allowance_total", "charge_total", "tax_basis",
                 "prepaid", "due"):
        setattr(note, name, str(values[name]))
    note.vat_breakdown = list(values["vat_breakdown"])  # type: ignore[call-overload]
    note.charges = [charge_record(item, note.currency) for item in charges]

