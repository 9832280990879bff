"""Checking an invoice against the official EN 16931 rules (compiled Schematron, XSLT 3.0).

The two stylesheets in `rules/` are the European Commission's (see rules/LICENCE.md). They
run in SaxonC; the result is an SVRL report, and each `svrl:failed-assert` is a rule the
invoice breaks. Compiling a stylesheet takes a moment and much memory, so each is compiled
once per process; SaxonC is not documented as thread-safe, so runs are serialised.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from lxml import etree

from .xmlnode import parse_xml

__all__ = ["Failure", "fatal", "validate"]

Syntax = Literal["cii", "ubl"]

_STYLESHEETS = {"cii": "EN16931-CII-validation.xslt", "ubl": "EN16931-UBL-validation.xslt"}
_SVRL = "http://purl.oclc.org/dsdl/svrl"

_lock = threading.Lock()
_processor: Any = None
_compiled: dict[str, Any] = {}


@dataclass(frozen=True)
class Failure:
    """A rule the invoice breaks: "BR-CO-16", "fatal", where, and the rule's own words."""

    id: str
    flag: str  # "fatal" or "warning"
    location: str  # an XPath to the element
    text: str

    @property
    def is_fatal(self) -> bool:
        return self.flag == "fatal"


def validate(xml: bytes, syntax: Syntax) -> list[Failure]:
    """The EN 16931 rules that `xml` (CII or UBL) breaks, warnings included."""
    if syntax not in _STYLESHEETS:
        raise ValueError(f"syntax must be one of {sorted(_STYLESHEETS)}, not «{syntax}»")
    # Parsed by our hardened parser first: the rules must never see a DTD or an entity.
    text = etree.tostring(parse_xml(xml), encoding="unicode")
    with _lock:
        executable = _stylesheet(syntax)
        node = _processor.parse_xml(xml_text=text)
        report = executable.transform_to_string(xdm_node=node)
    return _failures(report.encode("utf-8"))


def fatal(failures: list[Failure]) -> list[Failure]:
    return [failure for failure in failures if failure.is_fatal]


def _stylesheet(syntax: str) -> Any:
    global _processor
    if syntax not in _compiled:
        # Imported here: the product can run (and import this package) without saxonche.
        from saxonche import PySaxonProcessor

        if _processor is None:
            _processor = PySaxonProcessor(license=False)
        path = resources.files(__package__).joinpath("rules", _STYLESHEETS[syntax])
        with resources.as_file(path) as file:
            compiler = _processor.new_xslt30_processor()
            _compiled[syntax] = compiler.compile_stylesheet(stylesheet_file=str(file))
    return _compiled[syntax]


def _failures(report: bytes) -> list[Failure]:
    root = etree.fromstring(report, parser=etree.XMLParser(resolve_entities=False))
    failures = []
    for node in root.iter(f"{{{_SVRL}}}failed-assert"):
        text = node.findtext(f"{{{_SVRL}}}text") or ""
        failures.append(
            Failure(
                id=node.get("id", ""),
                flag=node.get("flag", "fatal"),
                location=node.get("location", ""),
                text=" ".join(text.split()),
            )
        )
    return failures
