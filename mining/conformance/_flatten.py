"""Registry BPMN → one flat, normalized pm4py ``BPMN`` graph that pm4py's converter handles.

pm4py's BPMN → Petri net converter knows only tasks, start and end events and exclusive,
parallel and inclusive gateways; a flow touching any other node (intermediate event, boundary
event, sub-process, call activity, event-based gateway) is silently dropped, which cuts the net
apart. It also reads two outgoing flows of a task as a choice, where BPMN means parallelism.
So everything is rewritten into those node types before pm4py sees it:

- tasks stay tasks (the name is the transition label; unnamed tasks are silent, as in pm4py);
- embedded sub-processes (also transactions) and called processes are inlined: their start and
  end become silent gateways; ad-hoc sub-processes become a loop over their activities (any
  order, any subset, repetitions); collapsed sub-processes without content stay one task;
- events become silent exclusive gateways, or tasks when their name is in ``event_labels``;
  top-level start and end events stay start and end events (pm4py's source and sink);
- event-based gateways become exclusive gateways; complex gateways raise an error;
- an activity with several outgoing flows gets an explicit split: parallel when the flows are
  unconditional (BPMN's implicit parallel split), exclusive when they carry conditions;
- parallel branches that end separately are joined before the (sub-)process ends (``_scope``);
- boundary events, see :meth:`_Flattener.wrap_hosts`.

Ids of the top-level process are kept, so for a model pm4py's importer reads correctly the net
is pm4py's own; inlined copies get the call activity's id as a prefix (``Call_1/Task_3``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mining.conformance._scope import Edge, ScopeGraph, Split, find_splits, named, owner_of
from mining.conformance.errors import ModelConversionError
from mining.conformance.mapping import normalize_activity
from mining.texts import bi, pick
from process_registry import BpmnDocument, FlowNode, Process

if TYPE_CHECKING:
    from pm4py.objects.bpmn.obj import BPMN

__all__ = ["MAX_CALL_DEPTH", "Flattened", "called_process", "flatten"]

MAX_CALL_DEPTH = 8

ScopeMode = Literal["top", "sub", "adhoc"]
Resolver = Callable[[str], BpmnDocument | None]
# pm4py's BPMN node classes are untyped; they pass through here unchanged.
Node = Any

_LINK = "linkEventDefinition"
_GATEWAY_CLASSES = {
    "exclusiveGateway": "ExclusiveGateway",
    "eventBasedGateway": "ExclusiveGateway",
    "parallelGateway": "ParallelGateway",
    "inclusiveGateway": "InclusiveGateway",
}


@dataclass
class Flattened:
    """The normalized graph plus what the user must know about how it was made.

    ``placeholders`` are the sub-processes without content that became one task each (FIM
    activity groups are drawn that way); whether that needs a note depends on the log.
    """

    bpmn: BPMN
    notes: list[str]
    event_names: set[str]
    inlined_processes: set[str]
    placeholders: list[FlowNode]


def flatten(
    doc: BpmnDocument,
    process: Process,
    *,
    resolve_call: Resolver | None,
    event_labels: Collection[str],
) -> Flattened:
    """Flatten ``process`` of ``doc``, with everything it calls, into one pm4py BPMN graph."""
    from pm4py.objects.bpmn.obj import BPMN

    flattener = _Flattener(
        BPMN(process_id=process.id, name=process.name or ""),
        resolve_call,
        {normalize_activity(name) for name in event_labels},
    )
    flattener.stack.append(_process_key(doc, process))
    flattener.scope(
        flattener.index(doc),
        process.id,
        "",
        "top",
        label=bi(f"Prozess {named(process)}", f"Process {named(process)}"),
    )
    return Flattened(
        bpmn=flattener.bpmn,
        notes=list(dict.fromkeys(flattener.notes)),
        event_names=flattener.event_names,
        inlined_processes=flattener.inlined,
        placeholders=flattener.placeholders,
    )


def called_process(doc: BpmnDocument, called: str) -> Process | None:
    """The process a call names in a resolved document: by id, else its only non-empty process."""
    if called in doc.processes_by_id:
        return doc.processes_by_id[called]
    with_nodes = {n.process for n in doc.nodes}
    candidates = [p for p in doc.processes if p.id in with_nodes]
    return candidates[0] if len(candidates) == 1 else None


def _process_key(doc: BpmnDocument, process: Process) -> tuple[str, str]:
    return (doc.id or "", process.id)


class _DocIndex:
    """Lookups over one document, built once per document the conversion touches."""

    def __init__(self, doc: BpmnDocument) -> None:
        self.doc = doc
        self.children: dict[str, list[FlowNode]] = {}
        for node in doc.nodes:
            self.children.setdefault(node.container, []).append(node)
        self.flows: dict[str, list[Edge]] = {}
        for flow in doc.sequence_flows:
            edge = Edge(flow.id, flow.source, flow.target, flow.name or "", flow.has_condition)
            self.flows.setdefault(flow.container, []).append(edge)


class _Flattener:
    def __init__(self, bpmn: BPMN, resolve_call: Resolver | None, visible: set[str]) -> None:
        self.bpmn = bpmn
        self.B = type(bpmn)
        self.resolve_call = resolve_call
        self.visible_events = visible
        self.notes: list[str] = []
        self.event_names: set[str] = set()
        self.inlined: set[str] = set()
        self.placeholders: list[FlowNode] = []
        self.stack: list[tuple[str, str]] = []
        self._indexes: dict[int, _DocIndex] = {}
        self._flow_ids: set[str] = set()

    def index(self, doc: BpmnDocument) -> _DocIndex:
        index = self._indexes.get(id(doc))
        if index is None or index.doc is not doc:
            index = self._indexes[id(doc)] = _DocIndex(doc)
        return index

    # -- graph primitives -------------------------------------------------------------------

    def add(self, node: Node) -> Node:
        self.bpmn.add_node(node)
        return node

    def gateway(self, kind: str, node_id: str, name: str = "") -> Node:
        return self.add(getattr(self.B, kind)(id=node_id, name=name))

    def task(self, node_id: str, name: str) -> Node:
        return self.add(self.B.Task(id=node_id, name=name))

    def flow(self, source: Node, target: Node, flow_id: str | None = None, name: str = "") -> None:
        # pm4py names the Petri net place of a flow after its id, so ids must be unique.
        if flow_id is None or flow_id in self._flow_ids:
            base = flow_id or f"{source.id}->{target.id}"
            flow_id, number = base, 1
            while flow_id in self._flow_ids:
                number += 1
                flow_id = f"{base}#{number}"
        self._flow_ids.add(flow_id)
        self.bpmn.add_flow(self.B.SequenceFlow(source, target, id=flow_id, name=name))

    # -- scopes -----------------------------------------------------------------------------

    def scope(
        self, index: _DocIndex, scope_id: str, prefix: str, mode: ScopeMode, *, label: str
    ) -> tuple[Node, Node]:
        """Emit the flow nodes directly inside ``scope_id``; return its (entry, exit) nodes.

        The top-level process has no entry and exit (pm4py's start and end events are its
        boundary); it returns ``(None, None)``.
        """
        graph = self._collect(index, scope_id)
        starts = self._starts(graph, mode, label, scope_id)
        if mode == "adhoc":
            dropped = [b for b in graph.all_boundaries if not b.cancel_activity]
            for boundary in dropped:
                self.notes.append(
                    bi(
                        f"Nicht unterbrechendes Randereignis {named(boundary)} im Ad-hoc-Unterprozess "
                        "ignoriert.",
                        f"Non-interrupting boundary event {named(boundary)} in the ad-hoc subprocess ignored.",
                    )
                )
            splits: list[Split] = []
        else:
            splits, dropped = find_splits(graph, starts, self.notes)
        graph = graph.without(dropped)
        # pm4py's own end events (one sink, each end event a way into it) are kept when no
        # branches must be joined: then the net equals the one pm4py's importer would give.
        real_ends = mode == "top" and not splits
        entries: dict[str, Node] = {}
        exits: dict[str, Node] = {}
        for node in graph.nodes.values():
            entries[node.id], exits[node.id] = self._node(index, node, prefix, mode, real_ends)
        for boundary in graph.all_boundaries:
            entries[boundary.id] = exits[boundary.id] = self._event(boundary, prefix)
        skips = self.wrap_hosts(graph, prefix, splits, entries, exits)
        self._connect(graph, prefix, entries, exits)
        pid = prefix + scope_id
        explicit = any(n.type == "startEvent" for n in graph.nodes.values())
        entry = self._wire_starts(starts, mode, pid, entries, explicit=explicit)
        ends = graph.ends()
        if mode == "adhoc":
            loop = self.gateway("ExclusiveGateway", f"{pid}__schleife")
            exit_ = self.gateway("ExclusiveGateway", f"{pid}__ende")
            self.flow(entry, loop)
            self.flow(loop, exit_)
            for node in starts:
                self.flow(loop, entries[node.id])
            for node in ends:
                self.flow(exits[node.id], loop)
            return entry, exit_
        if real_ends:
            for node in ends:
                if node.type != "endEvent":  # an implicit end: give it pm4py's end event
                    end = self.add(self.B.NormalEndEvent(id=f"{prefix}{node.id}__ende", name=""))
                    self.flow(exits[node.id], end)
            return None, None
        exit_ = self._wire_ends(ends, splits, skips, pid, exits)
        if mode == "top":
            self.flow(exit_, self.add(self.B.NormalEndEvent(id=f"{pid}__end", name="")))
            return None, None
        return entry, exit_

    def _collect(self, index: _DocIndex, scope_id: str) -> ScopeGraph:
        nodes: dict[str, FlowNode] = {}
        boundaries: list[FlowNode] = []
        for node in index.children.get(scope_id, []):
            if node.is_event_sub_process:
                self.notes.append(
                    bi(
                        f"Ereignis-Unterprozess {named(node)} ignoriert: er läuft nur bei einem "
                        "Ereignis, das das Protokoll nicht zeigt.",
                        f"Event subprocess {named(node)} ignored: it runs only on an event the log does not show.",
                    )
                )
            elif node.is_for_compensation or node.has_event_definition("compensateEventDefinition"):
                self.notes.append(
                    bi(
                        f"Kompensation {named(node)} ignoriert.",
                        f"Compensation {named(node)} ignored.",
                    )
                )
            elif node.type == "boundaryEvent":
                boundaries.append(node)
            else:
                nodes[node.id] = node
        by_host: dict[str, list[FlowNode]] = {}
        for boundary in boundaries:
            host = nodes.get(boundary.attached_to or "")
            if host is not None and host.is_activity:
                by_host.setdefault(host.id, []).append(boundary)
            else:
                self.notes.append(
                    bi(
                        f"Randereignis {named(boundary)} ignoriert: die Aktivität "
                        f"„{boundary.attached_to}“, an der es hängt, fehlt.",
                        f"Boundary event {named(boundary)} ignored: the activity „{boundary.attached_to}“ "
                        "it is attached to is missing.",
                    )
                )
        members = set(nodes) | {b.id for bs in by_host.values() for b in bs}
        edges = [
            e for e in index.flows.get(scope_id, []) if e.source in members and e.target in members
        ]
        edges.extend(_link_edges(nodes))
        return ScopeGraph(nodes=nodes, boundaries=by_host, edges=edges)

    def _starts(
        self, graph: ScopeGraph, mode: ScopeMode, label: str, scope_id: str
    ) -> list[FlowNode]:
        explicit = [n for n in graph.nodes.values() if n.type == "startEvent"]
        if mode != "adhoc" and explicit:
            return explicit
        starts = [n for n in graph.nodes.values() if not graph.incoming.get(n.id)]
        if mode != "adhoc" and starts:
            self.notes.append(
                bi(
                    f"{label} hat kein Startereignis: die Elemente ohne eingehenden Fluss beginnen "
                    "(implizite Starts).",
                    f"{pick(label, 'en')} has no start event: the elements without an incoming flow start "
                    "(implicit starts).",
                )
            )
        if not starts:
            raise ModelConversionError(
                f"{label} hat keinen Startpunkt (kein Startereignis und kein Element ohne "
                "eingehenden Sequenzfluss).",
                element=scope_id,
            )
        return starts

    def wrap_hosts(
        self,
        graph: ScopeGraph,
        prefix: str,
        splits: list[Split],
        entries: dict[str, Node],
        exits: dict[str, Node],
    ) -> dict[str, Node]:
        """Attach boundary events to their host activity.

        Interrupting: an exclusive choice before the host and one after it both lead into the
        boundary path, so a case may leave through the event either without the host in the log
        (interrupted before it completed) or after it (the system logged the host, then the
        deadline passed). Municipal logs show both; allowing both costs a little precision and
        never flags a correct case.

        Non-interrupting (accepted by ``find_splits``): a parallel split before the host starts
        an optional branch (the event may fire or not), joined again before the enclosing
        (sub-)process ends. Starting it before the host lets the branch's activities appear
        before the host's completion, as they do when the event fires while the host runs.
        Returns each such boundary event's choice gateway, whose "not fired" exit
        ``_wire_ends`` connects.
        """
        skips: dict[str, Node] = {}
        parallel = {s.node: s for s in splits if s.boundaries}
        for host_id, boundaries in graph.boundaries.items():
            host = graph.nodes[host_id]
            pid = prefix + host_id
            interrupting = [b for b in boundaries if b.cancel_activity]
            if interrupting:
                before = self.gateway("ExclusiveGateway", f"{pid}__vor")
                after = self.gateway("ExclusiveGateway", f"{pid}__nach")
                self.flow(before, entries[host_id])
                self.flow(exits[host_id], after)
                for boundary in interrupting:
                    self.flow(before, entries[boundary.id])
                    self.flow(after, entries[boundary.id])
                    self.notes.append(
                        bi(
                            f"Unterbrechendes Randereignis {named(boundary)} an {named(host)}: "
                            "alternativer Ausgang der Aktivität.",
                            f"Interrupting boundary event {named(boundary)} on {named(host)}: "
                            "an alternative exit of the activity.",
                        )
                    )
                entries[host_id], exits[host_id] = before, after
            split = parallel.get(host_id)
            if split is not None:
                fork = self.gateway("ParallelGateway", f"{pid}__parallel")
                self.flow(fork, entries[host_id])
                for boundary in split.boundaries:
                    optional = self.gateway("ExclusiveGateway", f"{prefix}{boundary.id}__optional")
                    self.flow(fork, optional)
                    self.flow(optional, entries[boundary.id])
                    skips[boundary.id] = optional
                entries[host_id] = fork
        return skips

    def _connect(
        self, graph: ScopeGraph, prefix: str, entries: dict[str, Node], exits: dict[str, Node]
    ) -> None:
        for node in [*graph.nodes.values(), *graph.all_boundaries]:
            edges = graph.outgoing.get(node.id, [])
            if not edges:
                continue
            source = exits[node.id]
            if len(edges) > 1 and node.kind != "gateway":
                # BPMN: several flows out of an activity or event run in parallel unless they
                # carry conditions; pm4py would read them as a choice.
                conditional = any(e.conditional for e in edges)
                split = self.gateway(
                    "ExclusiveGateway" if conditional else "ParallelGateway",
                    f"{prefix}{node.id}__split",
                )
                if conditional:
                    self.notes.append(
                        bi(
                            f"Bedingte Sequenzflüsse aus {named(node)} als exklusive Verzweigung "
                            "angenähert.",
                            f"Conditional sequence flows from {named(node)} approximated as an exclusive split.",
                        )
                    )
                self.flow(source, split)
                source = split
            for edge in edges:
                self.flow(source, entries[edge.target], prefix + edge.id, edge.name)

    def _wire_starts(
        self,
        starts: list[FlowNode],
        mode: ScopeMode,
        pid: str,
        entries: dict[str, Node],
        *,
        explicit: bool,
    ) -> Node:
        if mode == "top" and explicit:
            return None  # the start events are pm4py's own start events
        # Several implicit starts all begin (BPMN); an ad-hoc loop is entered once.
        parallel = not explicit and len(starts) > 1 and mode != "adhoc"
        entry = self.gateway("ParallelGateway" if parallel else "ExclusiveGateway", f"{pid}__start")
        if mode == "top":
            self.flow(self.add(self.B.NormalStartEvent(id=f"{pid}__beginn", name="")), entry)
        elif explicit and len(starts) > 1:
            self.notes.append(
                bi(
                    f"Mehrere Startereignisse in ({pid}) als Alternativen behandelt.",
                    f"Several start events in ({pid}) treated as alternatives.",
                )
            )
        if mode != "adhoc":
            for node in starts:
                self.flow(entry, entries[node.id])
        return entry

    def _wire_ends(
        self,
        ends: list[FlowNode],
        splits: list[Split],
        skips: dict[str, Node],
        pid: str,
        exits: dict[str, Node],
    ) -> Node:
        """Lead every end into the scope's exit, joining the branches of dangling splits."""
        done = self.gateway("ExclusiveGateway", f"{pid}__ende")
        branch_ends = {
            (i, j): self.gateway("ExclusiveGateway", f"{pid}__{split.node}__zweig{j}")
            for i, split in enumerate(splits)
            for j in range(len(split.branches))
        }

        def target(owner: tuple[int, int] | None) -> Node:
            return done if owner is None else branch_ends[owner]

        for node in ends:
            self.flow(exits[node.id], target(owner_of(node.id, splits)))
        for i, split in enumerate(splits):
            join = self.gateway("ParallelGateway", f"{pid}__{split.node}__zusammenfuehrung")
            for j in range(len(split.branches)):
                self.flow(branch_ends[(i, j)], join)
            for j, boundary in enumerate(split.boundaries, start=1):
                self.flow(skips[boundary.id], branch_ends[(i, j)])
            self.flow(join, target(owner_of(split.node, splits, larger_than=split.size)))
            if not split.boundaries:
                self.notes.append(
                    bi(
                        f"Parallele Zweige ab ({split.node}) enden getrennt: vor dem Ende "
                        "zusammengeführt.",
                        f"Parallel branches from ({split.node}) end separately: joined before the end.",
                    )
                )
        return done

    # -- nodes ------------------------------------------------------------------------------

    def _node(
        self, index: _DocIndex, node: FlowNode, prefix: str, mode: ScopeMode, real_ends: bool
    ) -> tuple[Node, Node]:
        node_id = prefix + node.id
        if node.kind == "task":
            if not node.name:
                self.notes.append(
                    bi(
                        f"Aufgabe ohne Namen ({node.id}) ist im Petri-Netz unsichtbar.",
                        f"Task without a name ({node.id}) is invisible in the Petri net.",
                    )
                )
            task = self.task(node_id, node.name or "")
            return task, task
        if node.kind == "gateway":
            return self._gateway(index, node, node_id)
        if node.kind == "event":
            if mode == "top" and node.type == "startEvent":
                return self._terminal_event(node, node_id, self.B.NormalStartEvent, first=True)
            if node.has_event_definition("terminateEventDefinition"):
                self.notes.append(
                    bi(
                        f"Terminierendes Endereignis {named(node)} als normales Ende behandelt.",
                        f"Terminating end event {named(node)} treated as a normal end.",
                    )
                )
            if real_ends and node.type == "endEvent":
                return self._terminal_event(node, node_id, self.B.NormalEndEvent, first=False)
            event = self._event(node, prefix)
            return event, event
        if node.kind == "call_activity":
            return self._call(index, node, prefix)
        return self._sub_process(index, node, prefix)

    def _gateway(self, index: _DocIndex, node: FlowNode, node_id: str) -> tuple[Node, Node]:
        if node.type == "complexGateway":
            raise ModelConversionError(
                f"Komplexes Gateway {named(node)} kann nicht in ein Petri-Netz übersetzt "
                "werden; bitte durch exklusive, parallele oder inklusive Gateways ersetzen.",
                element=node.id,
            )
        if node.type == "eventBasedGateway":
            self.notes.append(
                bi(
                    f"Ereignisbasiertes Gateway {named(node)} als exklusives Gateway behandelt.",
                    f"Event-based gateway {named(node)} treated as an exclusive gateway.",
                )
            )
        elif node.type == "inclusiveGateway" and _splits(index, node):
            # pm4py gives each branch a silent skip, so taking no branch at all also fits, which
            # BPMN does not allow; the user must know the model is that much more permissive.
            # Exact nets (a silent choice per non-empty subset of branches, or a count of skips)
            # were tried: alignments get them right, but pm4py's token replay, the default, then
            # no longer finds the silent steps of fitting cases and reports them as deviations.
            self.notes.append(
                bi(
                    f"Inklusives Gateway {named(node)} wie in pm4py angenähert: jede Auswahl seiner "
                    "Zweige in beliebiger Reihenfolge ist zulässig, auch keiner.",
                    f"Inclusive gateway {named(node)} approximated as in pm4py: any selection of its "
                    "branches in any order is allowed, also none.",
                )
            )
        gateway = self.gateway(_GATEWAY_CLASSES[node.type], node_id, node.name or "")
        return gateway, gateway

    def _visible(self, node: FlowNode) -> bool:
        if not node.name:
            return False
        self.event_names.add(node.name)
        return normalize_activity(node.name) in self.visible_events

    def _event(self, node: FlowNode, prefix: str) -> Node:
        """An event inside the flow: silent, or a task with its name when the log records it."""
        if self._visible(node):
            return self.task(prefix + node.id, node.name or "")
        return self.gateway("ExclusiveGateway", prefix + node.id, node.name or "")

    def _terminal_event(
        self, node: FlowNode, node_id: str, event_class: type, *, first: bool
    ) -> tuple[Node, Node]:
        """A top-level start or end event; when the log records it, a labelled task beside it."""
        event = self.add(event_class(id=node_id, name=node.name or ""))
        if not self._visible(node):
            return event, event
        task = self.task(f"{node_id}__ereignis", node.name or "")
        if first:
            self.flow(event, task)
            return event, task
        self.flow(task, event)
        return task, event

    def _sub_process(self, index: _DocIndex, node: FlowNode, prefix: str) -> tuple[Node, Node]:
        label = bi(f"Unterprozess {named(node)}", f"Subprocess {named(node)}")
        if not index.children.get(node.id):
            self.placeholders.append(node)
            task = self.task(prefix + node.id, node.name or "")
            return task, task
        if node.type == "adHocSubProcess":
            self.notes.append(
                bi(
                    f"Ad-hoc-{label}: seine Aktivitäten in beliebiger Reihenfolge und Anzahl "
                    "zugelassen.",
                    f"Ad-hoc {pick(label, 'en')}: its activities allowed in any order and number.",
                )
            )
            return self.scope(index, node.id, prefix, "adhoc", label=label)
        self.notes.append(
            bi(
                f"{label} aufgelöst: sein Start und Ende sind stille Übergänge.",
                f"{pick(label, 'en')} resolved: its start and end are silent transitions.",
            )
        )
        return self.scope(index, node.id, prefix, "sub", label=label)

    def _call(self, index: _DocIndex, node: FlowNode, prefix: str) -> tuple[Node, Node]:
        called = node.called_element
        if not called:
            raise ModelConversionError(
                f"Aufrufaktivität {named(node)} nennt keinen aufgerufenen Prozess (calledElement).",
                element=node.id,
            )
        if called in index.doc.global_task_ids and called not in index.doc.processes_by_id:
            self.notes.append(
                bi(
                    f"Aufrufaktivität {named(node)} ruft die globale Aufgabe „{called}“: als Aufgabe "
                    "behandelt.",
                    f"Call activity {named(node)} calls the global task „{called}“: treated as a task.",
                )
            )
            task = self.task(prefix + node.id, node.name or "")
            return task, task
        target_doc, process = self._resolve(index.doc, node, called)
        key = _process_key(target_doc, process)
        if key in self.stack:
            chain = " → ".join(pid for _, pid in [*self.stack, key])
            raise ModelConversionError(
                f"Aufrufaktivität {named(node)}: zyklischer Aufruf ({chain}).", element=node.id
            )
        if len(self.stack) > MAX_CALL_DEPTH:
            raise ModelConversionError(
                f"Aufrufaktivität {named(node)}: mehr als {MAX_CALL_DEPTH} verschachtelte Aufrufe.",
                element=node.id,
            )
        self.stack.append(key)
        self.inlined.add(process.id)
        self.notes.append(
            bi(
                f"Aufrufaktivität {named(node)}: Prozess {named(process)} an ihrer Stelle eingefügt.",
                f"Call activity {named(node)}: process {named(process)} inserted in its place.",
            )
        )
        try:
            return self.scope(
                self.index(target_doc),
                process.id,
                f"{prefix}{node.id}/",
                "sub",
                label=bi(
                    f"Aufgerufener Prozess {named(process)}", f"Called process {named(process)}"
                ),
            )
        finally:
            self.stack.pop()

    def _resolve(
        self, doc: BpmnDocument, node: FlowNode, called: str
    ) -> tuple[BpmnDocument, Process]:
        local = doc.processes_by_id.get(called)
        if local is not None:
            return doc, local
        resolved: BpmnDocument | None = None
        if self.resolve_call is not None:
            try:
                resolved = self.resolve_call(called)
            except Exception as exc:  # the caller's lookup (registry, files) may fail any way
                raise ModelConversionError(
                    f"Aufrufaktivität {named(node)}: der aufgerufene Prozess „{called}“ konnte "
                    f"nicht geladen werden ({exc}).",
                    element=node.id,
                ) from exc
        if resolved is None:
            raise ModelConversionError(
                f"Aufrufaktivität {named(node)}: der aufgerufene Prozess „{called}“ ist nicht "
                "verfügbar (weder in dieser Datei noch über die Registry).",
                element=node.id,
            )
        process = called_process(resolved, called)
        if process is None:
            raise ModelConversionError(
                f"Aufrufaktivität {named(node)}: die Datei für „{called}“ enthält keinen "
                "eindeutigen Prozess.",
                element=node.id,
            )
        return resolved, process


def _splits(index: _DocIndex, node: FlowNode) -> bool:
    outgoing = [e for e in index.flows.get(node.container, []) if e.source == node.id]
    return len(outgoing) > 1


def _link_edges(nodes: dict[str, FlowNode]) -> list[Edge]:
    """Link events are a drawn "go to": a throw continues at the catch of the same name."""

    def key(node: FlowNode) -> str | None:
        definition = next(d for d in node.event_definitions if d.type == _LINK)
        return definition.name or node.name

    catches: dict[str | None, list[FlowNode]] = {}
    for node in nodes.values():
        if node.type == "intermediateCatchEvent" and node.has_event_definition(_LINK):
            catches.setdefault(key(node), []).append(node)
    return [
        Edge(f"{node.id}__link__{catch.id}", node.id, catch.id, "", False)
        for node in nodes.values()
        if node.type == "intermediateThrowEvent" and node.has_event_definition(_LINK)
        for catch in catches.get(key(node), [])
    ]
