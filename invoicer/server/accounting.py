"""After issuing: credit notes, payments, customers' balances and the hash chain's state.

    POST /api/invoices/{id}/credit-note   {lines?: [{id, quantity?}]}   201, the credit note
    POST /api/invoices/{id}/payments      {amount, date, method?}       201, payment + invoice
    GET  /api/customers/{id}/balance                                    invoiced, credited...
    GET  /api/ledger                                                    the chain's state

The rules (what may be credited, what a payment may cover, how a balance adds up) are in
storage.credit_notes and storage.settlement; this module reads and checks the input.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..invoicing.money import AmountError, minor_units, parse_decimal
from ..invoicing.permissions import Permission
from ..storage.credit_notes import CreditSelection
from .api import issued_view, own_invoice, require
from .auth import client_ip
from .board import publish_invoice
from .documents import legal_check
from .errors import ApiError
from .services import services_of
from .validation import check_fields, date_value, decimal_text, optional_text, read_object
from .views import balance_view, chain_view, payment_view

__all__ = ["routes"]

log = logging.getLogger(__name__)

MAX_SELECTED_LINES = 1000


async def credit_note(request: Request) -> Response:
    """Issue a credit note for the invoice: in full, or the selected lines."""
    user = await require(request, Permission.INVOICE_FINALIZE)
    services = services_of(request)
    invoice = await own_invoice(services, user, request.path_params["invoice_id"])
    data = await read_object(request)
    check_fields(data, ("lines",))
    selection = _selection(data.get("lines"))

    note = await services.store.credit_note(invoice.id, user, selection,
                                            ip=client_ip(request), check=legal_check)
    log.info("user %s issued credit note %s for invoice %s", user.id, note.number, invoice.id)
    for changed in (note.id, invoice.id):
        await publish_invoice(services.store, services.backends, changed)
    view = await issued_view(services, user, note.id, [])
    return JSONResponse(view, status_code=201, headers={"Location": f"/api/invoices/{note.id}"})


def _selection(raw: Any) -> list[CreditSelection] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw or len(raw) > MAX_SELECTED_LINES:
        raise ApiError.invalid("lines", "must be a non-empty list of {id, quantity?}, or left "
                                        "out to credit the whole invoice")
    selection = []
    for number, item in enumerate(raw, start=1):
        field = f"lines[{number}]"
        if not isinstance(item, dict):
            raise ApiError.invalid(field, "must be an object {id, quantity?}")
        check_fields(item, ("id", "quantity"))
        line_id = optional_text(item, "id", max_length=64)
        if line_id is None:
            raise ApiError.invalid(f"{field}.id", "is required")
        quantity = None
        if item.get("quantity") is not None:
            quantity = _decimal(item["quantity"], f"{field}.quantity")
        selection.append(CreditSelection(line_id, quantity))
    return selection


def _decimal(value: Any, field: str) -> Any:
    if not isinstance(value, str):
        raise ApiError.invalid(field, "must be a decimal string such as \"1.5\"")
    try:
        return parse_decimal(value)
    except AmountError as error:
        raise ApiError.invalid(field, error.message) from None


async def record_payment(request: Request) -> Response:
    """Record money received for an issued invoice; its status follows."""
    user = await require(request, Permission.PAYMENT_RECORD)
    services = services_of(request)
    invoice = await own_invoice(services, user, request.path_params["invoice_id"])
    data = await read_object(request)
    check_fields(data, ("amount", "date", "method"))
    amount = decimal_text(data, "amount")
    if amount <= 0:
        raise ApiError.invalid("amount", "must be more than 0")
    digits = minor_units(invoice.currency)
    if amount != round(amount, digits):
        raise ApiError.invalid("amount", f"{invoice.currency} amounts have {digits} decimals")
    paid_on = date_value(data, "date")
    method = optional_text(data, "method", max_length=50)

    payment = await services.store.record_payment(
        user.org_id, invoice.id, amount, paid_on, method=method, actor_id=user.id,
        ip=client_ip(request),
    )
    log.info("user %s recorded payment %s on invoice %s", user.id, payment.id, invoice.id)
    await publish_invoice(services.store, services.backends, invoice.id)
    view = await issued_view(services, user, invoice.id)
    return JSONResponse({"payment": payment_view(payment), "invoice": view}, status_code=201)


async def customer_balance(request: Request) -> Response:
    user = await require(request, Permission.CUSTOMER_VIEW)
    services = services_of(request)
    customer_id = request.path_params["customer_id"]
    customer = await services.store.customer(user.org_id, customer_id)
    if customer is None:
        raise ApiError(404, "not_found", f"no customer {customer_id[:64]}")
    balances = await services.store.customer_balance(user.org_id, customer.id)
    org = await services.store.organization(user.org_id)
    return JSONResponse(balance_view(customer, balances, org.currency if org else "EUR"))


async def ledger(request: Request) -> Response:
    """The organisation's hash chain, verified now."""
    user = await require(request, Permission.AUDIT_VIEW)
    state = await services_of(request).store.chain_state(user.org_id)
    if not state.ok:
        log.warning("the hash chain of organisation %s is broken at invoice %s", user.org_id,
                    state.first_break.invoice_id if state.first_break else "?")
    return JSONResponse(chain_view(state))


routes = [
    Route("/api/invoices/{invoice_id}/credit-note", credit_note, methods=["POST"]),
    Route("/api/invoices/{invoice_id}/payments", record_payment, methods=["POST"]),
    Route("/api/customers/{customer_id}/balance", customer_balance, methods=["GET"]),
    Route("/api/ledger", ledger, methods=["GET"]),
]
