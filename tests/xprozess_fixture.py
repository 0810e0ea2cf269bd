"""Synthetic XProzess 2 files shaped like an ADONIS NP export of a FIM Stammprozess.

The FIM catalogue data carry no stated licence, so no downloaded Stammprozess is committed; these
files are built here with the structure such an export has (issue 16):

- root ``xprozess:alleInhalte.export.0303`` in ``http://www.regierung-mv.de/xprozess/2`` with
  ``produkt``, ``produkthersteller`` and ``xprozessVersion``, unqualified child elements, a
  ``nachrichtenkopf``;
- ``prozesskatalog/prozessklasse`` with the LeiKa key as ``id``, legal bases, keywords, FIM status
  and dates; ``prozessbibliothek/prozess`` with the ``prozesssteckbrief``, the activity groups of
  ``strukturbeschreibungFIM`` (each naming the BPMN ``subProcess`` it is drawn as) and the model
  file, a model graphic and a report PDF, each as base64 of a ZIP with one entry;
- the BPMN: a pool for the responsible authority whose activity groups are collapsed
  sub-processes with ADONIS extension elements, a collapsed participant for the applicant, and
  message flows between the two.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

XPROZESS_NS = "http://www.regierung-mv.de/xprozess/2"
LEIKA = "99050012104000"


@dataclass(frozen=True)
class Group:
    """One activity group: its BPMN sub-process id, name, FIM type and legal bases."""

    sub_process_id: str
    name: str
    type_code: str
    type_name: str | None = None
    legal: Sequence[tuple[str, str]] = ()  # (name, uri)
    attributes: dict[str, str] = field(default_factory=dict)
    inner_tasks: Sequence[str] = ()


DEFAULT_GROUPS: tuple[Group, ...] = (
    Group(
        "sp_antrag",
        "Antrag empfangen",
        "01",
        "Information empfangen",
        legal=(("§ 27 Abs. 1 MuSchG", "https://www.gesetze-im-internet.de/muschg_2018/__27.html"),),
        attributes={"frist": "keine"},
    ),
    Group("sp_formell", "Antrag formell prüfen", "02", "Formelle Prüfung"),
    Group(
        "sp_sachlich",
        "Anspruch sachlich prüfen",
        "03",
        "Sachliche Prüfung",
        legal=(("§ 20 MuSchG", "https://www.gesetze-im-internet.de/muschg_2018/__20.html"),),
    ),
    Group("sp_entscheidung", "Über Antrag entscheiden", "04", "Entscheidung"),
    Group("sp_bescheid", "Bescheid übermitteln", "05", "Information bereitstellen"),
)


def fim_bpmn(
    groups: Sequence[Group] = DEFAULT_GROUPS,
    *,
    process_id: str = "Process_stamm",
    inclusive_between: tuple[str, str] | None = None,
    with_applicant: bool = True,
) -> bytes:
    """The BPMN file an ADONIS NP export embeds: start → each group in turn → end.

    With ``inclusive_between=(a, b)`` the two named sub-processes run between an inclusive split
    and join instead of in sequence (a construct FIM models sometimes use). With
    ``with_applicant=False`` the collapsed applicant pool and its message flows are left out.
    """
    nodes: list[str] = []
    flows: list[tuple[str, str, str]] = []
    shapes: list[str] = []
    x = 180

    def shape(element: str, width: int, height: int, extra: str = "") -> None:
        nonlocal x
        shapes.append(
            f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{extra}>'
            f'<dc:Bounds x="{x}" y="{200 - height // 2}" width="{width}" height="{height}"/>'
            "</bpmndi:BPMNShape>"
        )
        x += width + 50

    nodes.append('<bpmn:startEvent id="start" name="Antrag eingegangen"/>')
    shape("start", 36, 36)
    inclusive = set(inclusive_between or ())
    for group in groups:
        inner = ""
        if group.inner_tasks:
            ids = [f"{group.sub_process_id}_t{n}" for n in range(len(group.inner_tasks))]
            inner = f'<bpmn:startEvent id="{group.sub_process_id}_s"/>' + "".join(
                f'<bpmn:task id="{i}" name={quoteattr(n)}/>'
                for i, n in zip(ids, group.inner_tasks, strict=True)
            )
            inner += f'<bpmn:endEvent id="{group.sub_process_id}_e"/>'
            steps = [f"{group.sub_process_id}_s", *ids, f"{group.sub_process_id}_e"]
            inner += "".join(
                f'<bpmn:sequenceFlow id="{a}_{b}" sourceRef="{a}" targetRef="{b}"/>'
                for a, b in zip(steps, steps[1:], strict=False)
            )
        nodes.append(
            f'<bpmn:subProcess id="{group.sub_process_id}" name={quoteattr(group.name)}>'
            "<bpmn:extensionElements><adonis:attributes>"
            f'<adonis:attribute name="Referenzaktivitätengruppe">{escape(group.type_code)}'
            '</adonis:attribute><adonis:attribute name="ADONIS-Klasse">Aktivitätengruppe'
            "</adonis:attribute></adonis:attributes></bpmn:extensionElements>"
            f"{inner}</bpmn:subProcess>"
        )
        shape(group.sub_process_id, 100, 80, ' isExpanded="false"')
    nodes.append('<bpmn:endEvent id="end" name="Bescheid versandt"/>')
    shape("end", 36, 36)

    ids = [g.sub_process_id for g in groups]
    sequence = ["start"]
    index = 0
    while index < len(ids):
        if ids[index] in inclusive and index + 1 < len(ids) and ids[index + 1] in inclusive:
            nodes.append('<bpmn:inclusiveGateway id="or_split" name="Prüfungen nötig?"/>')
            nodes.append('<bpmn:inclusiveGateway id="or_join"/>')
            shape("or_split", 50, 50)
            shape("or_join", 50, 50)
            flows.append((sequence[-1], "or_split", ""))
            for branch in ids[index : index + 2]:
                flows.append(("or_split", branch, ""))
                flows.append((branch, "or_join", ""))
            sequence.append("or_join")
            index += 2
            continue
        flows.append((sequence[-1], ids[index], ""))
        sequence.append(ids[index])
        index += 1
    flows.append((sequence[-1], "end", ""))

    flow_xml = "".join(
        f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>'
        for n, (a, b, _) in enumerate(flows)
    )
    edges = "".join(
        f'<bpmndi:BPMNEdge id="f{n}_di" bpmnElement="f{n}">'
        '<di:waypoint x="0" y="200"/><di:waypoint x="10" y="200"/></bpmndi:BPMNEdge>'
        for n in range(len(flows))
    ) + "".join(
        f'<bpmndi:BPMNEdge id="{m}_di" bpmnElement="{m}">'
        '<di:waypoint x="0" y="250"/><di:waypoint x="0" y="350"/></bpmndi:BPMNEdge>'
        for m in (("mf_antrag", "mf_bescheid") if with_applicant else ())
    )
    first, last = (ids[0], ids[-1]) if ids else (sequence[0], sequence[-1])
    applicant = applicant_shape = ""
    if with_applicant:
        applicant = f"""
    <bpmn:participant id="Participant_antragsteller" name="Antragstellende Person"/>
    <bpmn:messageFlow id="mf_antrag" name="Antrag" sourceRef="Participant_antragsteller" \
targetRef="{first}"/>
    <bpmn:messageFlow id="mf_bescheid" name="Bescheid" sourceRef="{last}" \
targetRef="Participant_antragsteller"/>"""
        applicant_shape = f"""
      <bpmndi:BPMNShape id="Participant_antragsteller_di" bpmnElement="Participant_antragsteller" \
isHorizontal="true"><dc:Bounds x="100" y="350" width="{x}" height="60"/></bpmndi:BPMNShape>"""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:adonis="http://www.boc-group.com/adonis/bpmn" id="Definitions_stamm" \
targetNamespace="http://www.boc-group.com/bpmn" exporter="ADONIS NP" exporterVersion="15.0">
  <bpmn:collaboration id="Collaboration_stamm">
    <bpmn:participant id="Participant_stelle" name="Zuständige Stelle" processRef="{process_id}"/>\
{applicant}
  </bpmn:collaboration>
  <bpmn:process id="{process_id}" isExecutable="false">
    {"".join(nodes)}
    {flow_xml}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_stamm">
    <bpmndi:BPMNPlane id="Plane_stamm" bpmnElement="Collaboration_stamm">
      <bpmndi:BPMNShape id="Participant_stelle_di" bpmnElement="Participant_stelle" \
isHorizontal="true"><dc:Bounds x="100" y="100" width="{x}" height="200"/></bpmndi:BPMNShape>\
{applicant_shape}
      {"".join(shapes)}
      {edges}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
    return xml.encode("utf-8")


def zipped_base64(name: str, content: bytes) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _code(element: str, code: str, name: str | None = None, list_uri: str = "") -> str:
    named = f"<name>{escape(name)}</name>" if name else ""
    uri = f' listURI="{list_uri}"' if list_uri else ""
    return f'<{element}{uri} listVersionID="1"><code>{escape(code)}</code>{named}</{element}>'


def _legal(legal: Sequence[tuple[str, str]]) -> str:
    return "".join(
        f"<handlungsgrundlage><name>{escape(name)}</name>"
        + _code("art", "01", "Gesetz")
        + f"<uri>{escape(uri)}</uri></handlungsgrundlage>"
        for name, uri in legal
    )


def xprozess_file(
    *,
    bpmn: bytes | None = None,
    groups: Sequence[Group] = DEFAULT_GROUPS,
    leika: str = LEIKA,
    version: str = "1.2",
    name: str = "Mutterschaftsleistungen Zuschuss Zahlung",
    status_code: str = "6",
    lands: Sequence[str] = ("13",),
    legal: Sequence[tuple[str, str]] = (
        ("§ 20 MuSchG", "https://www.gesetze-im-internet.de/muschg_2018/__20.html"),
        ("§ 27 MuSchG", "https://www.gesetze-im-internet.de/muschg_2018/__27.html"),
    ),
    keywords: Sequence[str] = ("Mutterschutz", "Zuschuss", "Arbeitgeber"),
    root: str = "alleInhalte.export.0303",
    bpmn_entry: str = "Stammprozess.bpmn",
    with_attachments: bool = True,
    valid_from: str = "2023-01-01",
    released: str = "2023-03-15",
) -> bytes:
    """An XProzess 2 message holding one Stammprozess (``bpmn`` defaults to :func:`fim_bpmn`)."""
    bpmn = fim_bpmn(groups) if bpmn is None else bpmn
    structure = "".join(
        "<aktivitaetengruppe>"
        + _code("referenzaktivitaetengruppeTyp", g.type_code, g.type_name)
        + f"<subProzessID>{escape(g.sub_process_id)}</subProzessID>"
        + f"<name>{escape(g.name)}</name>"
        + _legal(g.legal)
        + "".join(
            f"<attribut><name>{escape(k)}</name><wert>{escape(v)}</wert></attribut>"
            for k, v in g.attributes.items()
        )
        + "</aktivitaetengruppe>"
        for g in groups
    )
    coding = "".join(
        f"<verwaltungspolitischeKodierung>{_code('bundesland', land)}"
        "</verwaltungspolitischeKodierung>"
        for land in lands
    )
    attachments = ""
    if with_attachments:
        attachments = (
            "<prozessmodellgrafik><dateiname>Stammprozess.png</dateiname><inhalt>"
            + zipped_base64("Stammprozess.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
            + "</inhalt></prozessmodellgrafik>"
            + "<prozessbericht><dateiname>Bericht.pdf</dateiname><inhalt>"
            + zipped_base64("Bericht.pdf", b"%PDF-1.4\n%%EOF\n")
            + "</inhalt></prozessbericht>"
        )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<xprozess:{root} xmlns:xprozess="{XPROZESS_NS}" produkt="ADONIS NP" \
produkthersteller="BOC Information Technologies Consulting GmbH" produktversion="15.0" \
xprozessVersion="2.0">
  <nachrichtenkopf>
    <nachrichtUUID>6f1c1d2e-0000-4000-8000-000000000001</nachrichtUUID>
    <erstellungszeitpunkt>2024-05-02T10:15:00</erstellungszeitpunkt>
    <autor><name>FIM-Redaktion</name></autor>
  </nachrichtenkopf>
  <prozesskatalog>
    <prozessklasse>
      <id>{leika}</id>
      <version>{escape(version)}</version>
      <name>{escape(name)}</name>
      <bezeichnung>{escape(name)} (Stammprozess)</bezeichnung>
      <definition>Der Arbeitgeber erhält auf Antrag einen Zuschuss.</definition>
      {_legal(legal)}
      <fachlichFreigebendeStelle><name>Bundesministerium für Familie</name></fachlichFreigebendeStelle>
      <merkmal><name>Leistungstyp</name><wert>Typ 1</wert></merkmal>
      <klassifikation>{_code("ebene1", "050", "Familie")}{_code("ebene2", "05001", "Mutterschaft")}\
{_code("ebene3", "0500101", "Leistungen")}</klassifikation>
      <schlagwort>{escape("|".join(keywords))}</schlagwort>
      <zustandsangaben>
        {_code("status", status_code)}
        <gueltigkeit><beginn>{valid_from}</beginn></gueltigkeit>
        <fachlicheFreigabe><datum>{released}</datum></fachlicheFreigabe>
        <letzteAenderung>{released}</letzteAenderung>
      </zustandsangaben>
    </prozessklasse>
  </prozesskatalog>
  <prozessbibliothek>
    <prozess>
      <id>{leika}</id>
      <version>{escape(version)}</version>
      <name>{escape(name)}</name>
      <prozesssteckbrief>
        <definition>Der Arbeitgeber erhält auf Antrag einen Zuschuss.</definition>
        <ausloeser>Antrag des Arbeitgebers</ausloeser>
        <ergebnis>Bescheid über den Zuschuss</ergebnis>
        <prozessteilnehmer><name>Arbeitgeber</name></prozessteilnehmer>
        {_code("detaillierungsstufe", "2", "Stammprozess")}
        {coding}
      </prozesssteckbrief>
      <prozessstrukturbeschreibung><strukturbeschreibungFIM>{structure}\
</strukturbeschreibungFIM></prozessstrukturbeschreibung>
      <prozessmodell>
        <prozessmodelldatei><dateiname>{escape(bpmn_entry)}</dateiname>\
<inhalt>{zipped_base64(bpmn_entry, bpmn)}</inhalt></prozessmodelldatei>
        {attachments}
      </prozessmodell>
    </prozess>
  </prozessbibliothek>
</xprozess:{root}>
"""
    return xml.encode("utf-8")
