"""Which parts of the draft an update touches, and whether its author may touch them.

An update is applied to a scratch copy of the room's document and the resulting events are read
back as field names ("meta.currency", "notes", "lines", "line.unit_price" with the line id).
The live document is never touched by an update that is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pycrdt import Array, Doc, Map, MapEvent

from invoicer.invoicing.permissions import may_edit_field

from .draftdoc import ROOTS, extra_roots, roots

AMOUNT_FIELDS = frozenset({"quantity", "unit_price", "vat_rate", "discount"})


@dataclass
class Touched:
    """What one update changes: field names, and per line id the line fields."""

    fields: set[str] = field(default_factory=set)
    lines: dict[str, set[str]] = field(default_factory=dict)
    removed_lines: set[str] = field(default_factory=set)
    unknown_roots: set[str] = field(default_factory=set)


def touched_by(state: bytes, update: bytes) -> Touched:
    """Apply `update` to a copy of the document whose full state is `state` and read the events."""
    scratch: Doc = Doc()
    scratch.apply_update(state)
    return touched_in(scratch, update)


def touched_in(scratch: Doc, update: bytes) -> Touched:
    """Apply `update` to `scratch` (a copy of the live document) and read what it changed."""
    meta, notes, lines = roots(scratch)
    charges, payment = extra_roots(scratch)
    before_ids = _line_ids(lines)
    before_roots = set(scratch.keys())
    touched = Touched()
    line_events: list = []
    subscriptions = [
        (meta, meta.observe(lambda e: touched.fields.update(f"meta.{k}" for k in e.keys))),
        (notes, notes.observe(lambda e: touched.fields.add("notes"))),
        (lines, lines.observe_deep(line_events.extend)),
        (charges, charges.observe_deep(lambda e: touched.fields.add("charges"))),
        (payment, payment.observe(lambda e: touched.fields.update(f"payment.{k}"
                                                                  for k in e.keys))),
    ]
    try:
        scratch.apply_update(update)
    finally:
        for shared, subscription in subscriptions:
            shared.unobserve(subscription)

    touched.unknown_roots = set(scratch.keys()) - before_roots - set(ROOTS)
    for event in line_events:
        _record_line_event(event, lines, touched)
    touched.removed_lines = before_ids - _line_ids(lines)
    return touched


def refusal(
    role: str,
    touched: Touched,
    claims: dict[str, str],
    user_id: str,
    *,
    role_has_every_right: bool = False,
) -> str | None:
    """Why this editor may not apply these changes, or None when they may.

    `claims` maps a line id to the user id holding a claim on it.
    """
    if touched.unknown_roots:
        names = ", ".join(sorted(touched.unknown_roots))[:60]
        return f"unknown part of the document: {names}"
    if role_has_every_right and not claims:
        return None
    for name in sorted(touched.fields):
        if not may_edit_field(role, name):
            return f"your role ({role}) may not change {name}"
    for line_id, names in touched.lines.items():
        for name in sorted(names):
            if not may_edit_field(role, f"line.{name}"):
                return f"your role ({role}) may not change line.{name}"
        holder = claims.get(line_id)
        if holder and holder != user_id and names & AMOUNT_FIELDS:
            return f"line {line_id} is claimed by another editor"
    for line_id in touched.removed_lines:
        holder = claims.get(line_id)
        if holder and holder != user_id:
            return f"line {line_id} is claimed by another editor and cannot be removed"
    return None


def _record_line_event(event: object, lines: Array, touched: Touched) -> None:
    path = list(getattr(event, "path", []))
    if not path:
        # The array itself: lines added, removed or moved.
        touched.fields.add("lines")
        return
    line = lines[path[0]]
    line_id = str(line.get("id")) if isinstance(line, Map) else f"#{path[0]}"
    names = touched.lines.setdefault(line_id, set())
    if len(path) >= 2:
        names.add(str(path[1]))
    elif isinstance(event, MapEvent):
        names.update(str(key) for key in event.keys)


def _line_ids(lines: Array) -> set[str]:
    return {str(line.get("id")) for line in lines if isinstance(line, Map)}
