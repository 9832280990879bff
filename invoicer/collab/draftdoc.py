"""The draft document schema (DESIGN.md section 3) on pycrdt: reading it and seeding it.

Roots: `meta` (Map), `notes` (Text), `lines` (Array of Map, each with a `description` Text).
Amounts are decimal strings. These helpers are the only place that knows the root names.
"""

from __future__ import annotations

import secrets
from typing import Any

from pycrdt import Array, Doc, Map, Text

ROOTS = ("meta", "notes", "lines")
LINE_TEXT_FIELDS = ("description",)
LINE_VALUE_FIELDS = ("quantity", "unit_price", "vat_rate", "discount", "unit",
                     "vat_category", "exemption_reason")


def roots(doc: Doc) -> tuple[Map, Text, Array]:
    """Declare the three roots on `doc` (idempotent) and return them."""
    return doc.get("meta", type=Map), doc.get("notes", type=Text), doc.get("lines", type=Array)


def doc_to_json(doc: Doc) -> dict[str, Any]:
    """The plain JSON shape of the draft that `invoicing.draft.read_draft` reads."""
    meta, notes, lines = roots(doc)
    return {
        "meta": meta.to_py() or {},
        "notes": str(notes),
        "lines": [line.to_py() if isinstance(line, Map) else line for line in lines],
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
    meta: dict[str, Any], notes: str = "", lines: list[dict[str, Any]] | None = None
) -> bytes:
    """One Yjs update that creates a draft with this content (used at creation and by seeds)."""
    doc: Doc = Doc()
    meta_map, notes_text, lines_array = roots(doc)
    with doc.transaction(origin="server"):
        for key, value in meta.items():
            if value is not None:
                meta_map[key] = str(value)
        if notes:
            notes_text += notes
        for values in lines or []:
            lines_array.append(make_line(values))
    return doc.get_update()


def initial_update(meta: dict[str, Any]) -> bytes:
    """The first update of a new draft: its meta fields, no lines yet."""
    return build_update(meta)
