"""Exports of an issued invoice (PDF, Factur-X, CII, UBL) and the watermarked draft preview.

    GET /api/invoices/{id}/export?format=pdf|facturx|cii|ubl   an issued invoice only (409)
    GET /api/invoices/{id}/preview.pdf                          a draft, watermarked

Documents are made in a worker thread (WeasyPrint takes a moment), one at a time: the PDF
libraries underneath are not documented as thread-safe. An amount a format cannot carry
(three decimals in CII or UBL, which allow two) is refused with 422 `export_limit` rather
than rounded.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..einvoice import ExportLimitError, InvoiceDocument, render_pdf, to_cii, to_facturx, to_ubl
from ..einvoice.labels import LANGUAGES
from ..invoicing.draft import read_draft
from ..invoicing.lifecycle import is_final
from ..invoicing.permissions import Permission
from ..storage.models import Invoice
from .api import own_invoice, require
from .documents import document_language, draft_preview_document, issued_document
from .errors import ApiError
from .services import Services, services_of

__all__ = ["FORMATS", "export_bytes", "routes"]

log = logging.getLogger(__name__)

PDF, XML = "application/pdf", "application/xml"
_render_lock = threading.Lock()


@dataclass(frozen=True)
class Format:
    media_type: str
    suffix: str  # of the file name, after the invoice number
    make: Callable[[InvoiceDocument, str], bytes]


FORMATS: dict[str, Format] = {
    "pdf": Format(PDF, ".pdf", lambda doc, language: render_pdf(doc, language)),
    "facturx": Format(PDF, "-facturx.pdf", lambda doc, language: to_facturx(doc, language)),
    "cii": Format(XML, "-cii.xml", lambda doc, language: to_cii(doc)),
    "ubl": Format(XML, "-ubl.xml", lambda doc, language: to_ubl(doc)),
}


def export_bytes(doc: InvoiceDocument, format_name: str, language: str) -> bytes:
    """The document in one of FORMATS; raises ExportLimitError (see einvoice.errors)."""
    with _render_lock:
        return FORMATS[format_name].make(doc, language)


async def export_invoice(request: Request) -> Response:
    user = await require(request, Permission.INVOICE_VIEW)
    services = services_of(request)
    invoice_id = request.path_params["invoice_id"]
    format_name = request.query_params.get("format", "")
    if format_name not in FORMATS:
        raise ApiError(400, "invalid_format",
                       f"format: {format_name[:20]!r} is not one of {', '.join(FORMATS)}",
                       field="format")
    invoice = await own_invoice(services, user, invoice_id)
    if not is_final(invoice.status):
        raise ApiError(409, "not_final", (
            f"invoice {invoice_id} is a draft: only an issued invoice is exported; its "
            f"preview is at /api/invoices/{invoice_id}/preview.pdf"
        ), invoice_status=invoice.status)
    issued = await services.store.issued(user.org_id, invoice_id)
    assert issued is not None
    doc = issued_document(issued)
    language = _language(request, document_language(issued.invoice, issued.org))
    try:
        body = await anyio.to_thread.run_sync(export_bytes, doc, format_name, language)
    except ExportLimitError as error:
        raise ApiError(422, "export_limit", str(error), field=error.field,
                       format=format_name) from None
    log.info("user %s exported invoice %s as %s", user.id, invoice_id, format_name)
    chosen = FORMATS[format_name]
    return _attachment(body, chosen.media_type, f"{doc.number}{chosen.suffix}")


async def preview_pdf(request: Request) -> Response:
    """The draft as it would print today, watermarked; an issued invoice's own PDF."""
    user = await require(request, Permission.INVOICE_VIEW)
    services = services_of(request)
    invoice = await own_invoice(services, user, request.path_params["invoice_id"])
    if is_final(invoice.status):
        issued = await services.store.issued(user.org_id, invoice.id)
        assert issued is not None
        doc, watermark = issued_document(issued), False
        language = _language(request, document_language(invoice, issued.org))
    else:
        doc, language = await _draft_document(services, user.org_id, invoice, request)
        watermark = True
    body = await anyio.to_thread.run_sync(_render_preview, doc, language, watermark)
    name = doc.number if not watermark else f"draft-{invoice.id[:8]}"
    return _attachment(body, PDF, f"{name}.pdf", inline=True)


async def _draft_document(
    services: Services, org_id: str, invoice: Invoice, request: Request
) -> tuple[InvoiceDocument, str]:
    document = await services.registry.document_json(invoice.id)
    draft = read_draft(document)
    org = await services.store.organization(org_id)
    assert org is not None
    customer = (await services.store.customer(org_id, draft.meta.customer_id)
                if draft.meta.customer_id else None)
    root = document.get("payment")
    payment = root if isinstance(root, dict) else {}
    default = draft.meta.language if draft.meta.language in LANGUAGES else None
    language = _language(request, default or document_language(invoice, org))
    return draft_preview_document(org, customer, draft, payment, language), language


def _render_preview(doc: InvoiceDocument, language: str, watermark: bool) -> bytes:
    with _render_lock:
        return render_pdf(doc, language, watermark=watermark)


def _language(request: Request, default: str) -> str:
    language = request.query_params.get("language", default)
    if language not in LANGUAGES:
        raise ApiError.invalid("language",
                               f"{language[:10]!r} is not one of {', '.join(LANGUAGES)}")
    return language


def _attachment(
    body: bytes, media_type: str, filename: str, *, inline: bool = False
) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    disposition = "inline" if inline else "attachment"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{safe}"'})


routes = [
    Route("/api/invoices/{invoice_id}/export", export_invoice, methods=["GET"]),
    Route("/api/invoices/{invoice_id}/preview.pdf", preview_pdf, methods=["GET"]),
]
