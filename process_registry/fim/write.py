"""Write an XProzess 2 message (``alleInhalte.export.0303``) for one Stammprozess or local process.

The message has the structure :mod:`.read` reads and the ADONIS NP exports have: root in the
XProzess namespace, unqualified children, the model as a one-entry ZIP in base64. What the reader
kept as uninterpreted XML (type-specific activity-group attributes) is written back unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from lxml import etree

from .archive import pack_model
from .read import XPROZESS_NS
from .records import LegalBasis, Stammprozess

__all__ = ["MESSAGE_TYPE", "write_xprozess"]

MESSAGE_TYPE = "alleInhalte.export.0303"


def write_xprozess(
    stamm: Stammprozess, bpmn: bytes, *, created: dt.datetime, product_version: str
) -> bytes:
    """The XProzess file for ``stamm`` with ``bpmn`` as its model, UTF-8 encoded."""
    root = etree.Element(
        f"{{{XPROZESS_NS}}}{MESSAGE_TYPE}",
        nsmap={"xprozess": XPROZESS_NS},
        attrib={
            "produkt": "pmo",
            "produkthersteller": "pmo contributors",
            "produktversion": product_version,
            "xprozessVersion": "2.0",
        },
    )
    head = _sub(root, "nachrichtenkopf")
    # Derived from the content, so the same export twice is the same message.
    digest = hashlib.sha256(bpmn + repr(stamm.to_dict()).encode()).hexdigest()
    _sub(head, "nachrichtUUID", str(uuid.uuid5(uuid.NAMESPACE_URL, f"pmo:xprozess:{digest}")))
    _sub(head, "erstellungszeitpunkt", created.replace(microsecond=0).isoformat())

    klass = _sub(_sub(root, "prozesskatalog"), "prozessklasse")
    _sub(klass, "id", stamm.leika)
    _sub(klass, "version", stamm.version)
    _sub(klass, "name", stamm.name)
    _sub(klass, "bezeichnung", stamm.designation)
    _sub(klass, "definition", stamm.definition)
    _legal_bases(klass, stamm.legal_bases)
    if stamm.releasing_authority:
        _sub(_sub(klass, "fachlichFreigebendeStelle"), "name", stamm.releasing_authority)
    for name, value in stamm.features:
        feature = _sub(klass, "merkmal")
        _sub(feature, "name", name)
        _sub(feature, "wert", value)
    if stamm.classification:
        classification = _sub(klass, "klassifikation")
        for level, code, name in stamm.classification:
            _code(classification, level, code, name)
    if stamm.keywords:
        _sub(klass, "schlagwort", "|".join(stamm.keywords))
    state = _sub(klass, "zustandsangaben")
    if stamm.status_code:
        _code(state, "status", stamm.status_code)
    for path, day in stamm.dates.items():
        _path(state, path, day)

    process = _sub(_sub(root, "prozessbibliothek"), "prozess")
    _sub(process, "id", stamm.leika)
    _sub(process, "version", stamm.version)
    _sub(process, "name", stamm.name)
    brief = _sub(process, "prozesssteckbrief")
    _sub(brief, "definition", stamm.definition)
    _sub(brief, "ausloeser", stamm.trigger)
    _sub(brief, "ergebnis", stamm.result)
    for participant in stamm.participants:
        _sub(_sub(brief, "prozessteilnehmer"), "name", participant)
    if stamm.detail_level_code:
        _code(brief, "detaillierungsstufe", stamm.detail_level_code, stamm.detail_level_name)
    for kind, code in stamm.coding:
        entry = _sub(brief, "verwaltungspolitischeKodierung")
        _sub(entry if kind == "code" else _sub(entry, kind), "code", code)
    structure = _sub(_sub(process, "prozessstrukturbeschreibung"), "strukturbeschreibungFIM")
    for group in stamm.activity_groups:
        element = _sub(structure, "aktivitaetengruppe")
        if group.type_code:
            _code(element, "referenzaktivitaetengruppeTyp", group.type_code, group.type_name)
        _sub(element, "subProzessID", group.sub_process_id)
        _sub(element, "name", group.name)
        _legal_bases(element, group.legal_bases)
        for extra in group.extra:
            element.append(etree.fromstring(extra))
    model_file = _sub(_sub(process, "prozessmodell"), "prozessmodelldatei")
    file_name = stamm.bpmn_file_name or f"{stamm.leika}.bpmn"
    _sub(model_file, "dateiname", file_name)
    _sub(model_file, "inhalt", pack_model(file_name, bpmn))
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _sub(parent: etree._Element, name: str, text: str | None = "") -> etree._Element:
    if text is None:
        return parent  # an absent optional value writes no element
    element = etree.SubElement(parent, name)
    if text:
        element.text = text
    return element


def _code(parent: etree._Element, name: str, code: str, label: str | None = None) -> None:
    element = _sub(parent, name)
    _sub(element, "code", code)
    if label:
        _sub(element, "name", label)


def _legal_bases(parent: etree._Element, bases: tuple[LegalBasis, ...]) -> None:
    for basis in bases:
        element = _sub(parent, "handlungsgrundlage")
        _sub(element, "name", basis.name)
        if basis.kind_code:
            _code(element, "art", basis.kind_code, basis.kind_name)
        if basis.uri:
            _sub(element, "uri", basis.uri)


def _path(parent: etree._Element, path: str, text: str) -> None:
    *steps, leaf = path.split("/")
    for step in steps:
        last = parent[-1] if len(parent) else None
        parent = last if last is not None and last.tag == step else _sub(parent, step)
    _sub(parent, leaf, text)
