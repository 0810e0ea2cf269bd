"""The hardened XML step every uploaded XML file (BPMN now, XES later) goes through first.

Safety does not rest on one mechanism (docs/RELIABILITY.md §1): a byte pre-scan refuses DTDs before
libxml2 sees them, the parser itself is configured to resolve nothing and fetch nothing, and the
parsed tree is refused again if it carries a DOCTYPE the pre-scan missed (e.g. in an encoding the
scan does not decode). Messages never quote the document: an error text that echoed content could
leak a file an attacker managed to pull in.
"""

from __future__ import annotations

import re

from lxml import etree

from process_registry.errors import BpmnParseError

__all__ = [
    "HARDENED_PARSER_OPTIONS",
    "MAX_BPMN_BYTES",
    "MAX_XML_DEPTH",
    "MIN_LXML_VERSION",
    "UnsafeXmlRuntimeError",
    "check_xml_runtime",
    "parse_untrusted_xml",
]

# lxml 5.0 stopped resolving external entities by default (LP#1742885); older releases read local
# files through XXE even with no_network=True, so they must never parse an upload.
MIN_LXML_VERSION = (5, 0)


# The parser settings every untrusted XML (BPMN here, XES in mining.ingest.read) is read with: resolve
# nothing, fetch nothing, keep libxml2's depth and size limits, drop comments and PIs.
HARDENED_PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


class UnsafeXmlRuntimeError(RuntimeError):
    """The installed lxml is too old to parse untrusted XML safely: an installation fault."""


def check_xml_runtime() -> None:
    """Fail loudly when the XML stack is unsafe; called before every untrusted parse."""
    if tuple(etree.LXML_VERSION[:2]) < MIN_LXML_VERSION:
        installed = ".".join(str(part) for part in etree.LXML_VERSION)
        raise UnsafeXmlRuntimeError(
            f"lxml {installed} ist installiert; für hochgeladene XML-Dateien ist lxml ≥ 5 "
            "erforderlich (ältere Versionen lösen externe Entitäten auf). Installation prüfen."
        )


MAX_BPMN_BYTES = 20 * 1024 * 1024
# libxml2's own limit without XML_PARSE_HUGE; named here so messages and tests agree with it.
MAX_XML_DEPTH = 256

# Case-insensitive on purpose: `<!doctype` is not well-formed, but there is no reason to let a
# variant reach the parser when refusing it costs nothing.
_DTD_PATTERN = re.compile(rb"<!(?i:doctype|entity)")
_DTD_TEXT_PATTERN = re.compile(r"<!(?i:doctype|entity)")

_DTD_REASON = (
    "Die Datei enthält eine DOCTYPE- oder ENTITY-Deklaration. DTDs sind in hochgeladenen "
    "XML-Dateien aus Sicherheitsgründen nicht erlaubt (BPMN 2.0 und XES brauchen keine)."
)

_RESOURCE_LIMIT = 114  # XML_ERR_RESOURCE_LIMIT: depth, amplification, huge text nodes
# libxml2 error codes (xmlerror.h) that users meet in practice, with a reason they can act on.
_SYNTAX_REASONS: dict[int, str] = {
    4: "Die Datei ist kein XML (am Anfang fehlt ein Element).",
    5: "Nach dem Wurzelelement folgt weiterer Inhalt; die Datei ist kein wohlgeformtes XML.",
    9: "Die Datei enthält ein in XML unzulässiges Zeichen.",
    26: "Die Datei verwendet eine nicht deklarierte Entität.",
    27: "Die Datei verwendet eine nicht deklarierte Entität.",
    29: "Die Datei verweist auf eine externe Entität; das ist nicht erlaubt.",
    73: "Ein Element ist nicht korrekt geschlossen ('>' fehlt).",
    76: "Start- und End-Tag passen nicht zusammen.",
    77: "Die Datei endet vorzeitig (abgeschnitten oder unvollständig gespeichert).",
}


def parse_untrusted_xml(
    data: bytes, *, source: str, max_bytes: int = MAX_BPMN_BYTES, long_texts: bool = False
) -> etree._ElementTree:
    """Parse bytes from an untrusted upload into an lxml tree, or raise ``BpmnParseError``.

    Refuses files over ``max_bytes``, any DTD (DOCTYPE or ENTITY declaration), nesting deeper than
    ``MAX_XML_DEPTH`` and anything that is not well-formed. Comments and processing instructions
    are dropped. Takes bytes, never a path, so no caller can route a URL into a parser.
    """
    check_xml_runtime()
    if len(data) > max_bytes:
        raise BpmnParseError(
            f"Die Datei ist zu groß ({_mib(len(data))} MiB); erlaubt sind höchstens "
            f"{_mib(max_bytes)} MiB.",
            source=source,
        )
    if not data.strip():
        raise BpmnParseError("Die Datei ist leer.", source=source)
    _refuse_dtd_bytes(data, source)
    options = HARDENED_PARSER_OPTIONS
    if long_texts:
        # XProzess carries a model graphic and a report PDF as base64 text, which can pass
        # libxml2's 10 MB text limit. Lifting it (XML_PARSE_HUGE) also lifts the entity and depth
        # limits; entities cannot occur, since every DTD was refused above, and the depth is
        # checked below.
        options = {**HARDENED_PARSER_OPTIONS, "huge_tree": True}
    parser = etree.XMLParser(**options)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line, column = err.position if err.position else (err.lineno, None)
        # `from None`: the lxml message may quote document content; it must not travel along.
        raise BpmnParseError(
            _syntax_reason(err, data), source=source, line=line or None, column=column or None
        ) from None
    tree = root.getroottree()
    _refuse_dtd_tree(tree, source)
    if long_texts:
        _refuse_deep(root, source)
    return tree


def _refuse_deep(root: etree._Element, source: str) -> None:
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_XML_DEPTH:
            raise BpmnParseError(
                f"Die Datei ist zu tief verschachtelt (mehr als {MAX_XML_DEPTH} Ebenen).",
                source=source,
                line=element.sourceline,
            )


def _refuse_dtd_bytes(data: bytes, source: str) -> None:
    match = _DTD_PATTERN.search(data)
    if match is not None:
        line = data.count(b"\n", 0, match.start()) + 1
        raise BpmnParseError(_DTD_REASON, source=source, line=line)
    # A UTF-16 document hides `<!DOCTYPE` from a byte search; decode just enough to look.
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
            if _DTD_TEXT_PATTERN.search(data.decode(encoding, errors="ignore")):
                raise BpmnParseError(_DTD_REASON, source=source)


def _refuse_dtd_tree(tree: etree._ElementTree, source: str) -> None:
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise BpmnParseError(_DTD_REASON, source=source, line=1)


def _syntax_reason(err: etree.XMLSyntaxError, data: bytes) -> str:
    message = err.msg or ""
    if "Excessive depth" in message:
        return (
            f"Die Datei ist zu tief verschachtelt (mehr als {MAX_XML_DEPTH} Ebenen); "
            "das ist bei BPMN nie nötig und wird als Angriff behandelt."
        )
    if "amplification" in message:
        return "Die Datei vervielfacht Entitäten (Entity-Bombe) und wird abgelehnt."
    if err.code == _RESOURCE_LIMIT:
        return "Die Datei überschreitet eine Grenze des XML-Parsers (z. B. Text über 10 MB)."
    if _at_end(err, data):
        return _SYNTAX_REASONS[77]
    return _SYNTAX_REASONS.get(err.code, "Die Datei ist kein wohlgeformtes XML.")


def _at_end(err: etree.XMLSyntaxError, data: bytes) -> bool:
    # A cut-off upload fails wherever the cut fell (inside an attribute, a tag, text); what they
    # have in common is that the parser ran out of bytes, so say that instead of the symptom.
    if not err.position or err.code in (5, 76):  # extra content, tag mismatch: not a cut
        return False
    line, column = err.position
    last_line = data.rsplit(b"\n", 1)[-1].decode("utf-8", errors="ignore")
    return line == data.count(b"\n") + 1 and column > len(last_line.rstrip())


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")
