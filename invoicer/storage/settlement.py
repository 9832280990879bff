"""What is left to pay on an invoice, payments, and what a customer owes.

Amounts of credit notes are negative (their lines are the invoice's lines with negated
quantities), so that the sum of an invoice and its credit notes is what remains invoiced:

    outstanding = due - paid - credited        (credited = minus the credit notes' due)

A payment may not exceed what is outstanding. An invoice whose outstanding reaches zero
becomes `paid`, or `cancelled` when credit notes took it there with nothing paid.

A customer's balance counts every issued document: invoices (whatever their status: a
cancellation is a credit note, the status alone changes no amount), credit notes and
payments. Positive, the customer owes it; negative, it is the customer's credit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from ..invoicing.lifecycle import Status, can_transition, is_final
from ..invoicing.totals import format_amount
from .audit import record_event
from .db import Database
from .errors import Conflict, Invalid, NotFound, Tampered
from .ledger import content_problem
from .finalise import lock_invoice
from .models import CREDIT_NOTE_TYPE, INVOICE_TYPE, Customer, Invoice, Payment, utcnow

__all__ = [
    "Balance",
    "CreditNoteRef",
    "Settlement",
    "amount_due",
    "customer_balance",
    "invoice_settlement",
    "record_payment",
    "record_settled",
    "settle",
    "settlement_of",
]

ZERO = Decimal(0)
# Statuses that still wait for money; paid and cancelled invoices are closed.
_OPEN = frozenset({Status.FINALISED, Status.SENT, Status.PARTLY_PAID, Status.OVERDUE})


def amount_due(invoice: Invoice) -> Decimal:
    """BT-115 as stored (invoices finalised before it was stored: the gross)."""
    return Decimal(invoice.due or invoice.gross)


@dataclass(frozen=True)
class CreditNoteRef:
    id: str
    number: str | None
    due: Decimal


@dataclass(frozen=True)
class Settlement:
    """An invoice's amount due, what was paid and credited, and what remains."""

    currency: str
    due: Decimal
    payments: list[Payment] = field(default_factory=list)
    credit_notes: list[CreditNoteRef] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return sum((Decimal(payment.amount) for payment in self.payments), ZERO)

    @property
    def credited(self) -> Decimal:
        return -sum((note.due for note in self.credit_notes), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.paid - self.credited

    def money(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency)


def settlement_of(session: Session, invoice: Invoice) -> Settlement:
    payments = session.exec(
        select(Payment)
        .where(Payment.invoice_id == invoice.id)
        .order_by(col(Payment.paid_on), col(Payment.created_at))
    ).all()
    notes = session.exec(
        select(Invoice)
        .where(Invoice.corrects_id == invoice.id, Invoice.type_code == CREDIT_NOTE_TYPE)
        .order_by(col(Invoice.chain_index))
    ).all()
    return Settlement(
        invoice.currency, amount_due(invoice), list(payments),
        [CreditNoteRef(note.id, note.number, amount_due(note)) for note in notes],
    )


def invoice_settlement(db: Database, invoice_id: str) -> Settlement | None:
    with db.session() as session:
        invoice = session.get(Invoice, invoice_id)
        return settlement_of(session, invoice) if invoice is not None else None


def settle(session: Session, invoice: Invoice) -> str | None:
    """Move an open invoice to paid, partly paid or cancelled as its settlement says;
    returns the new status, or None when it does not change."""
    if invoice.status not in _OPEN:
        return None
    settlement = settlement_of(session, invoice)
    if settlement.outstanding <= 0:
        target = Status.PAID if settlement.paid > 0 else Status.CANCELLED
    elif settlement.paid > 0:
        target = Status.PARTLY_PAID
    else:
        return None
    if target == invoice.status or not can_transition(invoice.status, target):
        return None
    invoice.status = target.value
    invoice.updated_at = utcnow()
    session.add(invoice)
    return target.value


def record_payment(
    db: Database,
    org_id: str,
    invoice_id: str,
    amount: Decimal,
    paid_on: date,
    *,
    method: str | None = None,
    actor_id: str | None = None,
    ip: str | None = None,
) -> Payment:
    """Record money received for an issued invoice; refuses more than is outstanding."""
    with db.transaction() as session:
        invoice = lock_invoice(session, org_id, invoice_id)
        _check_payable(invoice)
        if (problem := content_problem(session, invoice)) is not None:
            raise Tampered(problem)
        settlement = settlement_of(session, invoice)
        if amount > settlement.outstanding:
            raise Invalid("amount", (
                f"{settlement.money(amount)} {invoice.currency} is more than the "
                f"{settlement.money(settlement.outstanding)} {invoice.currency} still due on "
                f"invoice {invoice.number}"
            ))
        payment = Payment(
            org_id=org_id, invoice_id=invoice.id, amount=settlement.money(amount),
            currency=invoice.currency, paid_on=paid_on, method=method, recorded_by=actor_id,
        )
        session.add(payment)
        session.flush()
        record_event(session, org_id=org_id, user_id=actor_id, action="payment.record",
                     target=invoice.id, ip=ip,
                     detail={"payment_id": payment.id, "amount": payment.amount,
                             "currency": payment.currency, "date": paid_on.isoformat(),
                             "method": method})
        record_settled(session, invoice, actor_id, ip)
    return payment


def _check_payable(invoice: Invoice) -> None:
    if not is_final(invoice.status):
        raise Conflict(f"invoice {invoice.id} is a draft: only an issued invoice is paid")
    if invoice.type_code != INVOICE_TYPE:
        raise Conflict(f"{invoice.number} is a credit note: it is not paid but refunded")
    if invoice.status not in _OPEN:
        raise Conflict(f"invoice {invoice.number} is {invoice.status}: nothing is due")


def record_settled(
    session: Session, invoice: Invoice, actor_id: str | None, ip: str | None
) -> None:
    """`settle` the invoice and record the status change it made, if any."""
    previous = invoice.status
    changed = settle(session, invoice)
    if changed is not None:
        record_event(session, org_id=invoice.org_id, user_id=actor_id, action="invoice.status",
                     target=invoice.id, ip=ip, detail={"from": previous, "to": changed})


@dataclass
class Balance:
    """What a customer was invoiced, credited and paid in one currency."""

    currency: str
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.invoiced - self.credited - self.paid

    def to_dict(self) -> dict[str, str]:
        amounts = {"invoiced": self.invoiced, "credited": self.credited, "paid": self.paid,
                   "balance": self.balance}
        return {"currency": self.currency,
                **{name: format_amount(value, self.currency) for name, value in amounts.items()}}


def customer_balance(db: Database, org_id: str, customer_id: str) -> list[Balance]:
    """The customer's balance in each currency it was invoiced in (by currency code)."""
    with db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.org_id != org_id:
            raise NotFound(f"no customer {customer_id}")
        issued = session.exec(
            select(Invoice).where(
                Invoice.org_id == org_id, Invoice.customer_id == customer_id,
                col(Invoice.chain_index).is_not(None),
            )
        ).all()
        payments = session.exec(
            select(Payment).join(Invoice, col(Invoice.id) == col(Payment.invoice_id))
            .where(Invoice.org_id == org_id, Invoice.customer_id == customer_id)
        ).all()
    balances: dict[str, Balance] = {}
    for invoice in issued:
        balance = _in(balances, invoice.currency)
        if invoice.type_code == CREDIT_NOTE_TYPE:
            balance.credited -= amount_due(invoice)
        else:
            balance.invoiced += amount_due(invoice)
    for payment in payments:
        _in(balances, payment.currency).paid += Decimal(payment.amount)
    return [balances[currency] for currency in sorted(balances)]


def _in(balances: dict[str, Balance], currency: str) -> Balance:
    if currency not in balances:
        balances[currency] = Balance(currency)
    return balances[currency]
