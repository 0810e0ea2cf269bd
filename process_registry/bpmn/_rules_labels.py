"""bpmnlint rules about labels and diagram interchange (ports of bpmn-io/bpmnlint)."""

from __future__ import annotations

from collections.abc import Iterator

from ._index import LintIndex, Report

_MISSING_LABEL = "Dem Element fehlt eine Beschriftung (Name)."


def label_required(ix: LintIndex) -> Iterator[Report]:
    # Exceptions as in bpmnlint: parallel and event-based gateways, gateways that do not fork,
    # sub-processes (their content explains them) and unconditional sequence flows.
    for node in ix.doc.nodes:
        if node.type in ("parallelGateway", "eventBasedGateway"):
            continue
        if node.kind == "gateway" and len(ix.outs(node)) <= 1:
            continue
        if node.kind == "sub_process":
            continue
        if node.name is None:
            yield Report(node.id, _MISSING_LABEL)
    for flow in ix.doc.sequence_flows:
        if flow.has_condition and flow.name is None:
            yield Report(flow.id, _MISSING_LABEL)
    for participant in ix.doc.participants:
        if participant.name is None:
            yield Report(participant.id, _MISSING_LABEL)
    for lane in ix.doc.lanes:
        if lane.name is None:
            yield Report(lane.id, _MISSING_LABEL)


def no_bpmndi(ix: LintIndex) -> Iterator[Report]:
    # Every element that a diagram shows needs a shape or edge; data objects are invisible by
    # nature (their references are what is drawn).
    doc = ix.doc
    visual: list[str] = [n.id for n in doc.nodes]
    visual += [f.id for f in doc.sequence_flows]
    visual += [d.id for d in doc.data_elements if d.type != "dataObject"]
    visual += [p.id for p in doc.participants]
    visual += [a.id for a in doc.artifacts]
    visual += [lane.id for lane in doc.lanes]
    visual += [f.id for f in doc.message_flows]
    for element in visual:
        if element not in doc.di_element_ids:
            yield Report(element, "Dem Element fehlt die Diagrammdarstellung (BPMN DI).")
