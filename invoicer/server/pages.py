"""The pages a person reads: sign-in, invoices, the live editor, the board, customers, admin.

Pages are rendered on the server with Jinja2 (autoescaped) in the reader's language; the
browser modules in web/src/ then make the editor and the board live. Under the strict CSP no
page holds inline script or style: data reaches the modules through data-* attributes and
JSON data blocks.

Forms post back with a CSRF token kept in the signed session and checked together with the
Origin header; a page that needs a permission answers 403 rather than hiding the refusal.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

import invoicer

from ..collab.draftdoc import initial_update
from ..invoicing.draft import MAX_REFERENCE_LENGTH, draft_view, read_draft
from ..invoicing.lifecycle import is_editable, is_final
from ..invoicing.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    can,
    may_edit_draft,
    may_edit_field,
    permission_table,
)
from ..storage import accounts
from ..storage.audit import record_event
from ..storage.db import Database
from ..storage.models import CREDIT_NOTE_TYPE, Invoice, Organization, User
from . import i18n

# The same choices as POST /api/invoices and /api/customers (customer of the organisation,
# the new draft's currency, dates and language, a customer's fields), so that both ways of
# creating a draft or a customer agree.
from .api import _customer_of, _customer_values, _new_draft_meta
from .auth import (
    CSRF_SESSION_KEY,
    AuthUser,
    authenticate,
    client_ip,
    current_user,
    login,
    logout,
)
from .board import publish_invoice
from .errors import ApiError
from .i18n import N_
from .imports import MAX_IMPORT_BYTES
from .services import Services, services_of
from .throttle import SignInThrottle

__all__ = ["TEMPLATES_DIR", "routes"]

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(invoicer.__file__).resolve().parents[1] / "web" / "templates"

_CSRF_SESSION_KEY = CSRF_SESSION_KEY
_LANGUAGE_SESSION_KEY = "language"
_HOME = "/invoices"

# Offered first in currency lists; a customer or a draft may use any ISO 4217 code.
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK",
              "HUF", "AUD", "CNY", "KWD")

# The standard VAT rate a first line starts with, by the organisation's country; the lines
# after it take their previous line's rate.
_STANDARD_VAT = {"FR": "20", "BE": "21", "DE": "19", "LU": "17", "ES": "21", "IT": "22",
                 "NL": "21", "AT": "20", "PT": "23", "IE": "23", "GB": "20"}

# Two-letter CLDR territories that are not countries a customer lives in.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})

_DRAFTING = frozenset({"draft", "in_review", "approved"})
_AWAITING = frozenset({"finalised", "sent", "partly_paid", "overdue"})
# What the editor offers to download of an issued invoice (GET .../export?format=).
_EXPORTS = (("pdf", "PDF"), ("facturx", "Factur-X"), ("ubl", "UBL"), ("cii", "CII"))
# How a payment was received, as the payment form offers it (free text in the API).
_PAYMENT_METHODS = {
    "transfer": N_("Bank transfer"),
    "card": N_("Card"),
    "cheque": N_("Cheque"),
    "cash": N_("Cash"),
    "other": N_("Other"),
}

# Statuses a live draft can show beyond the life cycle's: a deleted draft's open editors.
_ROOM_STATUS_LABELS = {"deleted": N_("Deleted")}

_NOTICES = {
    "customer_added": ("success", N_("Customer added.")),
    "draft_deleted": ("success", N_("Draft deleted.")),
    "signed_out": ("info", N_("You are signed out.")),
}


# -- rendering --------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
    )
    i18n.install(env)
    return env


templates = Jinja2Templates(env=_environment())


@dataclass(frozen=True)
class Reader:
    """Who reads the page, in which language."""

    user: AuthUser | None
    org: Organization | None
    language: str

    @property
    def permissions(self) -> frozenset[str]:
        if self.user is None:
            return frozenset()
        try:
            return frozenset(p.value for p in ROLE_PERMISSIONS[Role(self.user.role)])
        except ValueError:
            return frozenset()


def _render(
    request: Request, name: str, reader: Reader, *, status_code: int = 200, **context: Any
) -> Response:
    language = reader.language
    base = {
        "lang": language,
        "html_lang": i18n.html_lang(language),
        "languages": i18n.LANGUAGES,
        "user": reader.user,
        "org": reader.org,
        "perms": reader.permissions,
        "csrf_token": csrf_token(request),
        "notice": _notice(request, language),
        "nav": None,
    }
    response = templates.TemplateResponse(request, name, {**base, **context},
                                          status_code=status_code)
    # Pages carry an organisation's data: never kept by a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _notice(request: Request, language: str) -> dict[str, str] | None:
    found = _NOTICES.get(request.query_params.get("done", ""))
    if found is None:
        return None
    kind, text = found
    return {"kind": kind, "text": i18n.gettext(language, text)}


def _error_page(request: Request, reader: Reader, status_code: int) -> Response:
    titles = {
        403: (N_("Not allowed"), N_("Your role does not give access to this page.")),
        404: (N_("Not found"),
              N_("There is nothing at this address, or it is not yours to see.")),
    }
    title, message = titles[status_code]
    return _render(request, "error.html", reader, status_code=status_code,
                   code=status_code,
                   title=i18n.gettext(reader.language, title),
                   message=i18n.gettext(reader.language, message))


# -- who reads --------------------------------------------------------------------------------


def _language(request: Request, user: AuthUser | None) -> str:
    if user is not None and i18n.supported(user.language):
        return i18n.supported(user.language) or i18n.DEFAULT_LANGUAGE
    chosen = i18n.supported(request.session.get(_LANGUAGE_SESSION_KEY))
    return chosen or i18n.negotiate(request.headers.get("accept-language"))


async def _reader(request: Request) -> Reader:
    user = await current_user(request)
    org = await services_of(request).store.organization(user.org_id) if user else None
    return Reader(user=user, org=org, language=_language(request, user))


Endpoint = Callable[[Request], Awaitable[Response]]
PageHandler = Callable[[Request, Reader, AuthUser], Awaitable[Response]]


def page(permission: Permission) -> Callable[[PageHandler], Endpoint]:
    """A page for signed-in members whose role holds `permission`.

    Anyone else is sent to the sign-in page, which comes back here; a member without the
    permission gets a 403 page that says so.
    """
    def decorate(handler: PageHandler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            reader = await _reader(request)
            if reader.user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
            if not can(reader.user.role, permission):
                return _error_page(request, reader, 403)
            return await handler(request, reader, reader.user)
        return endpoint
    return decorate


def _safe_next(value: object) -> str:
    """Only a path of this site: never an address elsewhere (open redirect)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return _HOME
    if "\\" in value or any(ord(char) < 32 for char in value):
        return _HOME
    return value


# -- CSRF -------------------------------------------------------------------------------------


class CsrfRefused(Exception):
    """A form post without this session's token, or from another site."""


def csrf_token(request: Request) -> str:
    """This session's form token, created on first use."""
    token = request.session.get(_CSRF_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF_SESSION_KEY] = token
    return token


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Browsers send Origin on every cross-site POST; without one, the token decides.
        return origin is None
    allowed = {services_of(request).settings.public_origin}
    host = request.headers.get("host")
    if host:
        allowed.update({f"http://{host}", f"https://{host}"})
    return origin.rstrip("/") in allowed


async def _checked_form(request: Request) -> FormData:
    form = await request.form(max_files=0, max_fields=50)
    sent = form.get("csrf_token")
    expected = request.session.get(_CSRF_SESSION_KEY)
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise CsrfRefused("no form token")
    if not secrets.compare_digest(sent, expected) or not _same_origin(request):
        raise CsrfRefused("form token or origin mismatch")
    return form


def _fields(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in names}


# -- sign-in ----------------------------------------------------------------------------------


async def login_page(request: Request) -> Response:
    reader = await _reader(request)
    next_path = _safe_next(request.query_params.get("next"))
    if reader.user is not None:
        return RedirectResponse(next_path, status_code=303)
    if request.method == "GET":
        return _render(request, "login.html", reader, error=None, email="", next=next_path)

    try:
        form = await _checked_form(request)
    except CsrfRefused:
        log.warning("sign-in form refused from %s: bad form token", client_ip(request))
        message = i18n.gettext(reader.language, N_("The form expired. Please sign in again."))
        return _render(request, "login.html", reader, status_code=400, error=message,
                       email="", next=next_path)
    email = str(form.get("email") or "").strip()[:254]
    password = str(form.get("password") or "")
    next_path = _safe_next(form.get("next"))
    throttle = _sign_in_throttle(request)
    wait = throttle.retry_after(email, client_ip(request))
    if wait:
        log.warning("sign-in throttled for %s from %s: %d s", email, client_ip(request), wait)
        message = i18n.gettext(reader.language,
                               N_("Too many attempts. Try again in a few minutes."))
        return _render(request, "login.html", reader, status_code=429, error=message,
                       email=email, next=next_path)
    user = await authenticate(services_of(request).store, email, password) if email else None
    if user is None:
        throttle.failed(email, client_ip(request))
        message = i18n.gettext(reader.language, N_("This email and password do not match."))
        return _render(request, "login.html", reader, status_code=400, error=message,
                       email=email, next=next_path)
    throttle.succeeded(email)
    await login(request, user)
    csrf_token(request)  # a fresh token for the new session
    return RedirectResponse(next_path, status_code=303)


def _sign_in_throttle(request: Request) -> SignInThrottle:
    state = request.app.state
    if not hasattr(state, "sign_in_throttle"):
        state.sign_in_throttle = SignInThrottle()
    return state.sign_in_throttle


async def logout_page(request: Request) -> Response:
    try:
        await _checked_form(request)
    except CsrfRefused:
        return RedirectResponse(_HOME, status_code=303)
    user = await current_user(request)
    logout(request)
    if user is not None:
        log.info("user %s signed out", user.id)
    return RedirectResponse("/login?done=signed_out", status_code=303)


async def language_page(request: Request) -> Response:
    """Switch the reader's language: kept on the user, or in the session before sign-in."""
    try:
        form = await _checked_form(request)
    except CsrfRefused:
        return RedirectResponse(_HOME, status_code=303)
    language = i18n.supported(form.get("language"))
    target = _safe_next(form.get("next"))
    if language is None:
        return RedirectResponse(target, status_code=303)
    user = await current_user(request)
    if user is not None and user.language != language:
        await services_of(request).store.run(_save_language, user, language, client_ip(request))
    request.session[_LANGUAGE_SESSION_KEY] = language
    return RedirectResponse(target, status_code=303)


def _save_language(db: Database, user: AuthUser, language: str, ip: str | None) -> None:
    with db.transaction() as session:
        row = session.get(User, user.id)
        if row is None:
            return
        row.language = language
        session.add(row)
        record_event(session, org_id=user.org_id, user_id=user.id, action="user.language",
                     target=user.id, detail={"language": language}, ip=ip)


# -- invoices ---------------------------------------------------------------------------------


@page(Permission.INVOICE_VIEW)
async def invoice_list(request: Request, reader: Reader, user: AuthUser) -> Response:
    services = services_of(request)
    rows = [await _list_row(services, row) for row in await services.store.board_rows(user.org_id)]
    customers = await services.store.customers(user.org_id)
    return _render(request, "invoices.html", reader, nav="invoices", invoices=rows,
                   customers=customers, stats=_stats(rows, reader.language),
                   import_max_bytes=MAX_IMPORT_BYTES,
                   messages=i18n.browser_messages(reader.language))


async def _list_row(services: Services, row: dict[str, Any]) -> dict[str, Any]:
    updated = row.get("updated_at")
    problems = 0
    if is_editable(row["status"]):
        # The row's total leaves out the values that do not parse: say so next to it.
        document = await services.registry.document_json(row["id"])
        problems = len(read_draft(document).problems)
    return {**row, "updated_at": datetime.fromisoformat(updated) if updated else None,
            "problems": problems}


def _stats(rows: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    statuses = Counter(row["status"] for row in rows)
    overdue = sum(1 for row in rows if row["overdue"])

    def count(wanted: frozenset[str]) -> int:
        return sum(n for status, n in statuses.items() if status in wanted)

    return [
        {"label": i18n.gettext(language, N_("Drafts")), "count": count(_DRAFTING)},
        {"label": i18n.gettext(language, N_("Awaiting payment")), "count": count(_AWAITING)},
        {"label": i18n.gettext(language, N_("Overdue")), "count": overdue},
        {"label": i18n.gettext(language, N_("Settled")), "count": statuses.get("paid", 0)},
    ]


@page(Permission.INVOICE_CREATE)
async def create_invoice(request: Request, reader: Reader, user: AuthUser) -> Response:
    """The list's "New invoice" form: a draft for the chosen customer, then its editor."""
    try:
        form = await _checked_form(request)
    except CsrfRefused:
        return RedirectResponse(_HOME, status_code=303)
    services = services_of(request)
    try:
        customer = await _customer_of(services, user, {
            "customer_id": str(form.get("customer_id") or "") or None,
        })
    except ApiError:
        return RedirectResponse(_HOME, status_code=303)

    meta = await _new_draft_meta(services, user, customer, {})
    invoice = await services.store.create_draft(
        user.org_id, actor_id=user.id, customer_id=meta["customer_id"],
        currency=meta["currency"], issue_date=date.fromisoformat(meta["issue_date"]),
        due_date=date.fromisoformat(meta["due_date"]), language=meta["language"],
        document=initial_update(meta), ip=client_ip(request),
    )
    log.info("user %s created draft invoice %s from the invoice list", user.id, invoice.id)
    await publish_invoice(services.store, services.backends, invoice.id)
    return RedirectResponse(f"/invoices/{invoice.id}", status_code=303)


@page(Permission.INVOICE_VIEW)
async def editor_page(request: Request, reader: Reader, user: AuthUser) -> Response:
    services = services_of(request)
    invoice = await services.store.invoice(user.org_id, request.path_params["invoice_id"])
    if invoice is None:
        return _error_page(request, reader, 404)

    customers = await services.store.customers(user.org_id)
    language = reader.language
    final = is_final(invoice.status)
    can_edit_tax = may_edit_field(user.role, "line.vat_rate")
    return _render(
        request, "editor.html", reader, nav="invoices",
        invoice=invoice,
        finalised_by=await _finaliser_name(services, invoice.finalised_by) if final else "",
        stored_totals=await _stored_totals(services, invoice) if final else None,
        draft_state=None if final else await _draft_state(services, invoice),
        is_credit_note=invoice.type_code == CREDIT_NOTE_TYPE,
        corrects=await _corrected(services, user.org_id, invoice),
        exports=_EXPORTS,
        payment_methods=i18n.labels(language, _PAYMENT_METHODS),
        today=date.today().isoformat(),
        customers=customers,
        currencies=_currencies(invoice.currency, *(c.currency for c in customers)),
        units=i18n.labels(language, i18n.UNIT_LABELS),
        can_edit=may_edit_draft(user.role),
        can_edit_tax=can_edit_tax,
        # Document charges and payment terms change what is owed: the tax roles' fields.
        can_edit_terms=can_edit_tax,
        can_finalize=can(user.role, Permission.INVOICE_FINALIZE),
        # Drafts only: an issued invoice is corrected by a credit note, never deleted.
        can_delete=can(user.role, Permission.INVOICE_DELETE_DRAFT) and is_editable(invoice.status),
        can_record_payment=can(user.role, Permission.PAYMENT_RECORD),
        reference_max=MAX_REFERENCE_LENGTH,
        default_vat_rate=_STANDARD_VAT.get(reader.org.country if reader.org else "", ""),
        messages=i18n.browser_messages(language),
        editor_labels={
            "statuses": i18n.labels(language, {**i18n.STATUS_LABELS, **_ROOM_STATUS_LABELS}),
            "fields": i18n.labels(language, i18n.FIELD_LABELS),
            "problems": i18n.problem_messages(language),
            "mentions": i18n.vat_mentions(language),
            "watchers": _watcher_roles(),
            "methods": i18n.labels(language, _PAYMENT_METHODS),
        },
    )


async def _draft_state(services: Services, invoice: Invoice) -> dict[str, Any]:
    """A draft's totals and problems as the page opens, until the live entry has them."""
    view = draft_view(read_draft(await services.registry.document_json(invoice.id)))
    return {"totals": view["totals"], "problems": view["problems"]}


async def _corrected(services: Services, org_id: str, invoice: Invoice) -> Invoice | None:
    """The invoice a credit note corrects, for the link on its page."""
    if not invoice.corrects_id:
        return None
    return await services.store.invoice(org_id, invoice.corrects_id)


def _watcher_roles() -> list[str]:
    """Roles that only watch drafts: the board and the editor show them as watching."""
    return [role.value for role in Role if not may_edit_draft(role)]


async def _stored_totals(services: Services, invoice: Invoice) -> dict[str, Any]:
    """The totals a finalised invoice was issued with, as its SQL rows hold them."""
    lines = await services.store.invoice_lines(invoice.id)
    return {
        "currency": invoice.currency,
        "net": invoice.net,
        "vat": invoice.vat,
        "gross": invoice.gross,
        "vat_breakdown": invoice.vat_breakdown,
        "lines": [{"id": line.line_key, "net": line.net} for line in lines],
    }


async def _finaliser_name(services: Services, finalised_by: str | None) -> str:
    if not finalised_by:
        return ""
    user = await services.store.user_by_id(finalised_by)
    return user.name if user is not None else finalised_by


def _currencies(*extra: str | None) -> list[str]:
    return list(dict.fromkeys([*CURRENCIES, *(code for code in extra if code)]))


# -- board ------------------------------------------------------------------------------------


@page(Permission.INVOICE_VIEW)
async def board_page(request: Request, reader: Reader, user: AuthUser) -> Response:
    return _render(
        request, "board.html", reader, nav="board",
        messages=i18n.browser_messages(reader.language),
        board_labels={"statuses": i18n.labels(reader.language, i18n.STATUS_LABELS),
                      "watchers": _watcher_roles()},
    )


# -- customers --------------------------------------------------------------------------------

_CUSTOMER_FORM = ("name", "email", "address", "postcode", "city", "country", "vat_number",
                  "currency")


@page(Permission.CUSTOMER_VIEW)
async def customer_list(request: Request, reader: Reader, user: AuthUser) -> Response:
    return await _customers(request, reader, user)


@page(Permission.CUSTOMER_EDIT)
async def add_customer(request: Request, reader: Reader, user: AuthUser) -> Response:
    try:
        form = await _checked_form(request)
    except CsrfRefused:
        return RedirectResponse("/customers", status_code=303)
    typed = _fields(form, _CUSTOMER_FORM)
    try:
        values = _customer_values({name: value or None for name, value in typed.items()})
    except ApiError as error:
        field = str(error.extra.get("field", "name"))
        return await _customers(request, reader, user, typed=typed, status_code=422,
                                errors={field: _field_error(error, reader.language)})
    customer = await services_of(request).store.create_customer(
        user.org_id, values, actor_id=user.id, ip=client_ip(request))
    log.info("user %s created customer %s from the customers page", user.id, customer.id)
    return RedirectResponse("/customers?done=customer_added", status_code=303)


async def _customers(
    request: Request, reader: Reader, user: AuthUser, *, typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, status_code: int = 200,
) -> Response:
    customers = await services_of(request).store.customers(user.org_id)
    return _render(request, "customers.html", reader, status_code=status_code, nav="customers",
                   customers=customers, form=typed or dict.fromkeys(_CUSTOMER_FORM, ""),
                   errors=errors or {}, countries=_countries(reader.language),
                   currencies=_currencies())


# Validation messages (server/validation.py) that the customer form shows in French too;
# the others, which quote the value typed, stay in English.
_VALIDATION_MESSAGES = (N_("is required"),)


def _field_error(error: ApiError, language: str) -> str:
    field = str(error.extra.get("field", ""))
    label = i18n.gettext(language, i18n.CUSTOMER_FIELD_LABELS.get(field, field))
    message = error.message.removeprefix(f"{field}: ")
    return f"{label}: {i18n.gettext(language, message)}"


def _countries(language: str) -> list[tuple[str, str]]:
    names = i18n.territories(language)
    codes = (code for code in names if re.fullmatch("[A-Z]{2}", code))
    return sorted(((code, names[code]) for code in codes if code not in _NOT_COUNTRIES),
                  key=lambda item: item[1])


# -- administration ---------------------------------------------------------------------------


@page(Permission.USER_MANAGE)
async def admin_page(request: Request, reader: Reader, user: AuthUser) -> Response:
    members = await services_of(request).store.run(accounts.list_users, user.org_id)
    return _render(request, "admin.html", reader, nav="admin", members=members,
                   roles=[role.value for role in Role], permissions=permission_table(),
                   messages=i18n.browser_messages(reader.language))


routes = [
    Route("/", invoice_list, methods=["GET"]),
    Route("/login", login_page, methods=["GET", "POST"]),
    Route("/logout", logout_page, methods=["POST"]),
    Route("/language", language_page, methods=["POST"]),
    Route("/invoices", invoice_list, methods=["GET"]),
    Route("/invoices", create_invoice, methods=["POST"]),
    Route("/invoices/{invoice_id}", editor_page, methods=["GET"]),
    Route("/board", board_page, methods=["GET"]),
    Route("/customers", customer_list, methods=["GET"]),
    Route("/customers", add_customer, methods=["POST"]),
    Route("/admin", admin_page, methods=["GET"]),
]
