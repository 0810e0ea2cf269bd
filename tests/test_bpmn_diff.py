"""Diff: what changed between two versions of a model, also across tool re-exports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from process_registry.bpmn import BpmnDocument, diff_bpmn, parse_bpmn
from process_registry.bpmn.diff import FlowRef, Relabel, Retype

DATA = Path(__file__).parent / "data" / "bpmn"
NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XNS = {"b": NS}
C20 = DATA / "miwg-reference" / "C.2.0.bpmn"


def bpmn(body: str) -> str:
    return (
        f'<definitions xmlns="{NS}" id="Defs" targetNamespace="http://example.org">'
        f'<process id="P1">{body}</process></definitions>'
    )


def doc(text: str) -> BpmnDocument:
    return parse_bpmn(text.encode())


def edited(data: bytes, edit: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(data)
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def with_fresh_ids(data: bytes) -> bytes:
    """Rewrite every id and every reference to it, as a tool re-export does."""

    def rewrite(root: etree._Element) -> None:
        ids = {value: f"neu-{i}" for i, value in enumerate(root.xpath("//@id"))}
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute, value in element.attrib.items():
                if attribute != "name" and value in ids:
                    element.set(attribute, ids[value])
            if element.text and element.text.strip() in ids:
                element.text = ids[element.text.strip()]

    return edited(data, rewrite)


BASE = bpmn(
    '<startEvent id="S" name="Antrag eingegangen"/><task id="T1" name="Antrag prüfen"/>'
    '<exclusiveGateway id="G" name="vollständig?"/><endEvent id="E" name="erledigt"/>'
    '<task id="T2" name="Unterlagen nachfordern"/>'
    '<sequenceFlow id="F1" sourceRef="S" targetRef="T1"/>'
    '<sequenceFlow id="F2" sourceRef="T1" targetRef="G"/>'
    '<sequenceFlow id="F3" name="ja" sourceRef="G" targetRef="E">'
    "<conditionExpression>${ok}</conditionExpression></sequenceFlow>"
    '<sequenceFlow id="F4" name="nein" sourceRef="G" targetRef="T2"/>'
    '<sequenceFlow id="F5" sourceRef="T2" targetRef="T1"/>'
)


def test_identical_models_have_an_empty_diff() -> None:
    diff = diff_bpmn(doc(BASE), doc(BASE))
    assert diff.is_empty
    assert all(entries == [] for entries in diff.to_dict().values())


def test_miwg_model_with_renamed_task_and_removed_flow() -> None:
    data = C20.read_bytes()
    root = etree.fromstring(data)
    task = root.xpath("//b:task[@name='Pick items']", namespaces=XNS)[0]
    flow = root.xpath("//b:sequenceFlow", namespaces=XNS)[3]
    task_id, flow_id = task.get("id"), flow.get("id")

    def change(tree: etree._Element) -> None:
        tree.xpath(f"//b:task[@id='{task_id}']", namespaces=XNS)[0].set(
            "name", "Ware kommissionieren"
        )
        doomed = tree.xpath(f"//b:sequenceFlow[@id='{flow_id}']", namespaces=XNS)[0]
        doomed.getparent().remove(doomed)

    diff = diff_bpmn(parse_bpmn(data), parse_bpmn(edited(data, change)))
    assert diff.relabelled == (Relabel(task_id, "task", "Pick items", "Ware kommissionieren"),)
    assert [f.id for f in diff.flows_removed] == [flow_id]
    assert (diff.added, diff.removed, diff.retyped) == ((), (), ())
    assert (diff.flows_added, diff.flows_changed, diff.id_changes) == ((), (), ())
    assert not diff.is_empty


def test_added_task_and_rewired_flow() -> None:
    new = BASE.replace(
        '<sequenceFlow id="F2" sourceRef="T1" targetRef="G"/>',
        '<task id="T3" name="Gebühr festsetzen"/>'
        '<sequenceFlow id="F2" sourceRef="T1" targetRef="T3"/>'
        '<sequenceFlow id="F6" sourceRef="T3" targetRef="G"/>',
    )
    diff = diff_bpmn(doc(BASE), doc(new))
    assert [(e.id, e.kind, e.name) for e in diff.added] == [("T3", "task", "Gebühr festsetzen")]
    assert diff.flows_added == (FlowRef("F6", "T3", "G", None, None),)
    [change] = diff.flows_changed
    assert (change.id, change.changed, change.old.target, change.new.target) == (
        "F2",
        ("target",),
        "G",
        "T3",
    )
    assert diff.removed == () and diff.flows_removed == ()


def test_removed_task() -> None:
    new = BASE.replace('<task id="T2" name="Unterlagen nachfordern"/>', "")
    new = new.replace('<sequenceFlow id="F5" sourceRef="T2" targetRef="T1"/>', "")
    new = new.replace('targetRef="T2"', 'targetRef="E"')
    diff = diff_bpmn(doc(BASE), doc(new))
    assert [e.id for e in diff.removed] == ["T2"]
    assert [f.id for f in diff.flows_removed] == ["F5"]
    assert [(c.id, c.changed) for c in diff.flows_changed] == [("F4", ("target",))]


def test_changed_condition_and_flow_label() -> None:
    new = BASE.replace("${ok}", "${vollstaendig}").replace('name="nein"', 'name="fehlt"')
    diff = diff_bpmn(doc(BASE), doc(new))
    assert [(c.id, c.changed) for c in diff.flows_changed] == [
        ("F3", ("condition",)),
        ("F4", ("name",)),
    ]
    assert diff.flows_changed[0].new.condition == "${vollstaendig}"


def test_changed_task_type() -> None:
    new = BASE.replace('<task id="T1"', '<userTask id="T1"')
    diff = diff_bpmn(doc(BASE), doc(new))
    assert diff.retyped == (Retype("T1", "task", "userTask", "Antrag prüfen"),)
    assert diff.added == () and diff.removed == ()


def test_re_export_with_fresh_ids_is_empty() -> None:
    data = C20.read_bytes()
    old, new = parse_bpmn(data), parse_bpmn(with_fresh_ids(data))
    assert not {n.id for n in old.nodes} & {n.id for n in new.nodes}
    diff = diff_bpmn(old, new)
    assert diff.is_empty, diff.to_dict()
    elements = len(old.nodes) + len(old.lanes) + len(old.pools) + len(old.processes)
    assert len(diff.id_changes) == elements + len(old.sequence_flows)


def test_re_id_and_rename_is_a_relabel() -> None:
    # Unnamed and renamed at once: only the neighbourhood can tell it is the same task.
    new = BASE.replace('<task id="T1" name="Antrag prüfen"/>', '<task id="X" name="Prüfen"/>')
    new = new.replace('targetRef="T1"', 'targetRef="X"').replace('sourceRef="T1"', 'sourceRef="X"')
    diff = diff_bpmn(doc(BASE), doc(new))
    assert diff.relabelled == (Relabel("X", "task", "Antrag prüfen", "Prüfen"),)
    assert [(c.old_id, c.new_id) for c in diff.id_changes] == [("T1", "X")]
    assert diff.added == () and diff.removed == () and diff.flows_changed == ()


def test_tool_export_differs_from_reference_only_in_labels() -> None:
    reference = parse_bpmn(C20.read_bytes())
    export = DATA / "miwg-tool-exports" / "bpmn-io-camunda-modeler-18.6.1" / "C.2.0-export.bpmn"
    diff = diff_bpmn(reference, parse_bpmn(export.read_bytes()))
    assert (diff.added, diff.removed, diff.retyped) == ((), (), ())
    assert (diff.flows_added, diff.flows_removed, diff.flows_changed) == ((), (), ())
    assert {r.new_name for r in diff.relabelled} >= {"Pick Items", "Receive Items"}
    for relabel in diff.relabelled:
        assert None in (relabel.old_name, relabel.new_name) or (
            relabel.old_name.casefold() == relabel.new_name.casefold()
        )


def test_diff_serialises_to_json() -> None:
    new = BASE.replace("Antrag prüfen", "Antrag sichten").replace('id="F5"', 'id="F9"')
    data = diff_bpmn(doc(BASE), doc(new)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "added",
        "removed",
        "relabelled",
        "retyped",
        "id_changes",
        "flows_added",
        "flows_removed",
        "flows_changed",
    }
    assert data["relabelled"] == [
        {"id": "T1", "kind": "task", "old_name": "Antrag prüfen", "new_name": "Antrag sichten"}
    ]
    assert data["id_changes"] == [
        {"old_id": "F5", "new_id": "F9", "kind": "sequenceFlow", "name": None}
    ]
