"""Importing an e-invoice file (UBL or CII) as a new draft: `POST /api/imports`, and the
preparation the `invoicer import` command shares.

The file is read by `einvoice.read_invoice` (which names the element of any problem), turned
into the draft's JSON shape by `einvoice.draft_document`, and seeded as the draft's first
document update: meta, notes, lines, document allowances and charges (`charges` root), and
payment terms and prepaid amount (`payment` root). The buyer becomes a customer of the
organisation. The importing organisation is the seller now: the file's seller account and
payment reference are not kept (the issued invoice is paid to the organisation's account,
under its own number), and the warnings say so. Storage writes customer, draft and update
in one transaction (storage.imports), so a file that cannot be read, or anything failing on
the way, leaves nothing behind.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..collab.draftdoc import build_update
from ..einvoice import InvoiceDocument, InvoiceFormatError, draft_document, read_invoice
from ..invoicing.draft import read_draft
from ..invoicing.permissions import Permission
from ..invoicing.totals import format_amount
from ..storage.imports import ImportedDraft
from ..storage.models import Organization
from .api import require
from .auth import client_ip
from .board import publish_invoice
from .errors import ApiError
from .services import services_of
from .views import draft_invoice_view

__all__ = ["MAX_IMPORT_BYTES", "PreparedImport", "import_response", "prepare_import", "routes"]

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
_FRENCH_SPEAKING = frozenset({"FR", "BE", "LU", "CH", "MC"})


@dataclass(frozen=True)
class PreparedImport:
    """A file read and turned into what storage.import_draft takes."""

    doc: InvoiceDocument
    content: dict[str, Any]  # the draft's JSON shape, without its customer yet
    buyer: dict[str, str]  # the customer's fields
    language: str

    def document(self, customer_id: str) -> bytes:
        """The draft's first update, its customer set."""
        content = self.content
        return build_update(
            {**content["meta"], "customer_id": customer_id}, content["notes"],
            content["lines"], charges=content["charges"], payment=content["payment"],
        )

    def storage_values(self) -> dict[str, Any]:
        doc = self.doc
        totals = read_draft(self.content).totals
        return {
            "buyer": self.buyer,
            "currency": doc.currency,
            "issue_date": doc.issue_date,
            "due_date": doc.due_date,
            "language": self.language,
            "totals": {name: format_amount(getattr(totals, name), totals.currency)
                       for name in ("net", "vat", "gross")},
            "document": self.document,
            "detail": {"source_number": doc.number, "type_code": doc.type_code,
                       "seller": doc.seller.name, "warnings": len(doc.warnings)},
        }

    def summary(self, imported: ImportedDraft) -> dict[str, Any]:
        doc = self.doc
        return {
            "source_number": doc.number,
            "type_code": doc.type_code,
            "seller": doc.seller.name,
            "customer_id": imported.customer.id,
            "customer_created": imported.customer_created,
            "warnings": self.warnings(),
        }

    def warnings(self) -> list[str]:
        warnings = list(self.doc.warnings)
        if self.doc.is_credit_note:
            warnings.append(
                f"the file is a credit note ({self.doc.type_code}); it became a draft invoice "
                "with the same amounts: a credit note is issued from the invoice it corrects"
            )
        warnings += _dropped_payment_details(self.doc)
        warnings += _foreign_rates(self.doc)
        if self.doc.rounding:
            warnings.append(
                f"the file's rounding amount of {self.doc.rounding} is not kept: a draft has "
                "no rounding amount, so the amount due is the total with VAT less prepaid"
            )
        return warnings


# VAT rates in force in France (CGI art. 278 to 281 nonies), mainland and overseas.
FRENCH_VAT_RATES = frozenset(Decimal(rate) for rate in
                             ("0", "0.9", "1.05", "2.1", "5.5", "8.5", "10", "13", "20"))


def _foreign_rates(doc: Any) -> list[str]:
    """Rates of the file that no French invoice carries: the seller is us now, in France."""
    rates = {line.vat_rate for line in doc.lines if line.vat_category in ("S", "L", "M")}
    foreign = sorted(rate for rate in rates if rate not in FRENCH_VAT_RATES)
    if not foreign:
        return []
    shown = ", ".join(f"{rate.normalize():f} %" for rate in foreign)
    return [f"the file charges VAT at {shown}, not a French rate: check the rates before "
            "finalising, the organisation invoices under French VAT"]


def prepare_import(data: bytes, default_language: str = "fr") -> PreparedImport:
    """Read the file; raises InvoiceFormatError (element path and problem) when it cannot."""
    doc = read_invoice(data)
    buyer = doc.buyer
    if not buyer.name.strip():
        raise InvoiceFormatError("buyer", "the buyer has no name (BT-44)")
    country = buyer.country.upper()
    language = ("fr" if country in _FRENCH_SPEAKING else "en") if country else default_language
    content = draft_document(doc, language=language)
    content["payment"] = _payment_root(content["payment"])
    if doc.delivery_date is not None:
        content["meta"]["delivery_date"] = doc.delivery_date.isoformat()
    return PreparedImport(doc, content, _customer_fields(doc), language)


def _customer_fields(doc: InvoiceDocument) -> dict[str, str]:
    buyer = doc.buyer
    return {
        "name": buyer.name.strip()[:200],
        "email": buyer.email,
        "country": buyer.country.upper(),
        "vat_number": re.sub(r"[\s.\-]", "", buyer.vat_number).upper(),
        "currency": doc.currency,
        "address": "\n".join(buyer.address_lines)[:500],
        "city": buyer.city,
        "postcode": buyer.postcode,
    }


def _payment_root(payment: dict[str, Any]) -> dict[str, Any]:
    """The `payment` root: the file's terms and prepaid amount. Its means (the original
    seller's account) and payment reference are the original seller's, not ours: without
    them the issued invoice is paid to the organisation's account under its own number."""
    root = {key: payment.get(key) for key in ("terms", "prepaid")}
    return {key: value for key, value in root.items() if value not in (None, "")}


def _dropped_payment_details(doc: InvoiceDocument) -> list[str]:
    """One warning per payment detail of the original seller the draft does not keep."""
    warnings = [
        f"the file's payment account {means.iban} ({means.account_name or doc.seller.name}) "
        "is the original seller's and is not kept: the invoice is paid to the "
        "organisation's own account"
        for means in doc.payment_means if means.iban
    ]
    if doc.payment_reference:
        warnings.append(
            f"the file's payment reference «{doc.payment_reference}» is the original "
            "seller's and is not kept: the issued invoice's number is its reference"
        )
    return warnings


# -- the endpoint -------------------------------------------------------------------------------


async def create_import(request: Request) -> Response:
    """201 with the new draft, its customer and what the import had to interpret."""
    user = await require(request, Permission.INVOICE_CREATE)
    services = services_of(request)
    data = await _uploaded_file(request)
    try:
        prepared = prepare_import(data, user.language or "fr")
    except InvoiceFormatError as error:
        raise ApiError(422, "unreadable_invoice", str(error), path=error.path) from None
    imported = await services.store.import_draft(
        user.org_id, actor_id=user.id, ip=client_ip(request), **prepared.storage_values()
    )
    invoice_id = imported.invoice.id
    log.info("user %s imported invoice file %r as draft %s", user.id, prepared.doc.number[:40],
             invoice_id)
    await publish_invoice(services.store, services.backends, invoice_id)
    document = await services.registry.document_json(invoice_id)
    org = await services.store.organization(user.org_id)
    return JSONResponse(import_response(imported, prepared, document, org), status_code=201,
                        headers={"Location": f"/api/invoices/{invoice_id}"})


def import_response(
    imported: ImportedDraft, prepared: PreparedImport, document: dict[str, Any],
    org: Organization | None,
) -> dict[str, Any]:
    view = draft_invoice_view(imported.invoice, document, [], org)
    return {**view, "import": prepared.summary(imported)}


async def _uploaded_file(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_IMPORT_BYTES + 4096:
        raise ApiError(413, "too_large", f"the file is over {MAX_IMPORT_BYTES} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type",
                       "send the invoice file as multipart/form-data, in the field «file»")
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError.invalid("file", "is required: the UBL or CII invoice file")
        data = await upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ApiError(413, "too_large", f"the file is over {MAX_IMPORT_BYTES} bytes")
    if not data.strip():
        raise ApiError.invalid("file", "is empty")
    return data


routes = [Route("/api/imports", create_import, methods=["POST"])]
