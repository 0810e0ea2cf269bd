"""Lint: bpmnlint's own rule examples as the oracle, the rules' exceptions, municipal rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from process_registry.bpmn import (
    LINT_RULES,
    LintContext,
    LintFinding,
    diff_bpmn,
    lint_bpmn,
    parse_bpmn,
)
from tests.xprozess_fixture import fim_bpmn

DATA = Path(__file__).parent / "data" / "bpmn"
EXAMPLES = DATA / "bpmnlint-rule-examples"
NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

REQUIRED_BPMNLINT_RULES = {
    "start-event-required",
    "end-event-required",
    "no-disconnected",
    "no-implicit-start",
    "no-implicit-end",
    "no-implicit-split",
    "no-gateway-join-fork",
    "superfluous-gateway",
    "fake-join",
    "label-required",
    "no-duplicate-sequence-flows",
    "single-blank-start-event",
    "conditional-flows",
    "no-complex-gateway",
    "no-inclusive-gateway",
    "event-based-gateway",
    "single-event-definition",
    "no-bpmndi",
    "link-event",
    "sub-process-blank-start-event",
    "superfluous-termination",
    "ad-hoc-sub-process",
    "conditional-event",
    "event-sub-process-typed-start-event",
}
MUNICIPAL_RULES = {"fim-task-label", "lane-department", "leika-key", "call-activity-resolves"}
NOT_PORTED = {
    "no-overlapping-elements": "layout rule; not ported (bounds are parsed, the rule is optional)",
    "standard-size": "layout rule outside bpmnlint:recommended; not ported",
}
EXAMPLE_RULES = sorted(
    p.name.removesuffix("-correct.bpmn") for p in EXAMPLES.glob("*-correct.bpmn")
)


def bpmn(body: str, *, extra: str = "", executable: bool = False) -> bytes:
    return (
        f'<definitions xmlns="{NS}" id="Defs" targetNamespace="http://example.org">'
        f'<process id="P1" isExecutable="{str(executable).lower()}">{body}</process>{extra}'
        "</definitions>"
    ).encode()


def findings(data: bytes, rule: str, context: LintContext | None = None) -> list[LintFinding]:
    return [f for f in lint_bpmn(parse_bpmn(data), context) if f.rule == rule]


def flagged(data: bytes, rule: str, context: LintContext | None = None) -> set[str]:
    return {f.element for f in findings(data, rule, context)}


# --- bpmnlint oracle -----------------------------------------------------------------------------


def test_examples_cover_every_required_rule() -> None:
    assert set(EXAMPLE_RULES) >= REQUIRED_BPMNLINT_RULES
    assert set(EXAMPLE_RULES) - REQUIRED_BPMNLINT_RULES == set(NOT_PORTED)
    assert set(LINT_RULES) == REQUIRED_BPMNLINT_RULES | MUNICIPAL_RULES


@pytest.mark.parametrize("variant", ["correct", "incorrect"])
@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(rule, marks=pytest.mark.skip(reason=NOT_PORTED[rule]))
        if rule in NOT_PORTED
        else rule
        for rule in EXAMPLE_RULES
    ],
)
def test_bpmnlint_example(rule: str, variant: str) -> None:
    doc = parse_bpmn((EXAMPLES / f"{rule}-{variant}.bpmn").read_bytes(), source=rule)
    hits = [f for f in lint_bpmn(doc) if f.rule == rule]
    if variant == "incorrect":
        assert hits, f"{rule}: expected at least one finding"
        assert {f.severity for f in hits} == {LINT_RULES[rule]}
    else:
        assert hits == []


@pytest.mark.parametrize(
    ("rule", "severity"),
    [
        # bpmnlint:recommended (bpmn-io/bpmnlint config/recommended.js; no-inclusive-gateway
        # became "warn" in bpmnlint#212); conditional-event is only in bpmnlint:all ("error").
        ("fake-join", "warning"),
        ("no-inclusive-gateway", "warning"),
        ("superfluous-gateway", "warning"),
        ("superfluous-termination", "warning"),
        ("no-implicit-split", "error"),
        ("label-required", "error"),
        ("conditional-event", "error"),
        ("no-bpmndi", "error"),
        ("fim-task-label", "warning"),
        ("call-activity-resolves", "warning"),
    ],
)
def test_rule_severity(rule: str, severity: str) -> None:
    assert LINT_RULES[rule] == severity


def test_findings_are_sorted_and_serialisable() -> None:
    doc = parse_bpmn((EXAMPLES / "label-required-incorrect.bpmn").read_bytes())
    result = lint_bpmn(doc)
    assert result == sorted(result, key=lambda f: (f.rule, f.element, f.message))
    assert result[0].to_dict() == {
        "rule": result[0].rule,
        "element": result[0].element,
        "severity": result[0].severity,
        "message": result[0].message,
    }


def test_messages_are_german() -> None:
    doc = parse_bpmn((EXAMPLES / "no-implicit-end-incorrect.bpmn").read_bytes())
    [finding] = [f for f in lint_bpmn(doc) if f.rule == "no-implicit-end"]
    assert "Endereignis" in finding.message


CORPUS = sorted(DATA.glob("miwg-*/**/*.bpmn")) + sorted(DATA.glob("bpmn-moddle-vendor/*.bpmn"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(DATA)))
def test_real_models_lint_with_known_rules(path: Path) -> None:
    doc = parse_bpmn(path.read_bytes())
    context = LintContext(resolve_called_element=lambda key: False, check_catalogue=True)
    ids = {n.id for n in doc.nodes} | {f.id for f in doc.sequence_flows} | {doc.id or ""}
    ids |= {lane.id for lane in doc.lanes} | {p.id for p in doc.pools}
    ids |= {p.id for p in doc.processes} | {a.id for a in doc.artifacts}
    ids |= {d.id for d in doc.data_elements} | {m.id for m in doc.message_flows}
    for finding in lint_bpmn(doc, context):
        assert finding.severity == LINT_RULES[finding.rule]
        assert finding.element in ids


C20 = (DATA / "miwg-reference" / "C.2.0.bpmn").read_bytes()
C20_ELEMENTS = len(etree.fromstring(C20).xpath("//*"))


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.integers(min_value=1, max_value=C20_ELEMENTS - 1), max_size=8))
def test_models_with_missing_parts_still_lint_and_diff(victims: list[int]) -> None:
    # Removing arbitrary elements leaves dangling references (flows without their nodes, lanes
    # naming missing nodes, default flows that are gone): broken models must still be reported on.
    root = etree.fromstring(C20)
    elements = root.xpath("//*")
    for index in sorted(set(victims), reverse=True):
        element = elements[index]
        if element.getparent() is not None:
            element.getparent().remove(element)
    damaged = parse_bpmn(etree.tostring(root))
    context = LintContext(resolve_called_element=lambda key: True, check_catalogue=True)
    assert all(f.rule in LINT_RULES for f in lint_bpmn(damaged, context))
    diff_bpmn(parse_bpmn(C20), damaged)


# --- bpmnlint exceptions that the examples do not show -----------------------------------------

FLOW = '<sequenceFlow id="{0}" sourceRef="{1}" targetRef="{2}"/>'


def _chain(*ids: str) -> str:
    return "".join(FLOW.format(f"F_{a}_{b}", a, b) for a, b in zip(ids, ids[1:], strict=False))


def test_boundary_event_is_no_implicit_start() -> None:
    data = bpmn(
        '<startEvent id="S"/><task id="T"/><endEvent id="E"/><endEvent id="E2"/>'
        '<boundaryEvent id="B" attachedToRef="T"><timerEventDefinition/></boundaryEvent>'
        + _chain("S", "T", "E")
        + _chain("B", "E2")
    )
    assert flagged(data, "no-implicit-start") == set()


def test_event_sub_process_is_neither_disconnected_nor_implicit() -> None:
    data = bpmn(
        '<startEvent id="S"/><endEvent id="E"/>' + _chain("S", "E") + '<subProcess id="ESP" '
        'triggeredByEvent="true"><startEvent id="ES"><messageEventDefinition/></startEvent>'
        '<endEvent id="EE"/>' + _chain("ES", "EE") + "</subProcess>"
    )
    for rule in ("no-disconnected", "no-implicit-start", "no-implicit-end"):
        assert "ESP" not in flagged(data, rule), rule


def test_compensation_boundary_and_handler_are_exempt() -> None:
    data = bpmn(
        '<startEvent id="S"/><task id="T"/><endEvent id="E"/>'
        + _chain("S", "T", "E")
        + '<boundaryEvent id="Comp" attachedToRef="T"><compensateEventDefinition/></boundaryEvent>'
        '<task id="Undo" isForCompensation="true"/>'
        '<association id="A" sourceRef="Comp" targetRef="Undo"/>'
    )
    for rule in ("no-disconnected", "no-implicit-start", "no-implicit-end"):
        assert flagged(data, rule) & {"Comp", "Undo"} == set(), rule


def test_link_events_are_no_implicit_start_or_end() -> None:
    data = bpmn(
        '<startEvent id="S"/><intermediateThrowEvent id="Out"><linkEventDefinition name="A"/>'
        '</intermediateThrowEvent><intermediateCatchEvent id="In"><linkEventDefinition name="A"/>'
        '</intermediateCatchEvent><endEvent id="E"/>' + _chain("S", "Out") + _chain("In", "E")
    )
    assert flagged(data, "no-implicit-start") == set()
    assert flagged(data, "no-implicit-end") == set()
    assert flagged(data, "link-event") == set()


def test_ad_hoc_children_are_exempt_from_flow_rules() -> None:
    data = bpmn(
        '<startEvent id="S"/><adHocSubProcess id="AH"><task id="A" name="Akte lesen"/>'
        '<task id="B" name="Akte ergänzen"/></adHocSubProcess><endEvent id="E"/>'
        + _chain("S", "AH", "E")
    )
    for rule in ("no-disconnected", "no-implicit-start", "no-implicit-end"):
        assert flagged(data, rule) == set(), rule
    assert "AH" not in flagged(data, "start-event-required")


def test_call_activity_is_not_checked_for_disconnection() -> None:
    # bpmnlint's no-disconnected looks at tasks, gateways, sub-processes and events only.
    data = bpmn('<callActivity id="C" calledElement="X"/><task id="T"/>')
    assert flagged(data, "no-disconnected") == {"T"}


def test_conditional_event_is_only_checked_in_executable_processes() -> None:
    body = (
        '<intermediateCatchEvent id="C"><conditionalEventDefinition><condition/>'
        "</conditionalEventDefinition></intermediateCatchEvent>"
    )
    assert flagged(bpmn(body, executable=True), "conditional-event") == {"C"}
    assert flagged(bpmn(body, executable=False), "conditional-event") == set()


def test_referenced_event_definitions_count() -> None:
    data = bpmn(
        '<intermediateCatchEvent id="E"><messageEventDefinition/>'
        "<eventDefinitionRef>Tim</eventDefinitionRef></intermediateCatchEvent>",
        extra='<timerEventDefinition id="Tim"/>',
    )
    assert flagged(data, "single-event-definition") == {"E"}


def test_label_required_exceptions() -> None:
    data = bpmn(
        '<startEvent id="S" name="Start"/><parallelGateway id="Par"/>'
        '<exclusiveGateway id="Join"/><exclusiveGateway id="Fork"/>'
        '<subProcess id="Sub"/><endEvent id="E" name="Ende"/>'
        + _chain("S", "Par", "Join", "Fork")
        + '<sequenceFlow id="Cond" sourceRef="Fork" targetRef="Sub">'
        "<conditionExpression>x</conditionExpression></sequenceFlow>"
        + FLOW.format("Plain", "Fork", "E")
    )
    assert flagged(data, "label-required") == {"Fork", "Cond"}


def test_link_name_falls_back_to_event_name() -> None:
    # Older Camunda Modeler files (like bpmnlint's own examples) name the event, not the
    # definition; the pair below is complete either way.
    data = bpmn(
        '<intermediateThrowEvent id="Out" name="weiter"><linkEventDefinition name=""/>'
        '</intermediateThrowEvent><intermediateCatchEvent id="In">'
        '<linkEventDefinition name="weiter"/></intermediateCatchEvent>'
    )
    assert flagged(data, "link-event") == set()


def test_link_event_without_any_name_is_reported() -> None:
    data = bpmn('<intermediateThrowEvent id="Out"><linkEventDefinition/></intermediateThrowEvent>')
    [finding] = findings(data, "link-event")
    assert (finding.element, finding.message) == ("Out", "Dem Link-Ereignis fehlt ein Linkname.")


def test_superfluous_termination_needs_a_single_possible_end() -> None:
    two_ends = bpmn(
        '<startEvent id="S"/><parallelGateway id="G"/><endEvent id="T">'
        '<terminateEventDefinition/></endEvent><endEvent id="E"/>'
        + _chain("S", "G", "T")
        + FLOW.format("F2", "G", "E")
    )
    one_end = bpmn(
        '<startEvent id="S"/><endEvent id="T"><terminateEventDefinition/></endEvent>'
        + _chain("S", "T")
    )
    assert flagged(two_ends, "superfluous-termination") == set()
    assert flagged(one_end, "superfluous-termination") == {"T"}


def test_no_bpmndi_reports_every_element_without_shape() -> None:
    data = (EXAMPLES / "no-bpmndi-correct.bpmn").read_bytes()
    without_di = data.split(b"<bpmndi:BPMNDiagram")[0] + b"</bpmn:definitions>\n"
    doc = parse_bpmn(without_di)
    assert not doc.has_diagram_layout
    expected = {n.id for n in doc.nodes} | {f.id for f in doc.sequence_flows}
    assert flagged(without_di, "no-bpmndi") == expected


# --- municipal rules -----------------------------------------------------------------------------


def _task(label: str) -> bytes:
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return bpmn(f'<task id="T" name="{escaped}"/>')


@pytest.mark.parametrize(
    "label",
    [
        "Antrag prüfen",
        "Gebühr festsetzen",
        "Unterlagen nachfordern",
        "Bescheid erstellen",
        "Meldedaten ändern",
        "Belege sammeln",
        "Antrag und Unterlagen prüfen",
        "Antrag prüfen (Sachbearbeitung)",
        "E-Mail an Antragsteller versenden",
    ],
)
def test_fim_label_accepts(label: str) -> None:
    assert flagged(_task(label), "fim-task-label") == set()


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        ("Prüfung", "nur aus einem Wort"),
        ("Antrag", "nur aus einem Wort"),
        ("Prüfen", "nur aus einem Wort"),
        ("Prüfen des Antrags", "„Antrags“ ist kein Verb"),
        ("Antragsprüfung durchgeführt", "„durchgeführt“ ist kein Verb"),
        ("Antrag Prüfung", "„Prüfung“ ist kein Verb"),
        ("Check application", "„application“ ist kein Verb"),
        ("Bescheid erstellen und versenden", "mehrere Verrichtungen"),
        ("Antrag prüfen oder ablehnen", "mehrere Verrichtungen"),
    ],
)
def test_fim_label_rejects(label: str, reason: str) -> None:
    [finding] = findings(_task(label), "fim-task-label")
    assert (finding.element, finding.severity) == ("T", "warning")
    assert reason in finding.message


def test_fim_label_leaves_unnamed_tasks_to_label_required() -> None:
    assert flagged(bpmn('<task id="T"/>'), "fim-task-label") == set()


def test_fim_label_applies_to_every_task_type() -> None:
    data = bpmn('<userTask id="U" name="Prüfung"/><serviceTask id="S" name="Daten"/>')
    assert flagged(data, "fim-task-label") == {"U", "S"}


def _lanes(*names: str | None) -> bytes:
    lanes = "".join(
        f'<lane id="L{i}"/>' if name is None else f'<lane id="L{i}" name="{name}"/>'
        for i, name in enumerate(names)
    )
    return bpmn(f'<laneSet id="LS">{lanes}</laneSet>')


@pytest.mark.parametrize(
    ("name", "is_flagged"),
    [
        (None, True),
        ("Lane 1", True),
        ("Bahn 2", True),
        ("Pool", True),
        ("lane_3", True),
        ("7", True),
        ("Fachdienst Bürgerservice", False),
        ("Amt für Soziales", False),
        ("Sachbearbeitung Wohngeld", False),
    ],
)
def test_lane_department_without_list(name: str | None, is_flagged: bool) -> None:
    assert bool(flagged(_lanes(name), "lane-department")) is is_flagged


def test_lane_department_with_department_list() -> None:
    context = LintContext(departments=frozenset({"Fachdienst Bürgerservice", "Ordnungsamt"}))
    data = _lanes("Fachdienst  bürgerservice", "Ordnungsamt", "Standesamt", "Lane 4")
    found = {f.element: f.message for f in findings(data, "lane-department", context)}
    assert set(found) == {"L2", "L3"}
    assert "keine bekannte Organisationseinheit" in found["L2"]
    assert "Platzhalter" in found["L3"]


def test_lane_department_checks_nested_lanes() -> None:
    data = bpmn(
        '<laneSet id="LS"><lane id="Outer" name="Amt 32"><childLaneSet id="CLS">'
        '<lane id="Inner" name="Lane 2"/></childLaneSet></lane></laneSet>'
    )
    assert flagged(data, "lane-department") == {"Inner"}


@pytest.mark.parametrize(
    ("key", "check_catalogue", "is_flagged"),
    [
        (None, False, False),
        ("12", False, False),
        (None, True, True),
        ("", True, True),
        ("keine", True, False),
        ("99050012104000", True, False),
        ("99 0500 12 1040 00", True, False),
        ("12345", True, True),
        ("9905001210400X", True, True),
        ("990500121040001", True, True),
    ],
)
def test_leika_key(key: str | None, check_catalogue: bool, is_flagged: bool) -> None:
    context = LintContext(leika_key=key, check_catalogue=check_catalogue)
    expected = {"Defs"} if is_flagged else set()
    assert flagged(bpmn('<task id="T"/>'), "leika-key", context) == expected


CALLS = bpmn(
    '<callActivity id="Known" calledElement="wohngeld"/>'
    '<callActivity id="Unknown" calledElement="gibt-es-nicht"/>'
    '<callActivity id="Missing"/>'
    '<callActivity id="Local" calledElement="P2"/>'
    '<callActivity id="Global" calledElement="tns:GT"/>',
    extra='<process id="P2"/><globalUserTask id="GT"/>',
)


def test_call_activity_resolves_via_resolver_and_file() -> None:
    asked: list[str] = []

    def resolve(key: str) -> bool:
        asked.append(key)
        return key == "wohngeld"

    context = LintContext(resolve_called_element=resolve)
    assert flagged(CALLS, "call-activity-resolves", context) == {"Unknown", "Missing"}
    assert set(asked) == {"wohngeld", "gibt-es-nicht"}


def test_call_activity_rule_is_skipped_without_resolver() -> None:
    assert flagged(CALLS, "call-activity-resolves") == set()


# --- collapsed sub-processes as placeholders (FIM activity groups, issue 16) ---------------------

DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"


def _with_sub_process(content: str, shape: str | None) -> bytes:
    """A process start → Sub → end; ``shape`` is the sub-process's isExpanded (None: not drawn)."""
    di = ""
    if shape is not None:
        di = (
            f'<bpmndi:BPMNDiagram xmlns:bpmndi="{DI}" xmlns:dc="{DC}"><bpmndi:BPMNPlane '
            'bpmnElement="P1"><bpmndi:BPMNShape bpmnElement="Sub"'
            + (f' isExpanded="{shape}"' if shape else "")
            + '><dc:Bounds x="0" y="0" width="100" height="80"/></bpmndi:BPMNShape>'
            "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
        )
    return bpmn(
        f'<startEvent id="S"/><subProcess id="Sub" name="Prüfen">{content}</subProcess>'
        '<endEvent id="E"/>' + _chain("S", "Sub", "E"),
        extra=di,
    )


@pytest.mark.parametrize("shape", ["false", ""])
def test_empty_collapsed_sub_process_needs_no_start_or_end(shape: str) -> None:
    data = _with_sub_process("", shape)
    assert flagged(data, "start-event-required") == set()
    assert flagged(data, "end-event-required") == set()


@pytest.mark.parametrize("shape", ["true", None])
def test_empty_sub_process_drawn_expanded_or_not_drawn_is_still_reported(
    shape: str | None,
) -> None:
    # bpmnlint's own test case for the rule is an empty sub-process drawn expanded.
    data = _with_sub_process("", shape)
    assert flagged(data, "start-event-required") == {"Sub"}
    assert flagged(data, "end-event-required") == {"Sub"}


def test_collapsed_sub_process_with_content_is_checked_as_before() -> None:
    data = _with_sub_process('<task id="Inner" name="Unterlagen sichten"/>', "false")
    assert flagged(data, "start-event-required") == {"Sub"}
    assert flagged(data, "end-event-required") == {"Sub"}


@pytest.mark.parametrize("inclusive", [None, ("sp_formell", "sp_sachlich")])
def test_fim_stammprozess_lints_without_errors(inclusive: tuple[str, str] | None) -> None:
    result = lint_bpmn(parse_bpmn(fim_bpmn(inclusive_between=inclusive)))
    assert [f for f in result if f.severity == "error"] == []
    # bpmnlint:recommended warns about inclusive gateways; that stays a warning, not an error.
    expected = {("no-inclusive-gateway", "or_split"), ("no-inclusive-gateway", "or_join")}
    assert {(f.rule, f.element) for f in result} == (expected if inclusive else set())
