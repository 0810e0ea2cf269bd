"""Turn uploaded bytes into a ``BpmnDocument``.

Modelling tools disagree on prefixes (default namespace, ``semantic:``, ``bpmn2:``, ``model:``,
namespaces declared on inner elements), so elements are matched on namespace URI plus local name
only. Extension elements of other namespaces are skipped. One pass over the tree, dictionaries for
every lookup: the 300 kB ADONIS export must parse in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from process_registry.errors import BpmnParseError

from .model import (
    ARTIFACT_TYPES,
    DATA_TYPES,
    EVENT_TYPES,
    FLOW_NODE_TYPES,
    SUB_PROCESS_TYPES,
    Artifact,
    Bounds,
    BpmnDocument,
    DataElement,
    EventDefinition,
    FlowNode,
    Lane,
    MessageFlow,
    Participant,
    Process,
    SequenceFlow,
)
from .safe_xml import parse_untrusted_xml

__all__ = ["BPMN_NS", "parse_bpmn"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"

_BPMN = "{" + BPMN_NS + "}"
_BPMNDI = "{" + BPMNDI_NS + "}"


def parse_bpmn(data: bytes, *, source: str = "<upload>") -> BpmnDocument:
    """Parse an uploaded BPMN 2.0 file, safely; raise ``BpmnParseError`` with a German reason.

    ``source`` names the upload in messages (a file name, never read from).
    """
    root = parse_untrusted_xml(data, source=source).getroot()
    if root.tag != _BPMN + "definitions":
        hint = ""
        if etree.QName(root).namespace == _XPROZESS_NS:
            hint = (
                " Es ist eine XProzess-2-Nachricht (FIM); sie wird mit "
                "`pmo registry import-fim` bzw. „FIM-Stammprozess importieren“ eingelesen."
            )
        raise BpmnParseError(
            "Die Datei ist keine BPMN-2.0-Datei: das Wurzelelement ist nicht "
            f"<definitions> im Namensraum {BPMN_NS}.{hint}",
            source=source,
            line=root.sourceline,
        )
    return _Builder(root).build()


# Named here, not imported: the FIM reader builds on this parser, not the other way round.
_XPROZESS_NS = "http://www.regierung-mv.de/xprozess/2"


def _local(element: etree._Element, prefix: str = _BPMN) -> str | None:
    """The local name if the element is in the given namespace, else None (extensions, DI, …)."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith(prefix):
        return tag[len(prefix) :]
    return None


def _label(value: str | None) -> str | None:
    # Tools store visual line breaks inside names; collapse them so "Antrag\nprüfen" and
    # "Antrag prüfen" compare equal in lint and diff.
    if value is None:
        return None
    collapsed = " ".join(value.split())
    return collapsed or None


def _ref(value: str | None) -> str | None:
    """An id reference; a QName prefix (``tns:Task_1``) is dropped, since ids cannot hold colons."""
    if value is None:
        return None
    value = value.strip()
    if ":" in value:
        value = value.rsplit(":", 1)[1]
    return value or None


def _flag(element: etree._Element, attribute: str, default: bool) -> bool:
    value = element.get(attribute)
    if value is None:
        return default
    return value.strip().lower() in ("true", "1")


@dataclass
class _Builder:
    root: etree._Element
    processes: list[Process] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    nodes: list[FlowNode] = field(default_factory=list)
    flows: list[SequenceFlow] = field(default_factory=list)
    message_flows: list[MessageFlow] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    data_elements: list[DataElement] = field(default_factory=list)
    global_definitions: dict[str, str] = field(default_factory=dict)
    bounds: dict[str, Bounds] = field(default_factory=dict)
    di_ids: set[str] = field(default_factory=set)
    expanded: set[str] = field(default_factory=set)
    has_layout: bool = False

    def build(self) -> BpmnDocument:
        self._read_diagram_layout()
        process_elements: list[etree._Element] = []
        global_tasks: set[str] = set()
        # Collect processes first and read them last: their events may reference definitions
        # and their pools are declared in a collaboration, both possibly further down the file.
        for child in self.root:
            local = _local(child)
            if local is None:
                continue
            if local.endswith("EventDefinition"):
                self.global_definitions[self._id(child)] = local
            elif local.startswith("global") and local.endswith("Task"):
                global_tasks.add(self._id(child))
            elif local == "collaboration":
                self._read_collaboration(child)
            elif local == "process":
                process_elements.append(child)
        pools = {p.process_ref: p.id for p in self.participants if p.process_ref}
        for element in process_elements:
            process_id = self._id(element)
            self.processes.append(
                Process(
                    id=process_id,
                    name=_label(element.get("name")),
                    is_executable=_flag(element, "isExecutable", False),
                    pool=pools.get(process_id),
                )
            )
            self._read_container(element, process_id, process_id)
        default_of = {n.id: n.default_flow for n in self.nodes if n.default_flow}
        flows = tuple(
            SequenceFlow(
                id=f.id,
                source=f.source,
                target=f.target,
                name=f.name,
                process=f.process,
                container=f.container,
                condition=f.condition,
                is_default=default_of.get(f.source) == f.id,
            )
            for f in self.flows
        )
        return BpmnDocument(
            id=self.root.get("id"),
            name=_label(self.root.get("name")),
            processes=tuple(self.processes),
            participants=tuple(self.participants),
            lanes=tuple(self.lanes),
            nodes=tuple(self.nodes),
            sequence_flows=flows,
            message_flows=tuple(self.message_flows),
            artifacts=tuple(self.artifacts),
            data_elements=tuple(self.data_elements),
            has_diagram_layout=self.has_layout,
            di_element_ids=frozenset(self.di_ids),
            global_task_ids=frozenset(global_tasks),
        )

    def _id(self, element: etree._Element) -> str:
        # BPMN requires ids on these elements; a tool that omits one still must not crash us, and
        # a finding needs something to point at.
        value = element.get("id")
        if value and value.strip():
            return value.strip()
        return f"<{etree.QName(element).localname} ohne id, Zeile {element.sourceline}>"

    def _read_diagram_layout(self) -> None:
        for element in self.root.iter(_BPMNDI + "BPMNShape", _BPMNDI + "BPMNEdge"):
            self.has_layout = True
            target = _ref(element.get("bpmnElement"))
            if target is None:
                continue
            self.di_ids.add(target)
            if element.tag == _BPMNDI + "BPMNShape":
                box = _bounds(element)
                if box is not None:
                    self.bounds.setdefault(target, box)
                if _flag(element, "isExpanded", False):
                    self.expanded.add(target)

    def _read_collaboration(self, collaboration: etree._Element) -> None:
        collaboration_id = self._id(collaboration)
        for child in collaboration:
            local = _local(child)
            if local == "participant":
                self.participants.append(
                    Participant(
                        id=self._id(child),
                        name=_label(child.get("name")),
                        process_ref=_ref(child.get("processRef")),
                    )
                )
            elif local == "messageFlow":
                self.message_flows.append(
                    MessageFlow(
                        id=self._id(child),
                        source=_ref(child.get("sourceRef")) or "",
                        target=_ref(child.get("targetRef")) or "",
                        name=_label(child.get("name")),
                    )
                )
            elif local in ARTIFACT_TYPES:
                self._add_artifact(child, local, collaboration_id)

    def _read_container(
        self, container: etree._Element, process_id: str, container_id: str
    ) -> None:
        for child in container:
            local = _local(child)
            if local is None:
                continue
            if local in FLOW_NODE_TYPES:
                node = self._node(child, local, process_id, container_id)
                self.nodes.append(node)
                if local in SUB_PROCESS_TYPES:
                    self._read_container(child, process_id, node.id)
            elif local == "sequenceFlow":
                self.flows.append(self._sequence_flow(child, process_id, container_id))
            elif local == "laneSet":
                self._read_lane_set(child, process_id, container_id, parent=None)
            elif local in ARTIFACT_TYPES:
                self._add_artifact(child, local, container_id)
            elif local in DATA_TYPES:
                self.data_elements.append(
                    DataElement(
                        id=self._id(child),
                        type=local,
                        name=_label(child.get("name")),
                        container=container_id,
                    )
                )

    def _node(
        self, element: etree._Element, local: str, process_id: str, container_id: str
    ) -> FlowNode:
        node_id = self._id(element)
        return FlowNode(
            id=node_id,
            type=local,
            name=_label(element.get("name")),
            process=process_id,
            container=container_id,
            event_definitions=self._event_definitions(element) if local in EVENT_TYPES else (),
            attached_to=_ref(element.get("attachedToRef")),
            cancel_activity=_flag(element, "cancelActivity", True),
            is_interrupting=_flag(element, "isInterrupting", True),
            triggered_by_event=_flag(element, "triggeredByEvent", False),
            is_for_compensation=_flag(element, "isForCompensation", False),
            called_element=(element.get("calledElement") or "").strip() or None,
            default_flow=_ref(element.get("default")),
            bounds=self.bounds.get(node_id),
            is_expanded=node_id in self.expanded,
        )

    def _event_definitions(self, event: etree._Element) -> tuple[EventDefinition, ...]:
        definitions: list[EventDefinition] = []
        for child in event:
            local = _local(child)
            if local is None:
                continue
            if local.endswith("EventDefinition"):
                condition: str | None = None
                for part in child:
                    if _local(part) == "condition":
                        condition = "".join(part.itertext()).strip()
                definitions.append(
                    EventDefinition(
                        type=local,
                        id=child.get("id"),
                        name=_label(child.get("name")),
                        condition=condition,
                    )
                )
            elif local == "eventDefinitionRef":
                target = _ref(child.text)
                if target is not None:
                    definitions.append(
                        EventDefinition(
                            type=self.global_definitions.get(target, "unknownEventDefinition"),
                            id=target,
                            referenced=True,
                        )
                    )
        return tuple(definitions)

    def _sequence_flow(
        self, element: etree._Element, process_id: str, container_id: str
    ) -> SequenceFlow:
        condition: str | None = None
        for child in element:
            if _local(child) == "conditionExpression":
                condition = "".join(child.itertext()).strip()
        return SequenceFlow(
            id=self._id(element),
            source=_ref(element.get("sourceRef")) or "",
            target=_ref(element.get("targetRef")) or "",
            name=_label(element.get("name")),
            process=process_id,
            container=container_id,
            condition=condition,
        )

    def _read_lane_set(
        self, lane_set: etree._Element, process_id: str, container_id: str, parent: str | None
    ) -> None:
        for lane in lane_set:
            if _local(lane) != "lane":
                continue
            lane_id = self._id(lane)
            refs: list[str] = []
            children: list[etree._Element] = []
            for child in lane:
                local = _local(child)
                if local == "flowNodeRef":
                    ref = _ref(child.text)
                    if ref is not None:
                        refs.append(ref)
                elif local == "childLaneSet":
                    children.append(child)
            self.lanes.append(
                Lane(
                    id=lane_id,
                    name=_label(lane.get("name")),
                    process=process_id,
                    container=container_id,
                    flow_node_refs=tuple(refs),
                    parent=parent,
                )
            )
            for child_set in children:
                self._read_lane_set(child_set, process_id, container_id, parent=lane_id)

    def _add_artifact(self, element: etree._Element, local: str, container_id: str) -> None:
        self.artifacts.append(
            Artifact(
                id=self._id(element),
                type=local,
                container=container_id,
                source=_ref(element.get("sourceRef")),
                target=_ref(element.get("targetRef")),
            )
        )


def _bounds(shape: etree._Element) -> Bounds | None:
    for child in shape:
        if isinstance(child.tag, str) and etree.QName(child).localname == "Bounds":
            try:
                return Bounds(
                    x=float(child.get("x", "")),
                    y=float(child.get("y", "")),
                    width=float(child.get("width", "")),
                    height=float(child.get("height", "")),
                )
            except ValueError:
                return None
    return None
