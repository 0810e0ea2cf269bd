"""A registered BPMN model as the accepting Petri net that conformance checking needs.

The registry's own parse (``process_registry.bpmn``) is rewritten into a normalized pm4py
``BPMN`` graph (``_flatten``) and handed to pm4py's BPMN → Petri net converter. pm4py's own BPMN
importer is not used: it crashes on call activities, data objects and some vendor exports, and
its converter drops every element it does not know (see ``_flatten``). For a model the importer
does read correctly, such as pm4py's receipt model, the net is pm4py's own and token-replay
fitness is identical (tests/test_conformance_convert.py).

.. code-block:: python3

    doc = parse_bpmn(Path("bpmn_models/wohngeld.bpmn").read_bytes())
    model = convert_to_petri_net(doc, log_activities=log_activities,
                                 resolve_call=registry_lookup)
    mapping = map_activities(log_activities, model.labels, event_names=model.event_names)
    # make the events the log records visible, then convert once more
    logged_events = set(mapping.pairs.values()) & model.event_names
    if logged_events:
        model = convert_to_petri_net(doc, log_activities=log_activities,
                                     resolve_call=registry_lookup, event_labels=logged_events)
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mining.conformance._flatten import flatten
from mining.conformance._scope import named
from mining.conformance.errors import ModelConversionError
from mining.conformance.mapping import normalize_activity
from mining.texts import bi
from process_registry import BpmnDocument, FlowNode, Process

if TYPE_CHECKING:
    from pm4py.objects.petri_net.obj import Marking, PetriNet

__all__ = ["ConvertedModel", "convert_to_petri_net"]


@dataclass(frozen=True)
class ConvertedModel:
    """An accepting Petri net made from one process of a BPMN document.

    ``labels`` are the visible transition labels: task names, and the names of the events made
    visible through ``event_labels``. ``event_names`` are the names of all events of the flattened
    process (visible or not): the targets :func:`map_activities` may offer besides ``labels``.
    ``notes`` say in German what was inlined, flattened, approximated or ignored.
    """

    net: PetriNet
    initial_marking: Marking
    final_marking: Marking
    labels: frozenset[str]
    process_id: str
    notes: tuple[str, ...]
    event_names: frozenset[str] = frozenset()


def convert_to_petri_net(
    doc: BpmnDocument,
    *,
    process_id: str | None = None,
    log_activities: Collection[str] = (),
    resolve_call: Callable[[str], BpmnDocument | None] | None = None,
    event_labels: Collection[str] = (),
) -> ConvertedModel:
    """Convert one process of ``doc`` into an accepting Petri net.

    The process is ``process_id`` if given, else the one whose task and event names best match
    ``log_activities`` (ties: a process no call activity calls, then one with a pool, then the
    largest). Call activities are resolved in the same file first, then through
    ``resolve_call(called_element)``, and inlined. Events whose names are in ``event_labels``
    become visible transitions with that name. Anything that cannot be converted raises
    :class:`ModelConversionError` naming the element.
    """
    process = _choose_process(doc, process_id, log_activities)
    flat = flatten(doc, process, resolve_call=resolve_call, event_labels=event_labels)
    notes = (
        flat.notes
        + _placeholder_notes(flat.placeholders, log_activities)
        + _ignored_notes(doc, process, flat.inlined_processes)
    )

    from pm4py.objects.conversion.bpmn.variants import to_petri_net

    try:
        net, initial, final = to_petri_net.apply(flat.bpmn)
    except Exception as exc:  # pm4py raises bare Exception; the user needs a domain error
        raise ModelConversionError(
            f"Prozess {named(process)} konnte nicht in ein Petri-Netz übersetzt werden ({exc}).",
            element=process.id,
        ) from exc
    labels = frozenset(t.label for t in net.transitions if t.label)
    return ConvertedModel(
        net=net,
        initial_marking=initial,
        final_marking=final,
        labels=labels,
        process_id=process.id,
        notes=tuple(dict.fromkeys(notes)),
        event_names=frozenset(flat.event_names),
    )


def _choose_process(
    doc: BpmnDocument, process_id: str | None, log_activities: Collection[str]
) -> Process:
    if process_id is not None:
        process = doc.processes_by_id.get(process_id)
        if process is None:
            raise ModelConversionError(
                f"Die BPMN-Datei enthält keinen Prozess mit der id „{process_id}“.",
                element=process_id,
            )
        return process
    names: dict[str, set[str]] = {}
    containers = {node.container for node in doc.nodes}
    for node in doc.nodes:
        # A sub-process without content becomes a task (_flatten), so its name is a step too.
        placeholder = node.kind == "sub_process" and node.id not in containers
        if node.name and (node.kind == "task" or node.kind == "event" or placeholder):
            names.setdefault(node.process, set()).add(normalize_activity(node.name))
    sizes: dict[str, int] = {}
    for node in doc.nodes:
        sizes[node.process] = sizes.get(node.process, 0) + 1
    candidates = [p for p in doc.processes if sizes.get(p.id)]
    if not candidates:
        raise ModelConversionError(
            "Die BPMN-Datei enthält keinen Prozess mit Aktivitäten (nur leere Pools)."
        )
    wanted = {normalize_activity(a) for a in log_activities}
    called = {n.called_element for n in doc.nodes if n.kind == "call_activity"}

    def score(position: int) -> tuple[int, bool, bool, int, int]:
        process = candidates[position]
        return (
            len(wanted & names.get(process.id, set())),
            process.id not in called,
            process.pool is not None,
            sizes[process.id],
            -position,
        )

    return candidates[max(range(len(candidates)), key=score)]


def _placeholder_notes(placeholders: list[FlowNode], log_activities: Collection[str]) -> list[str]:
    # A collapsed sub-process without content is one step of the model, as every activity group
    # of a FIM model is. Only where the log does not record it under its name may the log hold
    # the steps inside it, which the model does not describe.
    logged = {normalize_activity(a) for a in log_activities}
    unlogged = [n for n in placeholders if normalize_activity(n.name or "") not in logged]
    if not unlogged:
        return []
    listed = ", ".join(named(n) for n in dict.fromkeys(unlogged))
    return [
        "Unterprozesse ohne Inhalt gelten als je eine Aufgabe (ihr innerer Ablauf ist im "
        f"Modell nicht beschrieben): {listed}."
    ]


def _ignored_notes(doc: BpmnDocument, chosen: Process, inlined: set[str]) -> list[str]:
    notes: list[str] = []
    # A collapsed pool (no process, like the applicant of a FIM model) has no steps to ignore,
    # and its message flows only say who sends what: neither is worth a note.
    black_boxes = {p.id for p in doc.participants if p.process_ref is None}
    others = [
        f"Pool {named(p)}"
        for p in doc.participants
        if p.process_ref is not None and p.process_ref != chosen.id and p.process_ref not in inlined
    ]
    pooled = {p.process_ref for p in doc.participants}
    others += [
        f"Prozess {named(p)}"
        for p in doc.processes
        if p.id != chosen.id and p.id not in inlined and p.id not in pooled
    ]
    if others:
        notes.append(
            bi(
                f"Geprüft wird Prozess {named(chosen)}; ignoriert: {', '.join(others)}.",
                f"Process {named(chosen)} is checked; ignored: {', '.join(others)}.",
            )
        )
    ignored_kinds = []
    if doc.data_elements:
        ignored_kinds.append("Datenobjekte und -speicher")
    if doc.artifacts:
        ignored_kinds.append("Anmerkungen und Assoziationen")
    if any({f.source, f.target}.isdisjoint(black_boxes) for f in doc.message_flows):
        ignored_kinds.append("Nachrichtenflüsse")
    if ignored_kinds:
        notes.append(
            bi(
                f"Für die Prüfung ohne Bedeutung und ignoriert: {', '.join(ignored_kinds)}.",
                f"Of no meaning for the check and ignored: {', '.join(ignored_kinds)}.",
            )
        )
    return notes
