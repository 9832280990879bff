"""The REST API under /api (see docs/contracts.md and /api/openapi.json).

Every endpoint authenticates (session, Bearer token or `token` parameter), checks the
role's permission in the one table of `invoicing.permissions`, validates its input field by
field, and answers JSON; errors are `{"error": code, "message": text}` (see errors.py).
Invoices of another organisation are reported as missing: nothing crosses tenants.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from ..collab import RoomBusy
from ..collab.draftdoc import initial_update
from ..invoicing.draft import Problem, finalisation_problems, problem, read_draft
from ..invoicing.lifecycle import Status, can_transition, is_final
from ..invoicing.money import to_plain
from ..invoicing.permissions import Permission, can
from ..storage import AlreadyFinal, FinalisedInvoice, IdempotencyConflict
from ..storage.customers import CUSTOMER_FIELDS
from ..storage.models import Customer, Invoice
from .auth import AuthUser, client_ip, csrf_satisfied, current_user
from .board import board_topic, publish_invoice
from .documents import legal_check
from .errors import ApiError
from .openapi import openapi_spec
from .services import Services, services_of
from .validation import (
    check_fields,
    country_code,
    currency_code,
    decimal_text,
    email_address,
    optional_text,
    read_object,
    required_text,
    vat_number,
)
from .views import customer_view, draft_invoice_view, final_invoice_view, me_view

__all__ = ["own_invoice", "require", "routes"]

log = logging.getLogger(__name__)

PAYMENT_DAYS = 30
# How long a finalisation waits for another one of the same invoice to finish.
FREEZE_WAIT_SECONDS = 10.0
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_FRENCH_SPEAKING = frozenset({"FR", "BE", "LU", "CH", "MC"})

# Which permission moves an invoice to each status (finalising has its own endpoint).
_STATUS_PERMISSION = {
    Status.DRAFT: Permission.INVOICE_EDIT,
    Status.IN_REVIEW: Permission.INVOICE_EDIT,
    Status.APPROVED: Permission.INVOICE_APPROVE,
    Status.SENT: Permission.INVOICE_FINALIZE,
    Status.CANCELLED: Permission.INVOICE_FINALIZE,
    Status.PARTLY_PAID: Permission.PAYMENT_RECORD,
    Status.PAID: Permission.PAYMENT_RECORD,
    Status.OVERDUE: Permission.PAYMENT_RECORD,
}


async def require(request: Request, permission: Permission | None = None) -> AuthUser:
    """The caller, who must be signed in and hold `permission`."""
    user = await current_user(request)
    if user is None:
        raise ApiError(
            401, "not_authenticated", "sign in, or send Authorization: Bearer TOKEN",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not csrf_satisfied(request):
        raise ApiError(403, "csrf", "send this session's X-CSRF-Token header, or use a token")
    if permission is not None and not can(user.role, permission):
        raise ApiError(403, "forbidden",
                       f"your role ({user.role}) does not have the {permission} permission")
    return user


async def own_invoice(services: Services, user: AuthUser, invoice_id: str) -> Invoice:
    invoice = await services.store.invoice(user.org_id, invoice_id)
    if invoice is None:
        raise ApiError(404, "not_found", f"no invoice {invoice_id[:64]}")
    return invoice


# -- me and the description ---------------------------------------------------------------------


async def me(request: Request) -> Response:
    user = await require(request)
    org = await services_of(request).store.organization(user.org_id)
    return JSONResponse(me_view(user, org))


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_spec())


# -- customers ------------------------------------------------------------------------------------


class Customers(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        user = await require(request, Permission.CUSTOMER_VIEW)
        customers = await services_of(request).store.customers(user.org_id)
        return JSONResponse([customer_view(customer) for customer in customers])

    async def post(self, request: Request) -> Response:
        user = await require(request, Permission.CUSTOMER_EDIT)
        values = _customer_values(await read_object(request))
        customer = await services_of(request).store.create_customer(
            user.org_id, values, actor_id=user.id, ip=client_ip(request)
        )
        log.info("user %s created customer %s", user.id, customer.id)
        return JSONResponse(customer_view(customer), status_code=201,
                            headers={"Location": f"/api/customers/{customer.id}"})


def _customer_values(data: dict[str, Any]) -> dict[str, Any]:
    check_fields(data, CUSTOMER_FIELDS)
    country = country_code(data)
    values: dict[str, Any] = {
        "name": required_text(data, "name"),
        "email": email_address(data) or "",
        "country": country or "",
        "vat_number": vat_number(data, country) or "",
        "currency": currency_code(data),
        "address": optional_text(data, "address", max_length=500) or "",
        "city": optional_text(data, "city", max_length=100) or "",
        "postcode": optional_text(data, "postcode", max_length=20) or "",
    }
    return values


class CustomerItem(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        user = await require(request, Permission.CUSTOMER_VIEW)
        return JSONResponse(customer_view(await _own_customer(request, user)))

    async def patch(self, request: Request) -> Response:
        """Change some of the customer's fields (those sent); issued invoices keep theirs."""
        user = await require(request, Permission.CUSTOMER_EDIT)
        customer = await _own_customer(request, user)
        data = await read_object(request)
        check_fields(data, CUSTOMER_FIELDS)
        # Checked as a whole: a new VAT number against the country it has or gets.
        merged = {**customer_view(customer), **data}
        values = _customer_values({key: merged.get(key) for key in CUSTOMER_FIELDS})
        changed = await services_of(request).store.update_customer(
            user.org_id, customer.id, {key: values[key] for key in data},
            actor_id=user.id, ip=client_ip(request),
        )
        log.info("user %s changed customer %s", user.id, customer.id)
        return JSONResponse(customer_view(changed))


async def _own_customer(request: Request, user: AuthUser) -> Customer:
    customer_id = request.path_params["customer_id"]
    customer = await services_of(request).store.customer(user.org_id, customer_id)
    if customer is None:
        raise ApiError(404, "not_found", f"no customer {customer_id[:64]}")
    return customer


# -- invoices -------------------------------------------------------------------------------------


class Invoices(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        """The organisation's invoices as board rows, optionally of one status."""
        user = await require(request, Permission.INVOICE_VIEW)
        status = request.query_params.get("status")
        if status is not None and status not in {known.value for known in Status}:
            raise ApiError.invalid("status", f"{status[:40]!r} is not an invoice status")
        services = services_of(request)
        rows = await services.store.board_rows(user.org_id)
        rows = [row for row in rows if status is None or row["status"] == status]
        return JSONResponse(await _with_editors(services, rows))

    async def post(self, request: Request) -> Response:
        user = await require(request, Permission.INVOICE_CREATE)
        services = services_of(request)
        data = await read_object(request)
        check_fields(data, ("customer_id", "currency", "reference"))
        customer = await _customer_of(services, user, data)
        meta = await _new_draft_meta(services, user, customer, data)
        invoice = await services.store.create_draft(
            user.org_id, actor_id=user.id, customer_id=meta["customer_id"],
            currency=meta["currency"], issue_date=_day(meta["issue_date"]),
            due_date=_day(meta["due_date"]), language=meta["language"],
            document=initial_update(meta), ip=client_ip(request),
        )
        log.info("user %s created draft invoice %s", user.id, invoice.id)
        await publish_invoice(services.store, services.backends, invoice.id)
        view = draft_invoice_view(invoice, {"meta": meta, "notes": "", "lines": []}, [])
        return JSONResponse(view, status_code=201,
                            headers={"Location": f"/api/invoices/{invoice.id}"})


async def _customer_of(
    services: Services, user: AuthUser, data: dict[str, Any]
) -> Customer | None:
    customer_id = optional_text(data, "customer_id", max_length=64)
    if customer_id is None:
        return None
    customer = await services.store.customer(user.org_id, customer_id)
    if customer is None:
        raise ApiError.invalid("customer_id", f"no customer {customer_id!r} in your organisation")
    return customer


async def _new_draft_meta(
    services: Services, user: AuthUser, customer: Customer | None, data: dict[str, Any]
) -> dict[str, Any]:
    """The header of a new draft: customer's currency (else the organisation's), today,
    a 30-day term, the customer's language."""
    org = await services.store.organization(user.org_id)
    currency = currency_code(data) or (customer.currency if customer else None) or (
        org.currency if org else "EUR"
    )
    today = datetime.now(UTC).date()
    return {
        "customer_id": customer.id if customer else None,
        "currency": currency,
        "issue_date": today.isoformat(),
        "due_date": (today + timedelta(days=PAYMENT_DAYS)).isoformat(),
        "reference": optional_text(data, "reference", max_length=100),
        "language": _language_for(customer, user),
    }


def _language_for(customer: Customer | None, user: AuthUser) -> str:
    if customer is not None and customer.country:
        return "fr" if customer.country in _FRENCH_SPEAKING else "en"
    return user.language or "fr"


def _day(text: str) -> Any:
    return datetime.strptime(text, "%Y-%m-%d").date()


async def _with_editors(services: Services, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        # Issued invoices too: who is looking at one shows as "viewing" on the board.
        row["editors"] = await services.backends.presence.editors(row["id"])
    return rows


async def get_invoice(request: Request) -> Response:
    """A draft as its live document stands now, or a finalised invoice from SQL."""
    user = await require(request, Permission.INVOICE_VIEW)
    services = services_of(request)
    invoice = await own_invoice(services, user, request.path_params["invoice_id"])
    editors = await services.backends.presence.editors(invoice.id)
    if is_final(invoice.status):
        return JSONResponse(await issued_view(services, user, invoice.id, editors))
    document = await services.registry.document_json(invoice.id)
    org = await services.store.organization(user.org_id)
    return JSONResponse(draft_invoice_view(invoice, document, editors, org))


async def issued_view(
    services: Services, user: AuthUser, invoice_id: str,
    editors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An issued invoice or credit note as GET shows it, with its settlement."""
    issued = await services.store.issued(user.org_id, invoice_id)
    if issued is None:
        raise ApiError(404, "not_found", f"no invoice {invoice_id[:64]}")
    if editors is None:
        editors = await services.backends.presence.editors(invoice_id)
    settlement = await services.store.invoice_settlement(invoice_id)
    return final_invoice_view(issued.invoice, issued.lines, editors, settlement=settlement,
                              corrected=issued.corrected)


async def board(request: Request) -> Response:
    user = await require(request, Permission.INVOICE_VIEW)
    services = services_of(request)
    rows = await services.store.board_rows(user.org_id)
    return JSONResponse({"rows": await _with_editors(services, rows)})


# -- life cycle -----------------------------------------------------------------------------------


async def finalize(request: Request) -> Response:
    """Number the draft and store it for good; repeatable with the same Idempotency-Key."""
    user = await require(request, Permission.INVOICE_FINALIZE)
    services = services_of(request)
    invoice_id = request.path_params["invoice_id"]
    key = _idempotency_key(request)
    await own_invoice(services, user, invoice_id)
    data = await read_object(request)
    check_fields(data, ("exchange_rate",))
    rate = await _exchange_rate(services, user, invoice_id, data)

    result = await _finalise(services, user, invoice_id, key, client_ip(request), rate)
    if result.replayed:
        # Idempotent: tell the editors again in case the first request died before that.
        await services.registry.set_status(invoice_id, Status.FINALISED.value,
                                           by=user.name, number=result.number)
    else:
        log.info("user %s finalised invoice %s as %s", user.id, invoice_id, result.number)
    await publish_invoice(services.store, services.backends, invoice_id)

    view = await issued_view(services, user, invoice_id)
    return JSONResponse({**view, "replayed": result.replayed})


async def _exchange_rate(
    services: Services, user: AuthUser, invoice_id: str, data: dict[str, Any]
) -> str | None:
    """The optional rate from the invoice's currency to the organisation's accounting
    currency, as a plain decimal string."""
    if data.get("exchange_rate") is None:
        return None
    rate = decimal_text(data, "exchange_rate")
    if rate <= 0:
        raise ApiError.invalid("exchange_rate", "must be more than 0")
    org = await services.store.organization(user.org_id)
    invoice = await own_invoice(services, user, invoice_id)
    if org is not None and invoice.currency == org.currency and rate != 1:
        raise ApiError.invalid("exchange_rate", (
            f"the invoice is in {org.currency}, the organisation's accounting currency: "
            "its rate is 1"
        ))
    return to_plain(rate)


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(400, "invalid_header",
                       "Idempotency-Key must be 1 to 200 visible ASCII characters")
    return key


async def _finalise(
    services: Services, user: AuthUser, invoice_id: str, key: str | None, ip: str | None,
    exchange_rate: str | None = None,
) -> FinalisedInvoice:
    """Freeze the live draft, validate it, finalise it in SQL, tell its editors."""
    deadline = time.monotonic() + FREEZE_WAIT_SECONDS
    while True:
        earlier = await _earlier_result(services, user, invoice_id, key)
        if earlier is not None:
            return earlier
        try:
            async with services.registry.freeze(invoice_id, by=user.name) as frozen:
                draft = read_draft(frozen.doc)
                delivery_date, delivery_problems = _delivery_date(frozen.doc)
                problems = finalisation_problems(draft) + delivery_problems
                if problems:
                    raise ApiError(
                        422, "invalid_draft",
                        "the draft cannot be finalised: " + "; ".join(p.text() for p in problems),
                        problems=[problem.to_dict() for problem in problems],
                    )
                payment = frozen.doc.get("payment")
                result = await services.store.finalise(
                    invoice_id, user, draft, frozen.state, key, ip=ip,
                    payment=payment if isinstance(payment, dict) else None,
                    exchange_rate=exchange_rate, delivery_date=delivery_date,
                    check=legal_check,
                )
                # Still frozen: editors go read-only before any further edit is accepted.
                await services.registry.set_status(invoice_id, Status.FINALISED.value,
                                                   by=user.name, number=result.number)
                return result
        except RoomBusy:
            # Another request is finalising this invoice: wait, then answer as it ended.
            if time.monotonic() > deadline:
                raise ApiError(409, "busy", "the invoice is being finalised; try again") from None
            await asyncio.sleep(0.05)


def _delivery_date(document: dict[str, Any]) -> tuple[date | None, list[Problem]]:
    """The date of supply the draft's header may give (`meta.delivery_date`)."""
    meta = document.get("meta")
    text = meta.get("delivery_date") if isinstance(meta, dict) else None
    if text is None or (isinstance(text, str) and not text.strip()):
        return None, []
    try:
        return date.fromisoformat(str(text).strip()), []
    except ValueError:
        shown = str(text)[:20]
        return None, [problem("delivery_date", "not_a_date", {"value": shown})]


async def _earlier_result(
    services: Services, user: AuthUser, invoice_id: str, key: str | None
) -> FinalisedInvoice | None:
    """The answer already known: a replay of the same key, or 409 when already final."""
    if key is not None:
        earlier = await services.store.invoice_by_idempotency_key(user.org_id, key)
        if earlier is not None:
            if earlier.id != invoice_id:
                raise ApiError.from_storage(IdempotencyConflict(
                    f"the Idempotency-Key was used to finalise invoice {earlier.id}; "
                    "send a new key for a new request"
                ))
            return FinalisedInvoice.of(earlier, replayed=True)
    invoice = await own_invoice(services, user, invoice_id)
    if not can_transition(invoice.status, Status.FINALISED):
        raise ApiError.from_storage(AlreadyFinal(invoice.id, invoice.status, invoice.number))
    return None


async def change_status(request: Request) -> Response:
    """Move an invoice along its life cycle: in review, approved, sent, paid..."""
    user = await require(request, Permission.INVOICE_VIEW)
    services = services_of(request)
    invoice = await own_invoice(services, user, request.path_params["invoice_id"])
    data = await read_object(request)
    check_fields(data, ("status",))
    target = _target_status(required_text(data, "status", max_length=20))
    await require(request, _STATUS_PERMISSION[target])

    changed = await services.store.set_status(user.org_id, invoice.id, target.value,
                                              actor_id=user.id, ip=client_ip(request))
    await services.registry.set_status(invoice.id, changed.status, by=user.name,
                                       number=changed.number)
    await publish_invoice(services.store, services.backends, invoice.id)
    log.info("user %s moved invoice %s to %s", user.id, invoice.id, changed.status)
    row = await services.store.board_row(invoice.id)
    return JSONResponse(row)


async def delete_draft(request: Request) -> Response:
    """Delete a draft (never an issued invoice: that is corrected by a credit note)."""
    user = await require(request, Permission.INVOICE_DELETE_DRAFT)
    services = services_of(request)
    invoice = await own_invoice(services, user, request.path_params["invoice_id"])
    await services.store.delete_draft(user.org_id, invoice.id, actor_id=user.id,
                                      ip=client_ip(request))
    await services.registry.set_status(invoice.id, "deleted", by=user.name)
    message = json.dumps({"type": "removed", "id": invoice.id}).encode()
    await services.backends.broadcast.publish(board_topic(user.org_id), message)
    log.info("user %s deleted draft %s", user.id, invoice.id)
    return Response(status_code=204)


def _target_status(value: str) -> Status:
    if value == Status.FINALISED:
        raise ApiError.invalid("status", "finalise with POST /api/invoices/{id}/finalize")
    try:
        return Status(value)
    except ValueError:
        known = ", ".join(status.value for status in _STATUS_PERMISSION)
        raise ApiError.invalid("status", f"{value!r} is not one of {known}") from None


routes = [
    Mount("/api", routes=[
        Route("/me", me, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/customers", Customers),
        Route("/customers/{customer_id}", CustomerItem),
        Route("/invoices", Invoices),
        Route("/invoices/{invoice_id}", get_invoice, methods=["GET"]),
        Route("/invoices/{invoice_id}", delete_draft, methods=["DELETE"]),
        Route("/invoices/{invoice_id}/finalize", finalize, methods=["POST"]),
        Route("/invoices/{invoice_id}/status", change_status, methods=["POST"]),
        Route("/board", board, methods=["GET"]),
    ]),
]
