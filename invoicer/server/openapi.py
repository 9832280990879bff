"""The OpenAPI 3.1 description of the REST API, kept by hand next to the endpoints.

A test checks that every /api route of the application is described here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["openapi_spec"]

_MONEY = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["1250.00"]}
_ID = {"type": "string", "examples": ["3f2c9d1e0b7a4c55a1d2e3f405162738"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    meaning = {
        400: "The body is not a JSON object, or a header is malformed",
        401: "Not authenticated (no session, no token, or an invalid one)",
        403: "Your role does not have the permission",
        404: "No such resource in your organisation",
        409: "Conflict with the resource's state",
        413: "The body is too large",
        415: "The body is not of the expected media type",
        422: "A field is invalid; `field` names it",
    }
    return {str(status): _json(_ref("Error"), meaning[status]) for status in statuses}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_PATH_ID = [{"name": "invoice_id", "in": "path", "required": True, "schema": _ID}]

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "examples": ["invalid"]},
            "message": {"type": "string", "examples": ["currency: 'EURO' is not an ISO 4217 "
                                                       "currency code such as EUR"]},
            "field": {"type": "string"},
            "problems": {"type": "array", "items": _ref("Problem")},
        },
    },
    "Problem": {
        "type": "object",
        "properties": {
            "line": {"type": ["integer", "null"], "description": "1-based line number"},
            "line_id": {"type": ["string", "null"]},
            "field": {"type": "string", "examples": ["unit_price"]},
            "message": {"type": "string"},
            "text": {"type": "string", "examples": ["Line 2, unit_price: «abc» is not a number"]},
            "code": {"type": "string", "examples": ["not_a_number"],
                     "description": "stable code of the message, for translations"},
            "params": {"type": "object", "description": "values the message names"},
        },
    },
    "CustomerInput": {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "maxLength": 200},
            "email": {"type": "string", "format": "email"},
            "country": {"type": "string", "description": "ISO 3166 alpha-2", "examples": ["DE"]},
            "vat_number": {"type": "string", "examples": ["DE136695976"]},
            "currency": {"type": "string", "description": "ISO 4217", "examples": ["EUR"]},
            "address": {"type": "string", "maxLength": 500,
                        "description": "street lines; or the whole address, its last part "
                                       "read as «postcode city» when city and postcode are "
                                       "not given"},
            "city": {"type": "string", "maxLength": 100},
            "postcode": {"type": "string", "maxLength": 20},
        },
    },
    "Customer": {
        "type": "object",
        "properties": {
            "id": _ID, "name": {"type": "string"}, "email": {"type": ["string", "null"]},
            "country": {"type": ["string", "null"]}, "vat_number": {"type": ["string", "null"]},
            "currency": {"type": ["string", "null"]}, "address": {"type": ["string", "null"]},
            "city": {"type": ["string", "null"]}, "postcode": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "InvoiceInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "customer_id": _ID,
            "currency": {"type": "string", "description": "default: the customer's, else "
                                                          "the organisation's"},
            "reference": {"type": "string", "description": "buyer reference / PO"},
        },
    },
    "Line": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "description": {"type": "string"},
            "quantity": {"type": ["string", "null"]}, "unit_price": {"type": ["string", "null"]},
            "vat_rate": {"type": ["string", "null"]}, "discount": {"type": ["string", "null"]},
            "unit": {"type": ["string", "null"]}, "net": {"oneOf": [_MONEY, {"type": "null"}]},
            "vat_category": {"type": ["string", "null"], "description": "UNCL5305: S, Z, E, "
                                                                        "AE, K, G, O, L, M"},
            "exemption_reason": {"type": ["string", "null"]},
        },
    },
    "Charge": {
        "type": "object",
        "description": "A document allowance (is_charge false) or charge, with its VAT",
        "properties": {
            "is_charge": {"type": "boolean"}, "amount": _MONEY,
            "vat_category": {"type": "string"}, "vat_rate": {"type": "string"},
            "reason": {"type": "string"},
        },
    },
    "Payment": {
        "type": "object",
        "properties": {
            "id": _ID, "invoice_id": _ID, "amount": _MONEY, "currency": {"type": "string"},
            "date": {"type": "string", "format": "date"}, "method": {"type": ["string", "null"]},
            "recorded_by": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "Balance": {
        "type": "object",
        "description": "balance = invoiced - credited - paid; negative: the customer's credit",
        "properties": {
            "currency": {"type": "string"}, "invoiced": _MONEY, "credited": _MONEY,
            "paid": _MONEY, "balance": _MONEY,
        },
    },
    "Totals": {
        "type": "object",
        "properties": {
            "currency": {"type": "string"}, "net": _MONEY, "allowance_total": _MONEY,
            "charge_total": _MONEY, "tax_basis": _MONEY, "vat": _MONEY, "gross": _MONEY,
            "prepaid": _MONEY, "rounding": _MONEY, "due": _MONEY,
            "vat_breakdown": {"type": "array", "items": {
                "type": "object",
                "properties": {"category": {"type": "string"}, "rate": {"type": "string"},
                               "base": _MONEY, "amount": _MONEY,
                               "exemption_reason": {"type": ["string", "null"]}},
            }},
        },
    },
    "Invoice": {
        "type": "object",
        "required": ["id", "status", "number", "lines", "totals", "editors"],
        "properties": {
            "id": _ID,
            "status": {"type": "string", "enum": [
                "draft", "in_review", "approved", "finalised", "sent", "partly_paid", "paid",
                "overdue", "cancelled"]},
            "number": {"type": ["string", "null"], "examples": ["F2026-00001"]},
            "type_code": {"type": "string", "enum": ["380", "381"],
                          "description": "380 invoice, 381 credit note (negative amounts)"},
            "customer_id": {"type": ["string", "null"]},
            "currency": {"type": "string"},
            "issue_date": {"type": ["string", "null"], "format": "date"},
            "due_date": {"type": ["string", "null"], "format": "date"},
            "delivery_date": {"type": ["string", "null"], "format": "date",
                              "description": "date of supply (BT-72); issued: the issue "
                                             "date unless the draft gave one"},
            "reference": {"type": ["string", "null"]},
            "notes": {"type": "string"},
            "lines": {"type": "array", "items": _ref("Line")},
            "totals": _ref("Totals"),
            "problems": {"type": "array", "items": _ref("Problem")},
            "editors": {"type": "array", "items": {"type": "object"}},
            "charges": {"type": "array", "items": _ref("Charge")},
            "payment": {"type": "object", "properties": {
                "terms": {"type": "string"}, "reference": {"type": "string"},
                "means": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string", "description": "UNTDID 4461, 58 = SEPA "
                                                              "credit transfer"},
                    "iban": {"type": "string"}, "bic": {"type": "string"},
                    "account_name": {"type": "string"}}}},
            }},
            "exchange_rate": {"type": ["string", "null"],
                              "description": "to the organisation's accounting currency"},
            "corrects": {"type": ["object", "null"], "description": "a credit note's invoice",
                         "properties": {"id": _ID, "number": {"type": "string"}}},
            "settlement": {"type": "object", "description": "issued invoices only",
                           "properties": {
                               "paid": _MONEY, "credited": _MONEY, "outstanding": _MONEY,
                               "payments": {"type": "array", "items": _ref("Payment")},
                               "credit_notes": {"type": "array", "items": {"type": "object"}},
                           }},
        },
    },
    "ChainState": {
        "type": "object",
        "properties": {
            "ok": {"type": "boolean"},
            "count": {"type": "integer", "description": "links verified (before any break)"},
            "length": {"type": "integer"}, "last_hash": {"type": "string"},
            "last_number": {"type": ["string", "null"]},
            "first_break": {"type": ["object", "null"], "properties": {
                "invoice_id": _ID, "number": {"type": ["string", "null"]},
                "chain_index": {"type": ["integer", "null"]}, "reason": {"type": "string"}}},
        },
    },
    "BoardRow": {
        "type": "object",
        "properties": {
            "id": _ID, "number": {"type": ["string", "null"]}, "status": {"type": "string"},
            "type_code": {"type": "string", "description": "380 invoice, 381 credit note"},
            "customer_id": {"type": ["string", "null"]},
            "customer_name": {"type": ["string", "null"]}, "currency": {"type": "string"},
            "net": _MONEY, "vat": _MONEY, "gross": _MONEY,
            "issue_date": {"type": ["string", "null"]}, "due_date": {"type": ["string", "null"]},
            "overdue": {"type": "boolean"}, "editors": {"type": "array"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
}


@cache
def openapi_spec() -> dict[str, Any]:
    """The description served at /api/openapi.json."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Invoicer API",
            "version": "1",
            "description": "Amounts are decimal strings. Errors are {error, message}.",
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": _paths(),
    }


def _paths() -> dict[str, Any]:
    return {
        "/api/me": {"get": {
            "summary": "The authenticated user, organisation and permissions",
            "responses": {"200": _json({"type": "object"}, "The user"), **_errors(401)},
        }},
        "/api/customers": {
            "get": {
                "summary": "The organisation's customers",
                "responses": {"200": _json({"type": "array", "items": _ref("Customer")},
                                           "Customers by name"), **_errors(401, 403)},
            },
            "post": {
                "summary": "Add a customer",
                "requestBody": _body(_ref("CustomerInput")),
                "responses": {"201": _json(_ref("Customer"), "Created"),
                              **_errors(400, 401, 403, 413, 422)},
            },
        },
        "/api/customers/{customer_id}": {
            "get": {
                "summary": "One customer",
                "parameters": [{"name": "customer_id", "in": "path", "required": True,
                                "schema": _ID}],
                "responses": {"200": _json(_ref("Customer"), "The customer"),
                              **_errors(401, 403, 404)},
            },
            "patch": {
                "summary": "Change some of a customer's fields (issued invoices keep theirs)",
                "parameters": [{"name": "customer_id", "in": "path", "required": True,
                                "schema": _ID}],
                "requestBody": _body({**_SCHEMAS["CustomerInput"], "required": []}),
                "responses": {"200": _json(_ref("Customer"), "The customer"),
                              **_errors(400, 401, 403, 404, 413, 422)},
            },
        },
        "/api/invoices": {
            "get": {
                "summary": "The organisation's invoices, most recently changed first",
                "parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "array", "items": _ref("BoardRow")},
                                           "Invoices"), **_errors(401, 403, 422)},
            },
            "post": {
                "summary": "Create a draft (an empty live document)",
                "requestBody": _body(_ref("InvoiceInput")),
                "responses": {"201": _json(_ref("Invoice"), "The new draft"),
                              **_errors(400, 401, 403, 422)},
            },
        },
        "/api/invoices/{invoice_id}": {"get": {
            "summary": "An invoice; a draft is computed from its live document",
            "parameters": _PATH_ID,
            "responses": {"200": _json(_ref("Invoice"), "The invoice"),
                          **_errors(401, 403, 404)},
        }, "delete": {
            "summary": "Delete a draft (an issued invoice is corrected by a credit note)",
            "parameters": _PATH_ID,
            "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404, 409)},
        }},
        "/api/invoices/{invoice_id}/finalize": {"post": {
            "summary": "Finalise a draft: number it and store it immutably",
            "parameters": [*_PATH_ID, {
                "name": "Idempotency-Key", "in": "header", "schema": {"type": "string"},
                "description": "Repeat a request safely: the same key returns the same invoice",
            }],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False,
                "properties": {"exchange_rate": {
                    "type": "string", "examples": ["1.0843"],
                    "description": "rate to the organisation's accounting currency"}},
            }}}},
            "responses": {
                "200": _json(_ref("Invoice"), "The finalised invoice, with its number"),
                **_errors(400, 401, 403, 404, 409, 422),
            },
        }},
        "/api/invoices/{invoice_id}/export": {"get": {
            "summary": "An issued invoice as PDF, Factur-X, CII or UBL",
            "parameters": [*_PATH_ID, {
                "name": "format", "in": "query", "required": True,
                "schema": {"type": "string", "enum": ["pdf", "facturx", "cii", "ubl"]},
            }, {"name": "language", "in": "query", "schema": {"enum": ["fr", "en"]}}],
            "responses": {
                "200": {"description": "The document, with a Content-Disposition file name",
                        "content": {"application/pdf": {}, "application/xml": {}}},
                "400": _json(_ref("Error"), "Unknown format"),
                "409": _json(_ref("Error"), "A draft: only issued invoices are exported"),
                "422": _json(_ref("Error"), "An amount the format cannot carry "
                                            "(export_limit)"),
                **_errors(401, 403, 404),
            },
        }},
        "/api/invoices/{invoice_id}/preview.pdf": {"get": {
            "summary": "A draft as it would print, watermarked (an issued invoice: its PDF)",
            "parameters": [*_PATH_ID, {"name": "language", "in": "query",
                                       "schema": {"enum": ["fr", "en"]}}],
            "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}},
                          **_errors(401, 403, 404)},
        }},
        "/api/invoices/{invoice_id}/credit-note": {"post": {
            "summary": "Issue a credit note (type 381) for the invoice, in full or in part",
            "parameters": _PATH_ID,
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False,
                "properties": {"lines": {"type": "array", "items": {
                    "type": "object", "required": ["id"],
                    "properties": {"id": {"type": "string"}, "quantity": {"type": "string"}},
                }}},
            }}}},
            "responses": {"201": _json(_ref("Invoice"), "The finalised credit note"),
                          **_errors(400, 401, 403, 404, 409, 422)},
        }},
        "/api/invoices/{invoice_id}/payments": {"post": {
            "summary": "Record a payment received for an issued invoice",
            "parameters": _PATH_ID,
            "requestBody": _body({
                "type": "object", "required": ["amount", "date"], "additionalProperties": False,
                "properties": {"amount": _MONEY, "date": {"type": "string", "format": "date"},
                               "method": {"type": "string", "examples": ["transfer"]}},
            }),
            "responses": {"201": _json({"type": "object", "properties": {
                "payment": _ref("Payment"), "invoice": _ref("Invoice")}}, "Recorded"),
                **_errors(400, 401, 403, 404, 409, 422)},
        }},
        "/api/invoices/{invoice_id}/status": {"post": {
            "summary": "Move an invoice along its life cycle (in_review, sent, paid...)",
            "parameters": _PATH_ID,
            "requestBody": _body({"type": "object", "required": ["status"],
                                  "properties": {"status": {"type": "string"}}}),
            "responses": {"200": _json(_ref("BoardRow"), "The invoice as the board shows it"),
                          **_errors(400, 401, 403, 404, 409, 422)},
        }},
        "/api/invoices/{invoice_id}/claims": {"post": {
            "summary": "Claim a line's amounts while editing them (see the live endpoints)",
            "parameters": _PATH_ID,
            "requestBody": _body({"type": "object", "required": ["line_id"],
                                  "properties": {"line_id": {"type": "string"}}}),
            "responses": {"200": _json({"type": "object"}, "The claim"),
                          **_errors(400, 401, 403, 404, 409, 422)},
        }},
        "/api/invoices/{invoice_id}/claims/{line_id}": {"delete": {
            "summary": "Release a line claim",
            "parameters": [*_PATH_ID, {"name": "line_id", "in": "path", "required": True,
                                       "schema": {"type": "string"}}],
            "responses": {"204": {"description": "Released"}, **_errors(401, 403, 404)},
        }},
        "/api/imports": {"post": {
            "summary": "Import a UBL or CII invoice file as a new draft",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }}}},
            "responses": {
                "201": _json(_ref("Invoice"), "The new draft, with `import` (source number, "
                                              "customer, warnings)"),
                "422": _json(_ref("Error"), "The file cannot be read (unreadable_invoice: "
                                            "the message and `path` name the element)"),
                **_errors(401, 403, 413, 415),
            },
        }},
        "/api/customers/{customer_id}/balance": {"get": {
            "summary": "What the customer was invoiced, credited and paid, and owes",
            "parameters": [{"name": "customer_id", "in": "path", "required": True,
                            "schema": _ID}],
            "responses": {"200": _json({"allOf": [_ref("Balance"), {"type": "object",
                          "properties": {"currencies": {"type": "array",
                                                        "items": _ref("Balance")}}}]},
                                       "The balance"),
                          **_errors(401, 403, 404)},
        }},
        "/api/ledger": {"get": {
            "summary": "The organisation's hash chain of issued invoices, verified now",
            "responses": {"200": _json(_ref("ChainState"), "The chain"),
                          **_errors(401, 403)},
        }},
        "/api/board": {"get": {
            "summary": "Every invoice of the organisation as status board rows",
            "responses": {"200": _json({"type": "object", "properties": {
                "rows": {"type": "array", "items": _ref("BoardRow")}}}, "The board"),
                **_errors(401, 403)},
        }},
        "/api/openapi.json": {"get": {
            "summary": "This description", "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1"}},
        }},
    }
