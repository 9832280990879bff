"""`Store`: the async face of storage for the server.

The repositories are synchronous SQLAlchemy code; every call here runs them in a worker
thread (anyio.to_thread), so the event loop that serves the WebSockets never waits on the
database. The update log is async itself (group commit), and shared through `updates`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread

from ..invoicing.draft import Draft
from . import accounts, customers, invoices, settlement
from .credit_notes import CreditSelection, issue_credit_note
from .db import Database
from .finalise import Actor, FinalisedInvoice, finalise_invoice
from .imports import ImportedDraft, import_draft
from .issued import IssuedInvoice, LegalCheck, load_issued
from .ledger import ChainReport, ChainState, chain_state, verify_chain
from .models import Customer, Invoice, InvoiceLine, Organization, Payment, User
from .updates import UpdateLog

__all__ = ["Store"]

T = TypeVar("T")


class Store:
    """Async access to the database; `close()` drains the update log."""

    def __init__(
        self, db: Database, *, group_commit_ms: float = 10.0, compact_after: int = 500
    ) -> None:
        self.db = db
        self.updates = UpdateLog(db, window_ms=group_commit_ms, compact_after=compact_after)

    async def close(self) -> None:
        await self.updates.close()

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `function(db, *args, **kwargs)` in a worker thread."""
        return await anyio.to_thread.run_sync(partial(function, self.db, *args, **kwargs))

    # -- accounts ------------------------------------------------------------------------------

    async def organization(self, org_id: str) -> Organization | None:
        return await self.run(accounts.get_organization, org_id)

    async def user_by_id(self, user_id: str) -> User | None:
        return await self.run(accounts.user_by_id, user_id)

    async def user_by_email(self, email: str) -> User | None:
        return await self.run(accounts.user_by_email, email)

    async def user_by_token(self, token: str) -> User | None:
        return await self.run(accounts.user_by_token, token)

    # -- customers -----------------------------------------------------------------------------

    async def create_customer(
        self, org_id: str, values: dict[str, Any], *, actor_id: str, ip: str | None = None
    ) -> Customer:
        return await self.run(customers.create_customer, org_id, values,
                              actor_id=actor_id, ip=ip)

    async def update_customer(
        self, org_id: str, customer_id: str, changes: dict[str, Any], *, actor_id: str,
        ip: str | None = None,
    ) -> Customer:
        return await self.run(customers.update_customer, org_id, customer_id, changes,
                              actor_id=actor_id, ip=ip)

    async def customer(self, org_id: str, customer_id: str) -> Customer | None:
        return await self.run(customers.get_customer, org_id, customer_id)

    async def customers(self, org_id: str) -> list[Customer]:
        return await self.run(customers.list_customers, org_id)

    # -- invoices ------------------------------------------------------------------------------

    async def create_draft(
        self,
        org_id: str,
        *,
        actor_id: str,
        customer_id: str | None,
        currency: str,
        issue_date: date,
        due_date: date,
        language: str | None,
        document: bytes,
        ip: str | None = None,
    ) -> Invoice:
        return await self.run(
            invoices.create_draft, org_id, actor_id=actor_id, customer_id=customer_id,
            currency=currency, issue_date=issue_date, due_date=due_date,
            language=language, document=document, ip=ip,
        )

    async def invoice(self, org_id: str, invoice_id: str) -> Invoice | None:
        return await self.run(invoices.get_invoice, org_id, invoice_id)

    async def invoice_by_idempotency_key(self, org_id: str, key: str) -> Invoice | None:
        return await self.run(invoices.invoice_by_idempotency_key, org_id, key)

    async def invoice_org(self, invoice_id: str) -> str | None:
        return await self.run(invoices.invoice_org, invoice_id)

    async def invoice_info(self, invoice_id: str) -> dict[str, Any] | None:
        return await self.run(invoices.invoice_info, invoice_id)

    async def board_rows(self, org_id: str) -> list[dict[str, Any]]:
        """Every invoice of the organisation as a board row, most recently changed first."""
        return await self.run(invoices.board_rows, org_id)

    async def board_row(self, invoice_id: str) -> dict[str, Any] | None:
        row = await self.invoice_row(invoice_id)
        return invoices.board_row(row) if row is not None else None

    async def invoice_lines(self, invoice_id: str) -> list[InvoiceLine]:
        return await self.run(invoices.invoice_lines, invoice_id)

    async def invoice_row(self, invoice_id: str) -> invoices.InvoiceRow | None:
        return await self.run(invoices.invoice_row, invoice_id)

    async def invoice_rows(
        self, org_id: str, *, status: str | None = None
    ) -> list[invoices.InvoiceRow]:
        return await self.run(invoices.list_invoice_rows, org_id, status=status)

    async def cache_draft(self, invoice_id: str, cache: invoices.DraftCache) -> Invoice | None:
        return await self.run(invoices.cache_draft, invoice_id, cache)

    async def delete_draft(
        self, org_id: str, invoice_id: str, *, actor_id: str, ip: str | None = None
    ) -> Invoice:
        return await self.run(invoices.delete_draft, org_id, invoice_id, actor_id=actor_id,
                              ip=ip)

    async def set_status(
        self, org_id: str, invoice_id: str, status: str, *, actor_id: str | None,
        ip: str | None = None,
    ) -> Invoice:
        return await self.run(invoices.set_status, org_id, invoice_id, status,
                              actor_id=actor_id, ip=ip)

    async def finalise(
        self,
        invoice_id: str,
        user: Actor,
        draft: Draft,
        state: bytes,
        idempotency_key: str | None = None,
        *,
        ip: str | None = None,
        payment: Mapping[str, Any] | None = None,
        exchange_rate: str | None = None,
        delivery_date: date | None = None,
        check: LegalCheck | None = None,
    ) -> FinalisedInvoice:
        """Number and store the draft for good (see storage.finalise)."""
        return await self.run(finalise_invoice, invoice_id, user, draft, state,
                              idempotency_key, ip=ip, payment=payment,
                              exchange_rate=exchange_rate, delivery_date=delivery_date,
                              check=check)

    async def import_draft(self, org_id: str, **values: Any) -> ImportedDraft:
        """A new draft from an imported file, with its customer (see storage.imports)."""
        return await self.run(import_draft, org_id, **values)

    async def issued(self, org_id: str, invoice_id: str) -> IssuedInvoice | None:
        """An invoice with its organisation, customer, lines and corrected invoice."""
        return await self.run(load_issued, org_id, invoice_id)

    # -- credit notes and payments ---------------------------------------------------------------

    async def credit_note(
        self, invoice_id: str, user: Actor, selection: Sequence[CreditSelection] | None, *,
        ip: str | None = None, check: LegalCheck | None = None,
    ) -> Invoice:
        return await self.run(issue_credit_note, invoice_id, user, selection, ip=ip,
                              check=check)

    async def record_payment(
        self, org_id: str, invoice_id: str, amount: Decimal, paid_on: date, *,
        method: str | None, actor_id: str, ip: str | None = None,
    ) -> Payment:
        return await self.run(settlement.record_payment, org_id, invoice_id, amount, paid_on,
                              method=method, actor_id=actor_id, ip=ip)

    async def invoice_settlement(self, invoice_id: str) -> settlement.Settlement | None:
        return await self.run(settlement.invoice_settlement, invoice_id)

    async def customer_balance(self, org_id: str, customer_id: str) -> list[settlement.Balance]:
        return await self.run(settlement.customer_balance, org_id, customer_id)

    # -- the hash chain --------------------------------------------------------------------------

    async def verify(self) -> ChainReport:
        return await self.run(verify_chain)

    async def chain_state(self, org_id: str) -> ChainState:
        return await self.run(chain_state, org_id)
