"""Safe XML parsing, and elements that know their own path for error messages.

Invoices arrive from outside: the parser resolves no entity, loads no DTD and reaches no
network, and a document that declares a DTD at all is refused (no invoice needs one, and
entity expansion is the classic way to exhaust a parser).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from lxml import etree

from invoicer.invoicing.money import AmountError, parse_decimal

from .errors import InvoiceFormatError

__all__ = ["MAX_INPUT_BYTES", "Node", "parse_xml"]

MAX_INPUT_BYTES = 20 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    """The root element of `data`, or InvoiceFormatError saying why it is not usable XML."""
    if not isinstance(data, bytes | bytearray):
        raise InvoiceFormatError("", "an invoice file is read as bytes")
    if len(data) > MAX_INPUT_BYTES:
        raise InvoiceFormatError(
            "", f"the file is {len(data)} bytes, more than the {MAX_INPUT_BYTES} accepted"
        )
    if not data.strip():
        raise InvoiceFormatError("", "the file is empty")
    try:
        root = etree.fromstring(bytes(data), parser=_parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise InvoiceFormatError(
            "", f"not well-formed XML at line {line}, column {column}: {error.msg}"
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InvoiceFormatError("", "the file declares a DTD (<!DOCTYPE>); refused")
    return root


class Node:
    """An element plus the prefixes used to name it: reads values and says where they are."""

    def __init__(self, element: etree._Element, prefixes: Mapping[str, str]) -> None:
        self.element = element
        self.prefixes = prefixes  # prefix -> namespace URI; "" for the document's own
        self._names = {uri: prefix for prefix, uri in prefixes.items()}

    # -- navigation --------------------------------------------------------------------------

    def find(self, path: str) -> Node | None:
        found = self.element.find(self._clark(path))
        return None if found is None else Node(found, self.prefixes)

    def findall(self, path: str) -> list[Node]:
        return [Node(item, self.prefixes) for item in self.element.findall(self._clark(path))]

    def _clark(self, path: str) -> str:
        steps = []
        for step in path.split("/"):
            prefix, _, local = step.rpartition(":")
            steps.append(f"{{{self.prefixes[prefix]}}}{local}")
        return "/".join(steps)

    # -- where -------------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The element's path with sibling positions: /Invoice/cac:InvoiceLine[2]/cbc:ID."""
        steps = []
        element: etree._Element | None = self.element
        while element is not None:
            steps.append(self._step(element))
            element = element.getparent()
        return "/" + "/".join(reversed(steps))

    def _step(self, element: etree._Element) -> str:
        qname = etree.QName(element)
        prefix = self._names.get(qname.namespace or "", element.prefix or "")
        name = f"{prefix}:{qname.localname}" if prefix else qname.localname
        parent = element.getparent()
        if parent is None:
            return name
        same = [sibling for sibling in parent if sibling.tag == element.tag]
        return f"{name}[{same.index(element) + 1}]" if len(same) > 1 else name

    def child_path(self, path: str) -> str:
        return f"{self.path}/{path}"

    def error(self, problem: str, path: str = "") -> InvoiceFormatError:
        return InvoiceFormatError(self.child_path(path) if path else self.path, problem)

    # -- values ------------------------------------------------------------------------------

    @property
    def value(self) -> str:
        return (self.element.text or "").strip()

    def attribute(self, name: str) -> str:
        return (self.element.get(name) or "").strip()

    def text(self, path: str) -> str:
        """The stripped text at `path`, or "" when the element is absent."""
        node = self.find(path)
        return node.value if node is not None else ""

    def texts(self, path: str) -> list[str]:
        return [node.value for node in self.findall(path) if node.value]

    def required(self, path: str) -> Node:
        node = self.find(path)
        if node is None:
            raise self.error("missing", path)
        return node

    def required_text(self, path: str) -> str:
        node = self.required(path)
        if not node.value:
            raise node.error("empty")
        return node.value

    def number(self) -> Decimal:
        try:
            return parse_decimal(self.value)
        except AmountError as error:
            raise self.error(error.message) from None

    def decimal(self, path: str) -> Decimal | None:
        """The number at `path`, None when absent; an unreadable number is an error."""
        node = self.find(path)
        return None if node is None else node.number()

    def required_decimal(self, path: str) -> Decimal:
        return self.required(path).number()

    def iso_date(self, path: str) -> date | None:
        """A date written YYYY-MM-DD (UBL), None when absent."""
        node = self.find(path)
        if node is None:
            return None
        try:
            return date.fromisoformat(node.value)
        except ValueError:
            raise node.error(f"«{node.value}» is not a date (YYYY-MM-DD)") from None

    def compact_date(self, path: str) -> date | None:
        """A date written YYYYMMDD, format 102 of UNTDID 2379 (CII), None when absent."""
        node = self.find(path)
        if node is None:
            return None
        text, form = node.value, node.attribute("format") or "102"
        if form != "102":
            raise node.error(f"date format «{form}» is not supported (only 102, YYYYMMDD)")
        if len(text) == 8 and text.isdigit():
            try:
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                pass
        raise node.error(f"«{text}» is not a date (YYYYMMDD)")
