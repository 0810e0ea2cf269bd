"""Read an XProzess 2 message: the Stammprozess's catalogue data, activity groups and BPMN.

Elements are found by local name: the messages declare the namespace on the root and leave the
children unqualified, but a tool that qualifies them is read the same way. Every message type of
the namespace that carries a process with its model file is read; any other is refused by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ..bpmn.safe_xml import parse_untrusted_xml
from ..catalogue import normalize_leika_key
from ..errors import BpmnParseError, ValidationError
from .archive import unpack_model
from .records import ActivityGroup, LegalBasis, Stammprozess

__all__ = ["MAX_XPROZESS_BYTES", "XPROZESS_NS", "XProzessFile", "read_xprozess"]

XPROZESS_NS = "http://www.regierung-mv.de/xprozess/2"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# The message embeds the model graphic and a report PDF besides the model.
MAX_XPROZESS_BYTES = 60 * 1024 * 1024
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_GROUP_FIELDS = {"referenzaktivitaetengruppeTyp", "subProzessID", "name", "handlungsgrundlage"}


@dataclass(frozen=True)
class XProzessFile:
    """What one XProzess file holds: the Stammprozess and its BPMN, byte for byte."""

    stamm: Stammprozess
    bpmn: bytes
    message_type: str
    product: str | None


def read_xprozess(data: bytes, *, source: str) -> XProzessFile:
    """Parse an XProzess 2 file; raises :class:`BpmnParseError` naming the file and line."""
    tree = parse_untrusted_xml(data, source=source, max_bytes=MAX_XPROZESS_BYTES, long_texts=True)
    root = tree.getroot()
    message_type = etree.QName(root).localname
    namespace = etree.QName(root).namespace
    if namespace != XPROZESS_NS:
        if namespace == BPMN_NS:
            reason = (
                "Das ist eine BPMN-Datei, keine XProzess-Nachricht; "
                "sie wird mit `pmo registry add` registriert."
            )
        else:
            reason = (
                f"Das Wurzelelement <{message_type}> gehört nicht zu XProzess 2 "
                f"(erwarteter Namensraum {XPROZESS_NS})."
            )
        raise BpmnParseError(reason, source=source, line=root.sourceline)
    version = root.get("xprozessVersion")
    if version and not version.strip().startswith("2"):
        raise BpmnParseError(
            f"XProzess-Version {version} wird nicht unterstützt; gelesen wird XProzess 2.",
            source=source,
            line=root.sourceline,
        )
    processes = [p for p in _all(root, "prozess") if _first(p, "prozessmodell") is not None]
    if not processes:
        raise BpmnParseError(
            f"Die XProzess-Nachricht „{message_type}“ enthält keinen Prozess mit Prozessmodell "
            "(prozessbibliothek/prozess/prozessmodell); nur solche Nachrichten, etwa "
            "alleInhalte.export.0303, tragen einen Stammprozess.",
            source=source,
            line=root.sourceline,
        )
    if len(processes) > 1:
        ids = ", ".join(_text(p, "id") or "?" for p in processes)
        raise BpmnParseError(
            f"Die Nachricht enthält {len(processes)} Prozesse ({ids}); bitte jeden "
            "Stammprozess einzeln exportieren und importieren.",
            source=source,
            line=processes[1].sourceline,
        )
    process = processes[0]
    leika = _leika(process, source)
    catalogue = next((c for c in _all(root, "prozessklasse") if _text(c, "id") == leika), None)
    bpmn, file_name = _model(process, source)
    stamm = _stammprozess(leika, process, catalogue, file_name)
    return XProzessFile(stamm, bpmn, message_type, root.get("produkt"))


def _stammprozess(
    leika: str, process: etree._Element, catalogue: etree._Element | None, file_name: str | None
) -> Stammprozess:
    klass = catalogue if catalogue is not None else process
    brief = _first(process, "prozesssteckbrief")
    name = _text(klass, "name") or _text(process, "name") or leika
    state = _first(klass, "zustandsangaben")
    keywords: list[str] = []
    for keyword in _children(klass, "schlagwort"):
        keywords += [k.strip() for k in (keyword.text or "").split("|") if k.strip()]
    coding: list[tuple[str, str]] = []
    if brief is not None:
        for entry in _children(brief, "verwaltungspolitischeKodierung"):
            for code in entry.iter("{*}code"):
                parent = code.getparent()
                kind = etree.QName(parent).localname if parent is not entry else "code"
                if code.text and code.text.strip():
                    coding.append((kind, code.text.strip()))
    detail = _first(brief, "detaillierungsstufe") if brief is not None else None
    return Stammprozess(
        leika=leika,
        name=name,
        version=_text(klass, "version") or _text(process, "version"),
        designation=_text(klass, "bezeichnung"),
        definition=_text(klass, "definition") or _text(brief, "definition"),
        legal_bases=tuple(_legal_basis(e) for e in _children(klass, "handlungsgrundlage")),
        releasing_authority=_label(_first(klass, "fachlichFreigebendeStelle")),
        features=tuple(
            (_text(m, "name") or "", _text(m, "wert") or _label(m) or "")
            for m in _children(klass, "merkmal")
        ),
        classification=tuple(
            (etree.QName(level).localname, _text(level, "code") or "", _text(level, "name"))
            for entry in _children(klass, "klassifikation")
            for level in entry
            if isinstance(level.tag, str)
        ),
        keywords=tuple(dict.fromkeys(keywords)),
        status_code=_text(_first(state, "status"), "code") if state is not None else None,
        dates=_dates(state),
        trigger=_text(brief, "ausloeser"),
        result=_text(brief, "ergebnis"),
        participants=tuple(
            p for p in (_label(e) for e in _children(brief, "prozessteilnehmer")) if p
        ),
        detail_level_code=_text(detail, "code"),
        detail_level_name=_text(detail, "name"),
        coding=tuple(coding),
        activity_groups=tuple(_group(g) for g in _all(process, "aktivitaetengruppe")),
        bpmn_file_name=file_name,
    )


def _model(process: etree._Element, source: str) -> tuple[bytes, str | None]:
    model = _first(process, "prozessmodell")
    files = _all(model, "prozessmodelldatei")
    contents = [(f, _first(f, "inhalt")) for f in files]
    contents = [(f, c) for f, c in contents if c is not None and (c.text or "").strip()]
    if not contents:
        raise BpmnParseError(
            "Der Prozess enthält keine Prozessmodelldatei (prozessmodell/prozessmodelldatei/"
            "inhalt).",
            source=source,
            line=(model if model is not None else process).sourceline,
        )
    problems: list[BpmnParseError] = []
    for holder, content in contents:
        try:
            bpmn, name = unpack_model(content.text or "", source=source, line=content.sourceline)
        except BpmnParseError as err:
            problems.append(err)
            continue
        if b"20100524/MODEL" in bpmn[:4096] or len(contents) == 1:
            return bpmn, name or _text(holder, "dateiname")
    raise (
        problems[0]
        if problems
        else BpmnParseError(
            "Keine der Prozessmodelldateien ist ein BPMN-2.0-Modell.",
            source=source,
            line=contents[0][1].sourceline,
        )
    )


def _leika(process: etree._Element, source: str) -> str:
    raw = _text(process, "id")
    element = _first(process, "id")
    line = (element if element is not None else process).sourceline
    if not raw:
        raise BpmnParseError(
            "Der Prozess hat keine id (LeiKa-Schlüssel).", source=source, line=line
        )
    try:
        key = normalize_leika_key(raw)
    except ValidationError as err:
        raise BpmnParseError(str(err), source=source, line=line) from None
    if key is None or not key.isdigit():
        raise BpmnParseError(
            f"Die Prozess-id „{raw}“ ist kein LeiKa-Schlüssel.", source=source, line=line
        )
    return key


def _group(element: etree._Element) -> ActivityGroup:
    kind = _first(element, "referenzaktivitaetengruppeTyp")
    extra = [child for child in element if isinstance(child.tag, str)]
    extra = [child for child in extra if etree.QName(child).localname not in _GROUP_FIELDS]
    return ActivityGroup(
        sub_process_id=_text(element, "subProzessID") or "",
        name=_text(element, "name"),
        type_code=_text(kind, "code"),
        type_name=_text(kind, "name"),
        legal_bases=tuple(_legal_basis(e) for e in _children(element, "handlungsgrundlage")),
        attributes=tuple(pair for child in extra for pair in _attributes(child)),
        extra=tuple(_xml_text(child) for child in extra),
    )


def _legal_basis(element: etree._Element) -> LegalBasis:
    kind = _first(element, "art")
    return LegalBasis(
        name=_text(element, "name") or _label(element) or "",
        kind_code=_text(kind, "code"),
        kind_name=_text(kind, "name"),
        uri=_text(element, "uri"),
    )


def _dates(state: etree._Element | None) -> dict[str, str]:
    if state is None:
        return {}
    return {path: text for path, text in _leaves(state) if _DATE.match(text)}


def _leaves(element: etree._Element, prefix: str = "") -> list[tuple[str, str]]:
    """(path below ``element``, text) of every element under it that holds text, in order."""
    found: list[tuple[str, str]] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        path = (
            f"{prefix}/{etree.QName(child).localname}" if prefix else etree.QName(child).localname
        )
        if any(isinstance(c.tag, str) for c in child):
            found += _leaves(child, path)
        elif text := " ".join((child.text or "").split()):
            found.append((path, text))
    return found


def _attributes(element: etree._Element) -> list[tuple[str, str]]:
    name = etree.QName(element).localname
    if any(isinstance(c.tag, str) for c in element):
        return _leaves(element, name)
    text = " ".join((element.text or "").split())
    return [(name, text)] if text else []


def _xml_text(element: etree._Element) -> str:
    copy = etree.fromstring(etree.tostring(element))
    # Indentation is layout, not content: dropped so a re-indented export reads back the same.
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    etree.cleanup_namespaces(copy)
    return etree.tostring(copy, encoding="unicode")


def _label(element: etree._Element | None) -> str | None:
    """The readable name of an element that holds either text or a ``name`` child."""
    if element is None:
        return None
    return _text(element, "name") or " ".join("".join(element.itertext()).split()) or None


def _children(parent: etree._Element | None, name: str) -> list[etree._Element]:
    if parent is None:
        return []
    return [c for c in parent if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _first(parent: etree._Element | None, name: str) -> etree._Element | None:
    found = _children(parent, name)
    return found[0] if found else None


def _all(parent: etree._Element | None, name: str) -> list[etree._Element]:
    if parent is None:
        return []
    return list(parent.iter(f"{{*}}{name}"))


def _text(parent: etree._Element | None, name: str) -> str | None:
    element = _first(parent, name)
    if element is None:
        return None
    text = " ".join((element.text or "").split())
    return text or None
