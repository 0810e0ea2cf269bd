"""The graph of one (sub-)process and the one analysis the Petri net needs from it.

BPMN ends a process when its last token is consumed, so parallel branches may each end in their
own end event (a "dangling" parallel split, common in municipal models: "Statistik melden" runs
beside the decision and simply stops). A Petri net with one sink place needs those tokens joined
again, or every fitting case would leave a token behind. :func:`find_splits` finds such splits;
the flattener then joins their branches before the (sub-)process ends. A non-interrupting
boundary event is the same shape: the branch it starts runs beside its host and ends on its own.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from mining.texts import bi
from process_registry import FlowNode

__all__ = ["Edge", "ScopeGraph", "Split", "find_splits", "named", "owner_of"]


def named(element: object) -> str:
    """How messages name an element: „Name“ (id), or just (id) when it has no name."""
    name = getattr(element, "name", None)
    element_id = getattr(element, "id", "")
    return f"„{name}“ ({element_id})" if name else f"({element_id})"


@dataclass(frozen=True)
class Edge:
    """A sequence flow, or a link event's jump, between two nodes of the same scope."""

    id: str
    source: str
    target: str
    name: str
    conditional: bool


@dataclass
class ScopeGraph:
    """The nodes directly inside one process or sub-process, and their flows.

    ``boundaries`` maps a host activity to its boundary events (those kept for conversion).
    """

    nodes: dict[str, FlowNode]
    boundaries: dict[str, list[FlowNode]]
    edges: list[Edge]
    outgoing: dict[str, list[Edge]] = field(default_factory=dict)
    incoming: dict[str, list[Edge]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for edge in self.edges:
            self.outgoing.setdefault(edge.source, []).append(edge)
            self.incoming.setdefault(edge.target, []).append(edge)

    def without(self, dropped: Iterable[FlowNode]) -> ScopeGraph:
        """The same graph without some boundary events and their outgoing flows."""
        ids = {b.id for b in dropped}
        if not ids:
            return self
        return ScopeGraph(
            nodes=self.nodes,
            boundaries={
                host: [b for b in bs if b.id not in ids] for host, bs in self.boundaries.items()
            },
            edges=[e for e in self.edges if e.source not in ids and e.target not in ids],
        )

    @property
    def all_boundaries(self) -> list[FlowNode]:
        return [b for bs in self.boundaries.values() for b in bs]

    def successors(self, node_id: str, *, parallel_boundaries: bool = True) -> Iterable[str]:
        for edge in self.outgoing.get(node_id, ()):
            yield edge.target
        for boundary in self.boundaries.get(node_id, ()):
            if boundary.cancel_activity or parallel_boundaries:
                yield boundary.id

    def reach(
        self,
        starts: Iterable[str],
        *,
        without: str | None = None,
        parallel_boundaries: bool = True,
    ) -> set[str]:
        """Every node reachable from ``starts`` (included), optionally never entering ``without``
        or the branches of non-interrupting boundary events."""
        seen: set[str] = set()
        queue = deque(s for s in starts if s != without)
        while queue:
            current = queue.popleft()
            if current in seen:
                continue
            seen.add(current)
            queue.extend(
                s
                for s in self.successors(current, parallel_boundaries=parallel_boundaries)
                if s != without
            )
        return seen

    def ends(self) -> list[FlowNode]:
        """End events, and nodes where a path stops without one (BPMN's implicit end)."""
        return [
            n
            for n in [*self.nodes.values(), *self.all_boundaries]
            if n.type == "endEvent" or not self.outgoing.get(n.id)
        ]


@dataclass
class Split:
    """A split whose branches never meet again, so they must be joined before the scope ends.

    ``node`` is the splitting gateway or activity, or the host of non-interrupting boundary
    events; then ``branches[0]`` is the host's own continuation and ``branches[1:]`` belong to
    ``boundaries`` in order.
    """

    node: str
    branches: list[set[str]]
    boundaries: list[FlowNode] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.branches)


def find_splits(
    graph: ScopeGraph, starts: list[FlowNode], notes: list[str]
) -> tuple[list[Split], list[FlowNode]]:
    """The dangling splits of a scope (innermost first), and the boundary events to drop.

    A parallel split (a parallel gateway, or an activity with several unconditional flows) is
    dangling when its branches fall into at least two groups that never share a node. A
    non-interrupting boundary event gives a dangling split at its host when its branch never
    meets the host's continuation and the host is not in a loop (a loop would start the branch
    again and again). Both are only joined when no path from the start reaches their end events
    without passing the split; otherwise the model is left as drawn, with a note.
    """
    ends = {n.id for n in graph.ends()}
    start_ids = [n.id for n in starts]
    splits: list[Split] = []
    for node in graph.nodes.values():
        edges = graph.outgoing.get(node.id, [])
        if len(edges) < 2:
            continue
        if node.type != "parallelGateway" and (
            node.kind == "gateway" or any(e.conditional for e in edges)
        ):
            continue
        groups = _disjoint_groups([graph.reach([e.target]) for e in edges])
        if len(groups) < 2:
            continue
        if _bypassed(graph, start_ids, node.id, ends, groups):
            notes.append(
                bi(
                    f"Parallele Zweige nach {named(node)} enden getrennt und sind auch ohne diese "
                    "Verzweigung erreichbar: passende Fälle können Resttoken zeigen.",
                    f"Parallel branches after {named(node)} end separately and can be reached without "
                    "this split too: fitting cases may show remaining tokens.",
                )
            )
            continue
        splits.append(Split(node.id, groups))
    dropped: list[FlowNode] = []
    for host_id, boundaries in graph.boundaries.items():
        parallel = [b for b in boundaries if not b.cancel_activity]
        if not parallel:
            continue
        in_loop = host_id in graph.reach(graph.successors(host_id))
        continuation = graph.reach(
            graph.successors(host_id, parallel_boundaries=False), parallel_boundaries=False
        )
        split = Split(host_id, [continuation | {host_id}])
        for boundary in parallel:
            branch = graph.reach([boundary.id])
            if in_loop or not branch.isdisjoint(set().union(*split.branches)):
                dropped.append(boundary)
                notes.append(
                    bi(
                        f"Nicht unterbrechendes Randereignis {named(boundary)} ignoriert: sein Zweig "
                        "führt in den Hauptablauf zurück oder die Aktivität liegt in einer Schleife.",
                        f"Non-interrupting boundary event {named(boundary)} ignored: its branch leads back "
                        "into the main flow or the activity lies in a loop.",
                    )
                )
                continue
            split.branches.append(branch)
            split.boundaries.append(boundary)
        if split.boundaries and not _bypassed(graph, start_ids, host_id, ends, split.branches):
            splits.append(split)
            for boundary in split.boundaries:
                notes.append(
                    bi(
                        f"Nicht unterbrechendes Randereignis {named(boundary)}: optionaler paralleler "
                        "Zweig ab Beginn der Aktivität.",
                        f"Non-interrupting boundary event {named(boundary)}: an optional parallel branch "
                        "from the start of the activity.",
                    )
                )
        else:
            for boundary in split.boundaries:
                dropped.append(boundary)
                notes.append(
                    bi(
                        f"Nicht unterbrechendes Randereignis {named(boundary)} ignoriert: die Enden "
                        "seines Zweigs sind auch ohne die Aktivität erreichbar.",
                        f"Non-interrupting boundary event {named(boundary)} ignored: the ends of its "
                        "branch can be reached without the activity too.",
                    )
                )
    splits.sort(key=lambda s: s.size)
    return splits, dropped


def owner_of(node_id: str, splits: list[Split], *, larger_than: int = -1) -> tuple[int, int] | None:
    """The innermost split (index) and branch (index) that contain ``node_id``."""
    best: tuple[int, int] | None = None
    for position, split in enumerate(splits):
        if split.size <= larger_than:
            continue
        for branch, members in enumerate(split.branches):
            if node_id in members and (best is None or split.size < splits[best[0]].size):
                best = (position, branch)
    return best


def _disjoint_groups(reaches: list[set[str]]) -> list[set[str]]:
    """Merge branches that share a node (they meet again); what is left never meets."""
    groups: list[set[str]] = []
    for reach in reaches:
        merged = set(reach)
        for group in [g for g in groups if not g.isdisjoint(merged)]:
            merged |= group
            groups.remove(group)
        groups.append(merged)
    return groups


def _bypassed(
    graph: ScopeGraph, starts: list[str], split: str, ends: set[str], branches: list[set[str]]
) -> bool:
    """Whether an end event of the branches is reachable from the start around the split."""
    branch_ends = ends & set().union(*branches)
    return not branch_ends.isdisjoint(graph.reach(starts, without=split))
