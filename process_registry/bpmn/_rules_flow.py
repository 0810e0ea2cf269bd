"""bpmnlint rules about the sequence-flow structure (ports of bpmn-io/bpmnlint ``rules/*.js``).

Each function keeps the exceptions of its bpmnlint original; the comments name the ones that
are easy to miss. Types in the originals (``bpmn:Activity``, ``bpmn:Event`` …) map to
``FlowNode.kind``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ._index import LintIndex, Report, Scope
from .model import FlowNode

_TASK_OR_GATEWAY_OR_SUB_OR_EVENT = ("task", "gateway", "sub_process", "event")


def _checked_for_events(ix: LintIndex, scope: Scope) -> bool:
    # Ad-hoc sub-processes have no start and end (see ad-hoc-sub-process); event sub-processes do.
    # A sub-process drawn collapsed without any content is a placeholder whose detail lives
    # elsewhere (the activity groups of FIM models, issue 16): not an error. bpmnlint reports
    # every empty sub-process, but its own test case for that is drawn expanded; that one, and an
    # empty sub-process the diagram does not draw at all, are still reported.
    if scope.type == "adHocSubProcess":
        return False
    node = scope.node
    if node is None or ix.children.get(scope.id):
        return True
    return node.is_expanded or node.id not in ix.doc.di_element_ids


def start_event_required(ix: LintIndex) -> Iterator[Report]:
    for scope in ix.scopes():
        if not _checked_for_events(ix, scope):
            continue
        if not any(n.type == "startEvent" for n in ix.children.get(scope.id, [])):
            yield Report(scope.id, f"{scope.label} hat kein Startereignis.")


def end_event_required(ix: LintIndex) -> Iterator[Report]:
    for scope in ix.scopes():
        if not _checked_for_events(ix, scope):
            continue
        if not any(n.type == "endEvent" for n in ix.children.get(scope.id, [])):
            yield Report(scope.id, f"{scope.label} hat kein Endereignis.")


def _is_compensation_boundary(node: FlowNode) -> bool:
    return (
        node.type == "boundaryEvent"
        and len(node.event_definitions) == 1
        and node.event_definitions[0].type == "compensateEventDefinition"
    )


def no_disconnected(ix: LintIndex) -> Iterator[Report]:
    # bpmnlint checks Task, Gateway, SubProcess and Event only: call activities are not included.
    for node in ix.doc.nodes:
        if node.kind not in _TASK_OR_GATEWAY_OR_SUB_OR_EVENT or node.triggered_by_event:
            continue
        if _is_compensation_boundary(node) or node.is_for_compensation:
            continue
        if ix.container_type(node) == "adHocSubProcess":
            continue
        if not ix.ins(node) and not ix.outs(node):
            yield Report(node.id, "Das Element ist mit keinem Sequenzfluss verbunden.")


def _only_definitions_of(node: FlowNode, type_: str) -> bool:
    defs = node.event_definitions
    return bool(defs) and all(d.type == type_ for d in defs)


def no_implicit_start(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.nodes:
        if node.is_activity and node.is_for_compensation:
            continue
        if ix.container_type(node) == "adHocSubProcess" or node.is_event_sub_process:
            continue
        if node.type == "intermediateCatchEvent" and _only_definitions_of(
            node, "linkEventDefinition"
        ):
            continue
        if node.type in ("startEvent", "boundaryEvent"):
            continue
        if not ix.ins(node):
            yield Report(
                node.id,
                "Das Element ist ein impliziter Start: es hat keinen eingehenden Sequenzfluss "
                "(ein Startereignis fehlt).",
            )


def no_implicit_end(ix: LintIndex) -> Iterator[Report]:
    # bpmnlint only looks for the compensation association among the process's own artifacts;
    # any association from the boundary event counts here, wherever the tool put it.
    association_sources = {a.source for a in ix.doc.artifacts if a.type == "association"}
    for node in ix.doc.nodes:
        if node.is_event_sub_process or node.type == "endEvent":
            continue
        if node.type == "intermediateThrowEvent" and _only_definitions_of(
            node, "linkEventDefinition"
        ):
            continue
        if ix.container_type(node) == "adHocSubProcess":
            continue
        if (
            node.type == "boundaryEvent"
            and _only_definitions_of(node, "compensateEventDefinition")
            and node.id in association_sources
        ):
            continue
        if node.is_activity and node.is_for_compensation:
            continue
        if not ix.outs(node):
            yield Report(
                node.id,
                "Das Element ist ein implizites Ende: es hat keinen ausgehenden Sequenzfluss "
                "(ein Endereignis fehlt).",
            )


def no_implicit_split(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.nodes:
        if not (node.is_activity or node.kind == "event"):
            continue
        unconditional = [f for f in ix.outs(node) if not f.has_condition and not f.is_default]
        if len(unconditional) > 1:
            yield Report(
                node.id,
                "Der Fluss verzweigt implizit (mehrere unbedingte ausgehende Sequenzflüsse); "
                "ein paralleles Gateway fehlt.",
            )


def fake_join(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.nodes:
        if (node.is_activity or node.kind == "event") and len(ix.ins(node)) > 1:
            yield Report(
                node.id,
                "Mehrere eingehende Sequenzflüsse werden hier nicht zusammengeführt; "
                "ein zusammenführendes Gateway fehlt.",
            )


def conditional_flows(ix: LintIndex) -> Iterator[Report]:
    # Once a node has a default flow or one conditional outgoing flow, every other outgoing flow
    # needs a condition too, whatever the node's type.
    for node in ix.doc.nodes:
        outgoing = ix.outs(node)
        if not (node.default_flow or any(f.has_condition for f in outgoing)):
            continue
        for flow in outgoing:
            if not flow.has_condition and not flow.is_default:
                yield Report(
                    flow.id,
                    "Dem Sequenzfluss fehlt eine Bedingung, und er ist nicht der Standardfluss.",
                )


def no_duplicate_sequence_flows(ix: LintIndex) -> Iterator[Report]:
    # The first flow of a (source, target, condition) triple is the original; later ones are
    # reported, plus their source and target once each.
    seen: set[tuple[str, str, str]] = set()
    reported_sources: set[str] = set()
    reported_targets: set[str] = set()
    for flow in ix.doc.sequence_flows:
        key = (flow.source, flow.target, flow.condition or "")
        if key not in seen:
            seen.add(key)
            continue
        yield Report(flow.id, "Der Sequenzfluss ist ein Duplikat.")
        if flow.source not in reported_sources:
            reported_sources.add(flow.source)
            yield Report(flow.source, "Doppelte ausgehende Sequenzflüsse.")
        if flow.target not in reported_targets:
            reported_targets.add(flow.target)
            yield Report(flow.target, "Doppelte eingehende Sequenzflüsse.")


def _is_terminate_end(node: FlowNode) -> bool:
    return node.type == "endEvent" and node.has_event_definition("terminateEventDefinition")


def _is_interrupting_event_sub_process(ix: LintIndex, node: FlowNode) -> bool:
    return node.is_event_sub_process and any(
        n.type == "startEvent" and n.is_interrupting for n in ix.children.get(node.id, [])
    )


def superfluous_termination(ix: LintIndex) -> Iterator[Report]:
    # A terminate end only does something if another branch (or a non-interrupting event
    # sub-process) could still be running when it is reached.
    for scope in ix.scopes():
        ends = [n for n in ix.children.get(scope.id, []) if not ix.outs(n)]
        terminate_ends = [n for n in ends if _is_terminate_end(n)]
        if len(terminate_ends) != 1:
            continue
        if all(_is_terminate_end(n) or _is_interrupting_event_sub_process(ix, n) for n in ends):
            yield Report(
                terminate_ends[0].id,
                "Das Terminierungs-Endereignis ist überflüssig: es ist das einzige mögliche Ende "
                "seines Bereichs.",
            )


def ad_hoc_sub_process(ix: LintIndex) -> Iterator[Report]:
    # The intermediate-catch check is part of the rule version the bundled examples document.
    for scope in ix.scopes():
        if scope.type != "adHocSubProcess":
            continue
        for node in ix.children.get(scope.id, []):
            if node.type == "startEvent":
                yield Report(node.id, "Ein Startereignis ist im Ad-hoc-Unterprozess nicht erlaubt.")
            elif node.type == "endEvent":
                yield Report(node.id, "Ein Endereignis ist im Ad-hoc-Unterprozess nicht erlaubt.")
            elif node.type == "intermediateCatchEvent" and not ix.outs(node):
                yield Report(
                    node.id,
                    "Ein fangendes Zwischenereignis im Ad-hoc-Unterprozess braucht einen "
                    "ausgehenden Sequenzfluss.",
                )
