"""bpmnlint rules about events and their definitions (ports of bpmn-io/bpmnlint).

Event definitions referenced through ``eventDefinitionRef`` count like inline ones: the BPMN
specification treats both as the event's triggers (bpmn-moddle keeps them in a separate list,
so bpmnlint does not see them).
"""

from __future__ import annotations

from collections.abc import Iterator

from ._index import LintIndex, Report
from .model import FlowNode


def single_event_definition(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.events:
        if len(node.event_definitions) > 1:
            yield Report(node.id, "Das Ereignis hat mehrere Ereignisdefinitionen.")


def single_blank_start_event(ix: LintIndex) -> Iterator[Report]:
    for scope in ix.scopes():
        blank = [
            n
            for n in ix.children.get(scope.id, [])
            if n.type == "startEvent" and not n.event_definitions
        ]
        if len(blank) > 1:
            yield Report(scope.id, f"{scope.label} hat mehrere leere Startereignisse.")


def sub_process_blank_start_event(ix: LintIndex) -> Iterator[Report]:
    for scope in ix.scopes():
        if scope.node is None or scope.node.triggered_by_event:
            continue
        for node in ix.children.get(scope.id, []):
            if node.type == "startEvent" and node.event_definitions:
                yield Report(
                    node.id,
                    "Das Startereignis eines Unterprozesses muss leer sein (ohne Auslöser).",
                )


def event_sub_process_typed_start_event(ix: LintIndex) -> Iterator[Report]:
    for scope in ix.scopes():
        if scope.node is None or not scope.node.triggered_by_event:
            continue
        for node in ix.children.get(scope.id, []):
            if node.type == "startEvent" and not node.event_definitions:
                yield Report(
                    node.id,
                    "Das Startereignis eines Ereignis-Unterprozesses braucht einen Auslöser "
                    "(Ereignisdefinition).",
                )


def conditional_event(ix: LintIndex) -> Iterator[Report]:
    # bpmnlint only checks executable processes: in a documentation model the condition may
    # live in the label.
    for node in ix.doc.events:
        if not ix.executable.get(node.process, False):
            continue
        for definition in node.event_definitions:
            if definition.type == "conditionalEventDefinition" and not definition.condition:
                yield Report(node.id, "Dem bedingten Ereignis fehlt die Bedingung.")
                break


def _link_name(node: FlowNode) -> str | None:
    # The link name is the definition's `name` (BPMN 10.5.5, and bpmnlint since PR #174). Older
    # Camunda Modeler versions wrote name="" there and put the name on the event itself, which is
    # what bpmnlint read before; the bundled rule examples are of that kind. Both are honoured.
    for definition in node.event_definitions:
        if definition.type == "linkEventDefinition":
            return definition.name or node.name
    return None


def link_event(ix: LintIndex) -> Iterator[Report]:
    for scope in ix.scopes():
        links = [
            n
            for n in ix.children.get(scope.id, [])
            if n.kind == "event" and n.has_event_definition("linkEventDefinition")
        ]
        by_name: dict[str, list[FlowNode]] = {}
        for link in links:
            name = _link_name(link)
            if name is None:
                yield Report(link.id, "Dem Link-Ereignis fehlt ein Linkname.")
            else:
                by_name.setdefault(name, []).append(link)
        for name, events in by_name.items():
            if len(events) == 1:
                [event] = events
                missing = "fangende" if event.is_throw_event else "auslösende"
                yield Report(
                    event.id,
                    f"Zum Link-Ereignis „{name}“ fehlt im selben Bereich das {missing} Gegenstück.",
                )
                continue
            catches = [e for e in events if e.is_catch_event]
            if len(catches) > 1:
                for event in catches:
                    yield Report(
                        event.id,
                        f"Das fangende Link-Ereignis „{name}“ gibt es im selben Bereich mehrfach.",
                    )
            elif not catches:
                for event in events:
                    yield Report(
                        event.id,
                        f"Zum Linknamen „{name}“ gibt es im selben Bereich kein fangendes "
                        "Link-Ereignis.",
                    )
