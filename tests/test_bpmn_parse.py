"""Parsing BPMN: real files from many tools, every element kind, and hostile uploads."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from process_registry.bpmn import MAX_BPMN_BYTES, parse_bpmn, parse_untrusted_xml
from process_registry.bpmn import safe_xml as safe_xml_module
from process_registry.errors import BpmnParseError

DATA = Path(__file__).parent / "data" / "bpmn"
NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XNS = {"b": NS, "di": "http://www.omg.org/spec/BPMN/20100524/DI"}

MIWG = sorted((DATA / "miwg-reference").glob("*.bpmn"))
TOOL_EXPORTS = sorted((DATA / "miwg-tool-exports").glob("*/C.2.0-export.bpmn"))
VENDOR = sorted((DATA / "bpmn-moddle-vendor").glob("*.bpmn"))
CORPUS = MIWG + TOOL_EXPORTS + VENDOR

# Spelled out rather than imported, so the oracle does not share a mistake with the parser.
FLOW_NODE_XPATH = " | ".join(
    f"//b:{name}"
    for name in (
        "task userTask manualTask serviceTask scriptTask businessRuleTask sendTask receiveTask "
        "subProcess adHocSubProcess transaction callActivity startEvent endEvent "
        "intermediateCatchEvent intermediateThrowEvent boundaryEvent exclusiveGateway "
        "inclusiveGateway parallelGateway complexGateway eventBasedGateway"
    ).split()
)


def _rel(path: Path) -> str:
    return str(path.relative_to(DATA))


def _xpath(data: bytes, expression: str) -> list[str]:
    return [str(v) for v in etree.fromstring(data).xpath(expression, namespaces=XNS)]


def bpmn(body: str, *, extra: str = "", executable: bool = False) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions xmlns="{NS}" id="Defs" targetNamespace="http://example.org">\n'
        f'<process id="P1" isExecutable="{str(executable).lower()}">{body}</process>{extra}\n'
        "</definitions>\n"
    ).encode()


# --- the real corpus -----------------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    assert (len(MIWG), len(TOOL_EXPORTS), len(VENDOR)) == (21, 3, 4)
    assert (DATA / "SOURCES.md").read_text(encoding="utf-8").count("| `") >= 80


@pytest.mark.parametrize("path", CORPUS, ids=_rel)
def test_corpus_file_yields_every_flow_node_and_flow(path: Path) -> None:
    data = path.read_bytes()
    doc = parse_bpmn(data, source=path.name)
    assert {n.id for n in doc.nodes} == set(_xpath(data, f"({FLOW_NODE_XPATH})/@id"))
    assert [f.id for f in doc.sequence_flows] == _xpath(data, "//b:sequenceFlow/@id")
    assert len(doc.message_flows) == len(_xpath(data, "//b:messageFlow"))
    assert len(doc.pools) == len(_xpath(data, "//b:participant"))
    assert len(doc.lanes) == len(_xpath(data, "//b:lane"))
    assert doc.has_diagram_layout


@pytest.mark.parametrize("path", CORPUS, ids=_rel)
def test_corpus_file_summary_is_json(path: Path) -> None:
    summary = parse_bpmn(path.read_bytes()).to_dict()
    assert json.loads(json.dumps(summary)) == summary
    assert set(summary) >= {
        "processes",
        "pools",
        "sequence_flows",
        "message_flows",
        "has_diagram_layout",
    }
    for process in summary["processes"]:
        assert set(process) >= {
            "id",
            "name",
            "pool",
            "lanes",
            "tasks",
            "events",
            "gateways",
            "sub_processes",
            "call_activities",
        }


def test_c20_reference_counts_match_independent_xpath() -> None:
    data = (DATA / "miwg-reference" / "C.2.0.bpmn").read_bytes()
    doc = parse_bpmn(data)
    counts = (len(doc.pools), len(doc.tasks), len(doc.sequence_flows), len(doc.message_flows))
    expected = tuple(
        len(_xpath(data, xp))
        for xp in ("//b:participant", "//b:task", "//b:sequenceFlow", "//b:messageFlow")
    )
    assert counts == expected == (4, 11, 25, 5)


def test_c20_tool_exports_have_the_same_tasks() -> None:
    # The exports differ in capitalisation ("Pick items" vs. "Pick Items"), not in content.
    names = {
        path.parent.name: sorted(t.name.casefold() for t in parse_bpmn(path.read_bytes()).tasks)
        for path in TOOL_EXPORTS
    }
    reference = parse_bpmn((DATA / "miwg-reference" / "C.2.0.bpmn").read_bytes()).tasks
    assert len(names) == 3
    for task_names in names.values():
        assert task_names == sorted(t.name.casefold() for t in reference)
        assert "browse products on amazon" in task_names


def test_adonis_export_parses_fast() -> None:
    data = (DATA / "miwg-tool-exports" / "adonis-17.0" / "C.2.0-export.bpmn").read_bytes()
    parse_bpmn(data)


def test_large_model_parses_in_linear_time() -> None:
    # 4000 tasks in a chain: any quadratic step over elements would take seconds here.
    tasks = "".join(f'<task id="T{i}" name="Schritt {i} prüfen"/>' for i in range(4000))
    flows = "".join(
        f'<sequenceFlow id="F{i}" sourceRef="T{i}" targetRef="T{i + 1}"/>' for i in range(3999)
    )
    doc = parse_bpmn(bpmn(tasks + flows))
    assert len(doc.tasks) == 4000 and len(doc.sequence_flows) == 3999


def test_prefixes_do_not_matter_only_the_namespace() -> None:
    # A.1.0 uses `semantic:`, C.9.1 `bpmn:`, A.4.1 the default namespace.
    for name, prefix in (("A.1.0", "semantic:"), ("C.9.1", "bpmn:"), ("A.4.1", "")):
        data = (DATA / "miwg-reference" / f"{name}.bpmn").read_bytes()
        assert f"<{prefix}task".encode() in data or f"<{prefix}userTask".encode() in data
        assert parse_bpmn(data).tasks


def test_namespace_declared_on_an_inner_element_is_honoured() -> None:
    data = bpmn(
        f'<x:task xmlns:x="{NS}" id="T1" name="Antrag prüfen"/>'
        '<startEvent id="S"/><x:sequenceFlow xmlns:x="' + NS + '" id="F" sourceRef="S" '
        'targetRef="T1"/>'
    )
    doc = parse_bpmn(data)
    assert [t.id for t in doc.tasks] == ["T1"]
    assert [(f.source, f.target) for f in doc.sequence_flows] == [("S", "T1")]


def test_di_namespace_redeclared_as_default_on_an_inner_element() -> None:
    # Case Agile switches the default namespace to BPMN DI on <BPMNDiagram>: shapes must still be
    # recognised as DI, and must not be mistaken for BPMN elements.
    data = (DATA / "bpmn-moddle-vendor" / "case-agile-local-ns-declaration.bpmn").read_bytes()
    assert b'<BPMNDiagram name="Advertise job vacancy"' in data
    doc = parse_bpmn(data)
    assert doc.has_diagram_layout
    assert doc.nodes and all(n.bounds is not None for n in doc.nodes)
    assert doc.di_element_ids >= {f.id for f in doc.sequence_flows}


def test_foreign_namespace_elements_are_ignored() -> None:
    data = bpmn(
        '<extensionElements><ext:task xmlns:ext="http://example.org/ext" id="Fake"/>'
        "</extensionElements>"
        '<ext:userTask xmlns:ext="http://example.org/ext" id="AlsoFake"/>'
        '<task id="Real"/>'
    )
    assert [n.id for n in parse_bpmn(data).nodes] == ["Real"]


def test_yaoqiang_boundary_timer_is_non_interrupting() -> None:
    doc = parse_bpmn((DATA / "bpmn-moddle-vendor" / "yaoqiang-event-definitions.bpmn").read_bytes())
    event = doc.nodes_by_id["ID_UserTimeoutEvent"]
    assert (event.type, event.attached_to, event.cancel_activity) == (
        "boundaryEvent",
        "ID_UserTask",
        False,
    )
    assert [d.type for d in event.event_definitions] == ["timerEventDefinition"]


def test_node_bounds_come_from_the_diagram() -> None:
    data = (DATA / "miwg-reference" / "A.1.0.bpmn").read_bytes()
    doc = parse_bpmn(data)
    task = doc.tasks[0]
    [x] = _xpath(data, f"//di:BPMNShape[@bpmnElement='{task.id}']/*[local-name()='Bounds']/@x")
    assert task.bounds is not None and task.bounds.x == float(x)


ALL_KINDS = bpmn(
    """
    <laneSet id="LS">
      <lane id="L1" name=" Fachdienst   Bürgerservice ">
        <flowNodeRef>Start</flowNodeRef>
        <childLaneSet id="CLS"><lane id="L1a" name="Sachbearbeitung"><flowNodeRef>T1</flowNodeRef>
        </lane></childLaneSet>
      </lane>
    </laneSet>
    <startEvent id="Start" name="Antrag eingegangen"/>
    <userTask id="T1" name="Antrag prüfen"/>
    <exclusiveGateway id="G1" name="vollständig?" default="F_no"/>
    <sequenceFlow id="F1" sourceRef="Start" targetRef="T1"/>
    <sequenceFlow id="F2" sourceRef="T1" targetRef="G1"/>
    <sequenceFlow id="F_yes" name="ja" sourceRef="G1" targetRef="Call">
      <conditionExpression xsi:type="tFormalExpression"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${ok}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="F_no" name="nein" sourceRef="G1" targetRef="Sub"/>
    <callActivity id="Call" name="Bescheid erstellen" calledElement="Bescheid"/>
    <subProcess id="Sub" name="Nachforderung">
      <startEvent id="SubStart"/>
      <transaction id="Tx"><startEvent id="TxStart"/></transaction>
      <adHocSubProcess id="AdHoc"><task id="AdHocTask" name=""/></adHocSubProcess>
      <subProcess id="EventSub" triggeredByEvent="true">
        <startEvent id="EventSubStart" isInterrupting="false">
          <eventDefinitionRef>GlobalTimer</eventDefinitionRef>
        </startEvent>
      </subProcess>
    </subProcess>
    <boundaryEvent id="B1" attachedToRef="T1" cancelActivity="false">
      <messageEventDefinition id="MED"/>
    </boundaryEvent>
    <intermediateThrowEvent id="Link"><linkEventDefinition name="weiter"/></intermediateThrowEvent>
    <intermediateCatchEvent id="Cond"><conditionalEventDefinition>
      <condition>  </condition></conditionalEventDefinition></intermediateCatchEvent>
    <endEvent id="End"/>
    <textAnnotation id="Note"><text>Hinweis</text></textAnnotation>
    <association id="A1" sourceRef="Note" targetRef="T1"/>
    <dataObject id="DO"/><dataObjectReference id="DOR" dataObjectRef="DO"/>
    """,
    extra="""
    <timerEventDefinition id="GlobalTimer"/>
    <collaboration id="C"><participant id="Pool" name="Stadt" processRef="P1"/>
      <participant id="Citizen" name="Bürger"/>
      <messageFlow id="M1" sourceRef="Citizen" targetRef="Start" name="Antrag"/></collaboration>
    """,
)


def test_reads_every_element_kind() -> None:
    doc = parse_bpmn(ALL_KINDS)
    kinds = {n.id: n.kind for n in doc.nodes}
    assert kinds["T1"] == "task" and kinds["Call"] == "call_activity"
    assert {n.id for n in doc.sub_processes} == {"Sub", "Tx", "AdHoc", "EventSub"}
    assert {n.id for n in doc.gateways} == {"G1"}
    assert doc.nodes_by_id["Call"].called_element == "Bescheid"
    assert [p.pool for p in doc.processes] == ["Pool"]
    assert [(p.id, p.process_ref) for p in doc.pools] == [("Pool", "P1"), ("Citizen", None)]
    assert [(m.source, m.target, m.name) for m in doc.message_flows] == [
        ("Citizen", "Start", "Antrag")
    ]
    assert not doc.has_diagram_layout


def test_reads_flow_details_and_default_flow() -> None:
    flows = parse_bpmn(ALL_KINDS).flows_by_id
    assert flows["F_yes"].condition == "${ok}" and flows["F_yes"].name == "ja"
    assert flows["F_no"].is_default and not flows["F_no"].has_condition
    assert not flows["F_yes"].is_default
    assert parse_bpmn(ALL_KINDS).nodes_by_id["G1"].default_flow == "F_no"


def test_reads_nesting() -> None:
    nodes = parse_bpmn(ALL_KINDS).nodes_by_id
    assert (nodes["T1"].process, nodes["T1"].container) == ("P1", "P1")
    assert (nodes["TxStart"].process, nodes["TxStart"].container) == ("P1", "Tx")
    assert nodes["EventSub"].container == "Sub" and nodes["EventSub"].is_event_sub_process


def test_reads_events() -> None:
    nodes = parse_bpmn(ALL_KINDS).nodes_by_id
    assert (nodes["B1"].attached_to, nodes["B1"].cancel_activity) == ("T1", False)
    assert [d.type for d in nodes["B1"].event_definitions] == ["messageEventDefinition"]
    [ref] = nodes["EventSubStart"].event_definitions
    assert (ref.type, ref.id, ref.referenced) == ("timerEventDefinition", "GlobalTimer", True)
    assert not nodes["EventSubStart"].is_interrupting
    assert nodes["Link"].event_definitions[0].name == "weiter"
    assert nodes["Cond"].event_definitions[0].condition == ""


def test_reads_lanes_and_labels() -> None:
    doc = parse_bpmn(ALL_KINDS)
    lanes = {lane.id: lane for lane in doc.lanes}
    assert lanes["L1"].name == "Fachdienst Bürgerservice"
    assert (lanes["L1a"].parent, lanes["L1a"].flow_node_refs) == ("L1", ("T1",))
    assert doc.nodes_by_id["AdHocTask"].name is None
    assert doc.nodes_by_id["SubStart"].name is None


def test_summary_groups_nodes_per_process() -> None:
    [process] = parse_bpmn(ALL_KINDS).to_dict()["processes"]
    assert process["pool"] == "Pool"
    assert {"id": "T1", "name": "Antrag prüfen", "type": "userTask", "container": "P1"} in process[
        "tasks"
    ]
    assert process["call_activities"][0]["called_element"] == "Bescheid"
    assert [lane["id"] for lane in process["lanes"]] == ["L1", "L1a"]


# --- hostile and broken uploads (docs/RELIABILITY.md §6, items 5, 6, 7) -----------------------------


MARKER = "GEHEIM-MARKER-4711"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "geheim.txt"
    path.write_text(MARKER + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=["prescan", "parser-only"])
def layer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run an attack twice: once as deployed, once with the byte pre-scan switched off, so the
    parser configuration and the DOCTYPE check on the parsed tree are tested on their own."""
    if request.param == "parser-only":
        monkeypatch.setattr(safe_xml_module, "_refuse_dtd_bytes", lambda data, source: None)
    return str(request.param)


def _rejected(data: bytes, source: str = "angriff.bpmn") -> BpmnParseError:
    with pytest.raises(BpmnParseError) as info:
        parse_bpmn(data, source=source)
    err = info.value
    assert str(err).startswith(source)
    # Neither a file pulled in by the attack nor the upload's own content is echoed; payloads
    # below carry MARKER in a file, an element name or text.
    assert MARKER not in str(err)
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__)
    return err


def _doctype(entities: str) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE definitions [\n{entities}\n]>\n'


def test_xxe_in_documentation_text_is_refused(secret: Path, layer: str) -> None:
    data = (
        _doctype(f'<!ENTITY xxe SYSTEM "file://{secret}">')
        + f'<definitions xmlns="{NS}"><process id="P"><task id="T">'
        "<documentation>&xxe;</documentation></task></process></definitions>"
    ).encode()
    err = _rejected(data)
    assert "DOCTYPE" in err.reason


def test_xxe_in_name_attribute_is_refused(secret: Path, layer: str) -> None:
    data = (
        _doctype(f'<!ENTITY xxe SYSTEM "file://{secret}">')
        + f'<definitions xmlns="{NS}"><process id="P"><task id="T" name="&xxe;"/>'
        "</process></definitions>"
    ).encode()
    err = _rejected(data)
    # Attributes may not reference external entities at all: without the pre-scan, libxml2
    # itself stops here.
    expected = {"prescan": "DOCTYPE", "parser-only": "externe Entität"}[layer]
    assert expected in err.reason


@pytest.fixture
def http_hits() -> Iterator[tuple[int, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY % leak "x">')

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def test_parameter_entity_with_external_dtd_fetches_nothing(
    http_hits: tuple[int, list[str]], secret: Path, layer: str
) -> None:
    port, hits = http_hits
    data = (
        _doctype(
            f'<!ENTITY % file SYSTEM "file://{secret}">\n'
            f'<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/evil.dtd">\n%p;'
        )
        + f'<definitions xmlns="{NS}"><process id="P"/></definitions>'
    ).encode()
    err = _rejected(data)
    assert "DOCTYPE" in err.reason
    time.sleep(0.2)  # a fetch, had one been started, would have arrived by now
    assert hits == []
    urllib.request.urlopen(f"http://127.0.0.1:{port}/probe", timeout=5).close()
    assert hits == ["/probe"]  # the listener itself works


def test_parser_configuration_alone_resolves_no_external_entity(
    secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both DOCTYPE checks off: what is left is the XMLParser configuration itself.
    monkeypatch.setattr(safe_xml_module, "_refuse_dtd_bytes", lambda data, source: None)
    monkeypatch.setattr(safe_xml_module, "_refuse_dtd_tree", lambda tree, source: None)
    data = (
        _doctype(f'<!ENTITY xxe SYSTEM "file://{secret}">')
        + "<definitions><documentation>&xxe;</documentation></definitions>"
    ).encode()
    tree = parse_untrusted_xml(data, source="x.bpmn")
    assert MARKER.encode() not in etree.tostring(tree)


def test_billion_laughs_is_refused_quickly(layer: str) -> None:
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    data = (
        _doctype("\n".join(entities)) + f'<definitions xmlns="{NS}">&l9;</definitions>'
    ).encode()
    err = _rejected(data)
    assert {"prescan": "DOCTYPE", "parser-only": "Entity-Bombe"}[layer] in err.reason


def test_quadratic_blowup_is_refused_quickly(layer: str) -> None:
    data = (
        _doctype(f'<!ENTITY big "{"x" * 100_000}">')
        + f'<definitions xmlns="{NS}"><documentation>{"&big;" * 2000}</documentation>'
        "</definitions>"
    ).encode()
    err = _rejected(data)
    assert {"prescan": "DOCTYPE", "parser-only": "Entity-Bombe"}[layer] in err.reason


def test_doctype_in_utf16_is_refused(layer: str) -> None:
    text = _doctype('<!ENTITY x "y">') + f'<definitions xmlns="{NS}">&x;</definitions>'
    err = _rejected(text.replace('<?xml version="1.0"?>', "").encode("utf-16"))
    assert "DOCTYPE" in err.reason


def test_deep_nesting_is_refused() -> None:
    depth = 100_000
    tag = MARKER.encode()
    data = f'<definitions xmlns="{NS}">'.encode() + b"<%s>" % tag * depth + b"</%s>" % tag * depth
    err = _rejected(data + b"</definitions>")
    assert "zu tief verschachtelt" in err.reason
    assert err.line == 1


def test_oversize_file_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parser reached")

    monkeypatch.setattr(safe_xml_module.etree, "fromstring", must_not_parse)
    err = _rejected(MARKER.encode() + b" " * MAX_BPMN_BYTES)
    assert "zu groß" in err.reason and "20,0 MiB" in err.reason


def test_file_at_the_size_limit_is_accepted() -> None:
    body = bpmn('<task id="T"/>')
    # Padding in many small comments: libxml2 (rightly) refuses one text run over 10 MB.
    filler = b"<!-- Auffuellung -->\n" * ((MAX_BPMN_BYTES - len(body)) // 21)
    padded = body + filler + b" " * (MAX_BPMN_BYTES - len(body) - len(filler))
    assert len(padded) == MAX_BPMN_BYTES
    assert [t.id for t in parse_bpmn(padded).tasks] == ["T"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "leer"),
        (b"   \n ", "leer"),
        (b"Das ist ein Brief mit GEHEIM-MARKER-4711, kein Modell.", "kein XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00GEHEIM-MARKER-4711", "kein XML"),
        (b"<definitions><GEHEIM-MARKER-4711></definitions>", "Start- und End-Tag"),
        (b"<a>GEHEIM-MARKER-4711</a><GEHEIM-MARKER-4711/>", "weiterer Inhalt"),
    ],
    ids=["empty", "blank", "prose", "binary", "mismatch", "two-roots"],
)
def test_not_xml_is_refused(data: bytes, reason: str) -> None:
    err = _rejected(data)
    assert reason in err.reason
    assert err.line is not None or reason == "leer"


@pytest.mark.parametrize(
    "data",
    [
        b"<definitions>GEHEIM-MARKER-4711</definitions>",
        b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/">GEHEIM-MARKER-4711'
        b"</definitions>",
        f'<process xmlns="{NS}" id="GEHEIM-MARKER-4711"/>'.encode(),
        b'<GEHEIM-MARKER-4711 xes.version="1.0"/>',
    ],
    ids=["no-namespace", "dmn", "process-root", "xes"],
)
def test_xml_that_is_not_bpmn_is_refused(data: bytes) -> None:
    err = _rejected(data)
    assert "keine BPMN-2.0-Datei" in err.reason
    assert err.line == 1


def test_truncated_file_names_the_line() -> None:
    data = (DATA / "miwg-reference" / "A.2.0.bpmn").read_bytes().replace(b"Task", MARKER.encode())
    for fraction in (0.3, 0.6, 0.9):
        cut = data[: int(len(data) * fraction)]
        err = _rejected(cut, source="A.2.0.bpmn")
        last_line = cut.count(b"\n") + 1
        assert err.line == last_line
        assert f"Zeile {last_line}," in str(err)
        assert "endet vorzeitig" in err.reason


def test_untrusted_xml_step_serves_other_formats() -> None:
    tree = parse_untrusted_xml(
        b'<?xml version="1.0"?><!-- Kommentar --><log xes.version="1.0"><?pi x?><trace>'
        b'<string key="concept:name" value="M\xc3\xbcller &amp; S\xc3\xb6hne"/></trace></log>',
        source="log.xes",
    )
    root = tree.getroot()
    assert root.tag == "log"
    assert root.find("trace/string").get("value") == "Müller & Söhne"
    assert all(isinstance(e.tag, str) for e in root.iter())  # comments and PIs dropped


def test_huge_text_node_is_refused() -> None:
    data = bpmn(f'<task id="T"><documentation>{"x" * 11_000_000}</documentation></task>')
    assert "Grenze des XML-Parsers" in _rejected(data).reason


def test_untrusted_xml_step_takes_its_own_size_limit() -> None:
    with pytest.raises(BpmnParseError, match="zu groß"):
        parse_untrusted_xml(b"<log/>" + b" " * 100, source="log.xes", max_bytes=50)


A10 = (DATA / "miwg-reference" / "A.1.0.bpmn").read_bytes()


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_parse_or_raise_bpmn_parse_error(data: bytes) -> None:
    try:
        parse_bpmn(data)
    except BpmnParseError:
        pass


@settings(max_examples=150, deadline=None, database=None)
@given(
    position=st.integers(min_value=0, max_value=len(A10)),
    cut=st.integers(min_value=0, max_value=40),
    insert=st.binary(max_size=12),
)
def test_damaged_real_file_parses_or_raises_bpmn_parse_error(
    position: int, cut: int, insert: bytes
) -> None:
    damaged = A10[:position] + insert + A10[position + cut :]
    try:
        parse_bpmn(damaged, source="A.1.0.bpmn")
    except BpmnParseError as err:
        assert err.source == "A.1.0.bpmn"


def test_parsing_refuses_an_lxml_older_than_5(monkeypatch) -> None:
    """docs/RELIABILITY.md item 10: the safety of the parser rests on lxml ≥ 5's defaults."""
    from lxml import etree

    from process_registry.bpmn.safe_xml import UnsafeXmlRuntimeError

    monkeypatch.setattr(etree, "LXML_VERSION", (4, 9, 3, 0))
    with pytest.raises(UnsafeXmlRuntimeError, match="lxml ≥ 5"):
        parse_bpmn(b"<x/>", source="a.bpmn")
