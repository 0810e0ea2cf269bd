"""The parsed, read-only view of a BPMN 2.0 file that lint, diff, the registry and mining work on.

Element types are BPMN's own local names (``userTask``, ``exclusiveGateway``, ``boundaryEvent`` …),
so nothing is lost in translation and a reader can look them up in the specification. All ids are
the document's own ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

__all__ = [
    "ARTIFACT_TYPES",
    "DATA_TYPES",
    "EVENT_TYPES",
    "FLOW_NODE_TYPES",
    "GATEWAY_TYPES",
    "SUB_PROCESS_TYPES",
    "TASK_TYPES",
    "Artifact",
    "BpmnDocument",
    "Bounds",
    "DataElement",
    "EventDefinition",
    "FlowNode",
    "Lane",
    "MessageFlow",
    "NodeKind",
    "Participant",
    "Process",
    "SequenceFlow",
]

NodeKind = Literal["task", "sub_process", "call_activity", "event", "gateway"]

TASK_TYPES = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "scriptTask",
        "businessRuleTask",
        "sendTask",
        "receiveTask",
    }
)
SUB_PROCESS_TYPES = frozenset({"subProcess", "adHocSubProcess", "transaction"})
EVENT_TYPES = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "implicitThrowEvent",
    }
)
GATEWAY_TYPES = frozenset(
    {
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "complexGateway",
        "eventBasedGateway",
    }
)
FLOW_NODE_TYPES = TASK_TYPES | SUB_PROCESS_TYPES | EVENT_TYPES | GATEWAY_TYPES | {"callActivity"}
ARTIFACT_TYPES = frozenset({"textAnnotation", "association", "group"})
DATA_TYPES = frozenset({"dataObject", "dataObjectReference", "dataStoreReference"})

_CATCH_EVENT_TYPES = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})
_THROW_EVENT_TYPES = frozenset({"endEvent", "intermediateThrowEvent", "implicitThrowEvent"})


@dataclass(frozen=True)
class Bounds:
    """A shape's position and size from BPMN DI, in diagram units."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class EventDefinition:
    """One trigger or result of an event (message, timer, link, …).

    ``referenced`` is true when the event points to a definition at the top of the file through
    ``eventDefinitionRef`` instead of containing it. ``condition`` is the text of a conditional
    definition's ``<condition>`` (``""`` when the element is empty, ``None`` when it is absent).
    """

    type: str
    id: str | None = None
    name: str | None = None
    condition: str | None = None
    referenced: bool = False


@dataclass(frozen=True)
class FlowNode:
    """A task, sub-process, call activity, event or gateway.

    ``process`` is the id of the process the node belongs to; ``container`` is its direct parent
    (the process itself or a sub-process). Attributes that only make sense for some types keep
    BPMN's defaults for the others (``cancel_activity`` and ``is_interrupting`` default to true).
    ``is_expanded`` is the diagram's ``isExpanded="true"``: false for a sub-process drawn
    collapsed, and for a node the diagram does not draw.
    """

    id: str
    type: str
    name: str | None
    process: str
    container: str
    event_definitions: tuple[EventDefinition, ...] = ()
    attached_to: str | None = None
    cancel_activity: bool = True
    is_interrupting: bool = True
    triggered_by_event: bool = False
    is_for_compensation: bool = False
    called_element: str | None = None
    default_flow: str | None = None
    bounds: Bounds | None = None
    is_expanded: bool = False

    @property
    def kind(self) -> NodeKind:
        if self.type in TASK_TYPES:
            return "task"
        if self.type in SUB_PROCESS_TYPES:
            return "sub_process"
        if self.type == "callActivity":
            return "call_activity"
        if self.type in EVENT_TYPES:
            return "event"
        return "gateway"

    @property
    def is_activity(self) -> bool:
        return self.kind in ("task", "sub_process", "call_activity")

    @property
    def is_catch_event(self) -> bool:
        return self.type in _CATCH_EVENT_TYPES

    @property
    def is_throw_event(self) -> bool:
        return self.type in _THROW_EVENT_TYPES

    @property
    def is_event_sub_process(self) -> bool:
        return self.type in SUB_PROCESS_TYPES and self.triggered_by_event

    def has_event_definition(self, type_: str) -> bool:
        return any(d.type == type_ for d in self.event_definitions)


@dataclass(frozen=True)
class SequenceFlow:
    """A sequence flow. ``condition`` is ``None`` without ``conditionExpression``, else its text."""

    id: str
    source: str
    target: str
    name: str | None
    process: str
    container: str
    condition: str | None = None
    is_default: bool = False

    @property
    def has_condition(self) -> bool:
        return self.condition is not None


@dataclass(frozen=True)
class MessageFlow:
    id: str
    source: str
    target: str
    name: str | None


@dataclass(frozen=True)
class Lane:
    """A lane; ``parent`` is the enclosing lane's id for lanes of a nested (child) lane set."""

    id: str
    name: str | None
    process: str
    container: str
    flow_node_refs: tuple[str, ...] = ()
    parent: str | None = None


@dataclass(frozen=True)
class Participant:
    """A pool. Black-box pools have no ``process_ref``."""

    id: str
    name: str | None
    process_ref: str | None


@dataclass(frozen=True)
class Process:
    """A process; ``pool`` is the id of the participant that shows it, if any."""

    id: str
    name: str | None
    is_executable: bool
    pool: str | None


@dataclass(frozen=True)
class Artifact:
    """A text annotation, association or group; ``source``/``target`` only for associations."""

    id: str
    type: str
    container: str
    source: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class DataElement:
    """A data object, data object reference or data store reference."""

    id: str
    type: str
    name: str | None
    container: str


@dataclass(frozen=True)
class BpmnDocument:
    """Everything the registry needs from one BPMN file; built by ``parse_bpmn``."""

    id: str | None
    name: str | None
    processes: tuple[Process, ...]
    participants: tuple[Participant, ...]
    lanes: tuple[Lane, ...]
    nodes: tuple[FlowNode, ...]
    sequence_flows: tuple[SequenceFlow, ...]
    message_flows: tuple[MessageFlow, ...]
    artifacts: tuple[Artifact, ...] = ()
    data_elements: tuple[DataElement, ...] = ()
    has_diagram_layout: bool = False
    # Ids of the semantic elements that have a BPMNShape or BPMNEdge.
    di_element_ids: frozenset[str] = frozenset()
    # Top-level global tasks (globalTask, globalUserTask, …): a call activity may call them.
    global_task_ids: frozenset[str] = frozenset()

    @property
    def pools(self) -> tuple[Participant, ...]:
        return self.participants

    @property
    def tasks(self) -> tuple[FlowNode, ...]:
        return tuple(n for n in self.nodes if n.kind == "task")

    @property
    def events(self) -> tuple[FlowNode, ...]:
        return tuple(n for n in self.nodes if n.kind == "event")

    @property
    def gateways(self) -> tuple[FlowNode, ...]:
        return tuple(n for n in self.nodes if n.kind == "gateway")

    @property
    def sub_processes(self) -> tuple[FlowNode, ...]:
        return tuple(n for n in self.nodes if n.kind == "sub_process")

    @property
    def call_activities(self) -> tuple[FlowNode, ...]:
        return tuple(n for n in self.nodes if n.kind == "call_activity")

    @cached_property
    def nodes_by_id(self) -> dict[str, FlowNode]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def flows_by_id(self) -> dict[str, SequenceFlow]:
        return {f.id: f for f in self.sequence_flows}

    @cached_property
    def processes_by_id(self) -> dict[str, Process]:
        return {p.id: p for p in self.processes}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (``pmo registry show --json``). Keys are a stable contract."""
        by_process: dict[str, list[FlowNode]] = {p.id: [] for p in self.processes}
        for node in self.nodes:
            by_process.setdefault(node.process, []).append(node)
        lanes_by_process: dict[str, list[Lane]] = {}
        for lane in self.lanes:
            lanes_by_process.setdefault(lane.process, []).append(lane)
        return {
            "id": self.id,
            "name": self.name,
            "processes": [
                _process_dict(p, by_process.get(p.id, []), lanes_by_process.get(p.id, []))
                for p in self.processes
            ],
            "pools": [
                {"id": p.id, "name": p.name, "process": p.process_ref} for p in self.participants
            ],
            "sequence_flows": [
                {
                    "id": f.id,
                    "source": f.source,
                    "target": f.target,
                    "name": f.name,
                    "condition": f.condition,
                    "is_default": f.is_default,
                }
                for f in self.sequence_flows
            ],
            "message_flows": [
                {"id": f.id, "source": f.source, "target": f.target, "name": f.name}
                for f in self.message_flows
            ],
            "has_diagram_layout": self.has_diagram_layout,
        }


def _process_dict(process: Process, nodes: list[FlowNode], lanes: list[Lane]) -> dict[str, Any]:
    def base(n: FlowNode) -> dict[str, Any]:
        return {"id": n.id, "name": n.name, "type": n.type, "container": n.container}

    return {
        "id": process.id,
        "name": process.name,
        "is_executable": process.is_executable,
        "pool": process.pool,
        "lanes": [
            {
                "id": lane.id,
                "name": lane.name,
                "parent": lane.parent,
                "flow_nodes": list(lane.flow_node_refs),
            }
            for lane in lanes
        ],
        "tasks": [base(n) for n in nodes if n.kind == "task"],
        "events": [
            {
                **base(n),
                "event_definitions": [d.type for d in n.event_definitions],
                "attached_to": n.attached_to,
            }
            for n in nodes
            if n.kind == "event"
        ],
        "gateways": [{**base(n), "default": n.default_flow} for n in nodes if n.kind == "gateway"],
        "sub_processes": [
            {**base(n), "triggered_by_event": n.triggered_by_event}
            for n in nodes
            if n.kind == "sub_process"
        ],
        "call_activities": [
            {**base(n), "called_element": n.called_element}
            for n in nodes
            if n.kind == "call_activity"
        ],
    }
