"""The draft document schema (DESIGN.md section 3) on pycrdt: reading it and seeding it.

Roots: `meta` (Map), `notes` (Text), `lines` (Array of Map, each with a `description` Text),
and, for imported invoices, `charges` (Array of Map: document allowances and charges) and
`payment` (Map: terms, prepaid). Amounts are decimal strings. These helpers are the only place
that knows the root names.
"""

from __future__ import annotations

import secrets
from typing import Any

from pycrdt import Array, Doc, Map, Text

ROOTS = ("meta", "notes", "lines", "charges", "payment")
LINE_TEXT_FIELDS = ("description",)
LINE_VALUE_FIELDS = ("quantity", "unit_price", "vat_rate", "discount", "unit",
                     "vat_category", "exemption_reason")


def roots(doc: Doc) -> tuple[Map, Text, Array]:
    """Declare the roots on `doc` (idempotent) and return the three every draft uses."""
    doc.get("charges", type=Array)
    doc.get("payment", type=Map)
    return doc.get("meta", type=Map), doc.get("notes", type=Text), doc.get("lines", type=Array)


def extra_roots(doc: Doc) -> tuple[Array, Map]:
    return doc.get("charges", type=Array), doc.get("payment", type=Map)


def doc_to_json(doc: Doc) -> dict[str, Any]:
    """The plain JSON shape of the draft that `invoicing.draft.read_draft` reads."""
    meta, notes, lines = roots(doc)
    return {
        "meta": meta.to_py() or {},
        "notes": str(notes),
        "lines": [line.to_py() if isinstance(line, Map) else line for line in lines],
        "charges": [c.to_py() if isinstance(c, Map) else c for c in extra_roots(doc)[0]],
        "payment": extra_roots(doc)[1].to_py() or {},
    }


def new_line_id() -> str:
    return secrets.token_hex(6)


def make_line(values: dict[str, Any]) -> Map:
    """A line as a prelim Map, ready to be inserted into `lines`."""
    fields: dict[str, Any] = {"id": str(values.get("id") or new_line_id())}
    fields["description"] = Text(str(values.get("description") or ""))
    for key in LINE_VALUE_FIELDS:
        if values.get(key) is not None:
            fields[key] = str(values[key])
    return Map(fields)


def build_update(
    meta: dict[str, Any],
    notes: str = "",
    lines: list[dict[str, Any]] | None = None,
    *,
    charges: list[dict[str, Any]] | None = None,
    payment: dict[str, Any] | None = None,
) -> bytes:
    """One Yjs update that creates a draft with this content (creation, seeds, imports)."""
    doc: Doc = Doc()
    meta_map, notes_text, lines_array = roots(doc)
    charges_array, payment_map = extra_roots(doc)
    with doc.transaction(origin="server"):
        for key, value in meta.items():
            if value is not None:
                meta_map[key] = str(value)
        if notes:
            notes_text += notes
        for values in lines or []:
            lines_array.append(make_line(values))
        for values in charges or []:
            charges_array.append(Map({k: str(v) for k, v in values.items() if v is not None}))
        for key, value in (payment or {}).items():
            if value is not None and not isinstance(value, (list, dict)):
                payment_map[key] = str(value)
    return doc.get_update()


def initial_update(meta: dict[str, Any]) -> bytes:
    """The first update of a new draft: its meta fields, no lines yet."""
    return build_update(meta)
