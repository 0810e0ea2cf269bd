"""Write a pm4py BPMN model as BPMN 2.0 XML with a diagram layout that modelling tools can open.

pm4py's own exporter gives every shape the bounds 0,0 (pm4py issues #244, #348); Camunda Modeler
and bpmn-js then show one heap. Here every flow node gets a ``BPMNShape`` and every sequence flow
a ``BPMNEdge`` from :mod:`mining.diagram.layout`.

The output is the same bytes for the same model: the element order and the ids are derived from
the model's structure (a DFS from the start events along the flows in the model's own order), not
from iterating pm4py's sets, and pm4py's random ids only break ties between otherwise identical
unconnected parts (a discovered model has none). So two discoveries on the same variants give
identical files, which keeps them diffable in the registry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from lxml import etree

from mining.diagram.layout import DiagramLayout, layout_diagram
from mining.errors import MiningError

if TYPE_CHECKING:
    from pm4py.objects.bpmn.obj import BPMN

__all__ = ["BpmnExportError", "write_bpmn"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
_NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}

TASK_SIZE = (100, 80)
EVENT_SIZE = (36, 36)
GATEWAY_SIZE = (50, 50)

# Characters XML 1.0 cannot carry at all (control characters, lone surrogates). A log can hold
# them in an activity name; lxml would refuse the whole document, so they become U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class BpmnExportError(MiningError, ValueError):
    """A model this writer cannot express (pools, annotations, boundary events, nested content)."""


def write_bpmn(bpmn: BPMN, *, process_name: str = "Entdeckter Prozess") -> bytes:
    """BPMN 2.0 XML (UTF-8) of a flat pm4py BPMN process, with a left-to-right diagram layout.

    Shapes have the standard sizes (task 100×80, event 36×36, gateway 50×50); edges are orthogonal
    and leave and enter the shapes' borders. Ids are new (``Event_1``, ``Activity_3``,
    ``Gateway_2``, ``Flow_7``): pm4py's are random, and the file must not change between runs.
    Names are written as text, so ``<script>`` or ``Müller & Söhne`` come back unchanged.

    .. code-block:: python3

        bpmn = discover_bpmn(variants)
        Path("entdeckt.bpmn").write_bytes(write_bpmn(bpmn, process_name="Wohngeld"))
    """
    nodes, flows, index = _canonical_order(bpmn)
    kinds = [_kind(node) for node in nodes]
    edges = [(index[_key(f.get_source())], index[_key(f.get_target())]) for f in flows]
    layout = layout_diagram([kind.size for kind in kinds], edges)
    node_ids = _ids([kind.prefix for kind in kinds])
    flow_ids = _ids(["Flow"] * len(flows))

    root = etree.Element(_q(BPMN_NS, "definitions"), nsmap=_NSMAP)
    root.set("id", "Definitions_1")
    root.set("targetNamespace", "http://bpmn.io/schema/bpmn")
    root.set("exporter", "pmo")
    root.set("exporterVersion", "0.1.0")
    process = etree.SubElement(root, _q(BPMN_NS, "process"), id="Process_1", isExecutable="false")
    _set_name(process, process_name)
    _write_flow_elements(process, nodes, kinds, node_ids, flows, flow_ids, edges)
    _write_diagram(root, kinds, node_ids, flow_ids, layout)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_flow_elements(
    process: etree._Element,
    nodes: list[Any],
    kinds: list[_Kind],
    node_ids: list[str],
    flows: list[Any],
    flow_ids: list[str],
    edges: list[tuple[int, int]],
) -> None:
    incoming: list[list[str]] = [[] for _ in nodes]
    outgoing: list[list[str]] = [[] for _ in nodes]
    for flow_id, (s, t) in zip(flow_ids, edges, strict=True):
        outgoing[s].append(flow_id)
        incoming[t].append(flow_id)
    for i, (node, kind) in enumerate(zip(nodes, kinds, strict=True)):
        element = etree.SubElement(process, _q(BPMN_NS, kind.tag), id=node_ids[i])
        _set_name(element, node.get_name())
        direction = _gateway_direction(node)
        if direction is not None:
            element.set("gatewayDirection", direction)
        # bpmn-moddle (bpmn-js, bpmnlint) reads a node's flows from these children, not from
        # the flows' sourceRef/targetRef; the schema wants them before any event definition.
        for flow_id in incoming[i]:
            etree.SubElement(element, _q(BPMN_NS, "incoming")).text = flow_id
        for flow_id in outgoing[i]:
            etree.SubElement(element, _q(BPMN_NS, "outgoing")).text = flow_id
        if kind.definition:
            etree.SubElement(element, _q(BPMN_NS, kind.definition), id=f"{node_ids[i]}_def")
    for flow, flow_id, (s, t) in zip(flows, flow_ids, edges, strict=True):
        element = etree.SubElement(
            process,
            _q(BPMN_NS, "sequenceFlow"),
            id=flow_id,
            sourceRef=node_ids[s],
            targetRef=node_ids[t],
        )
        _set_name(element, flow.get_name())


def _write_diagram(
    root: etree._Element,
    kinds: list[_Kind],
    node_ids: list[str],
    flow_ids: list[str],
    layout: DiagramLayout,
) -> None:
    diagram = etree.SubElement(root, _q(BPMNDI_NS, "BPMNDiagram"), id="BPMNDiagram_1")
    plane = etree.SubElement(
        diagram, _q(BPMNDI_NS, "BPMNPlane"), id="BPMNPlane_1", bpmnElement="Process_1"
    )
    for node_id, kind, rect in zip(node_ids, kinds, layout.shapes, strict=True):
        shape = etree.SubElement(
            plane, _q(BPMNDI_NS, "BPMNShape"), id=f"{node_id}_di", bpmnElement=node_id
        )
        if kind.tag == "exclusiveGateway":
            shape.set("isMarkerVisible", "true")  # bpmn-js draws the X only when asked to
        if kind.tag == "subProcess":
            shape.set("isExpanded", "false")
        etree.SubElement(
            shape,
            _q(DC_NS, "Bounds"),
            x=str(rect.x),
            y=str(rect.y),
            width=str(rect.width),
            height=str(rect.height),
        )
    for flow_id, route in zip(flow_ids, layout.waypoints, strict=True):
        edge = etree.SubElement(
            plane, _q(BPMNDI_NS, "BPMNEdge"), id=f"{flow_id}_di", bpmnElement=flow_id
        )
        for x, y in route:
            etree.SubElement(edge, _q(DI_NS, "waypoint"), x=str(x), y=str(y))


# pm4py's node classes (by qualified name) → BPMN element and event definition. A node takes the
# entry of the most specific class in its MRO. Boundary events are missing on purpose: they
# belong on their activity's border, which a layered layout does not do, and discovery never
# makes one; pools, lanes and annotations are no flow nodes.
_ELEMENTS: dict[str, tuple[str, str | None]] = {
    "BPMN.StartEvent": ("startEvent", None),
    "BPMN.MessageStartEvent": ("startEvent", "messageEventDefinition"),
    "BPMN.EndEvent": ("endEvent", None),
    "BPMN.MessageEndEvent": ("endEvent", "messageEventDefinition"),
    "BPMN.TerminateEndEvent": ("endEvent", "terminateEventDefinition"),
    "BPMN.ErrorEndEvent": ("endEvent", "errorEventDefinition"),
    "BPMN.CancelEndEvent": ("endEvent", "cancelEventDefinition"),
    "BPMN.IntermediateCatchEvent": ("intermediateCatchEvent", None),
    "BPMN.MessageIntermediateCatchEvent": ("intermediateCatchEvent", "messageEventDefinition"),
    "BPMN.ErrorIntermediateCatchEvent": ("intermediateCatchEvent", "errorEventDefinition"),
    "BPMN.CancelIntermediateCatchEvent": ("intermediateCatchEvent", "cancelEventDefinition"),
    "BPMN.IntermediateThrowEvent": ("intermediateThrowEvent", None),
    "BPMN.MessageIntermediateThrowEvent": ("intermediateThrowEvent", "messageEventDefinition"),
    "BPMN.Task": ("task", None),
    "BPMN.UserTask": ("userTask", None),
    "BPMN.SendTask": ("sendTask", None),
    "BPMN.SubProcess": ("subProcess", None),
    "BPMN.ExclusiveGateway": ("exclusiveGateway", None),
    "BPMN.ParallelGateway": ("parallelGateway", None),
    "BPMN.InclusiveGateway": ("inclusiveGateway", None),
    "BPMN.EventBasedGateway": ("eventBasedGateway", None),
}


class _Kind(NamedTuple):
    """How one node is written: element, id prefix, shape size, event definition."""

    tag: str
    prefix: str
    size: tuple[int, int]
    definition: str | None


def _kind(node: Any) -> _Kind:
    for cls in type(node).__mro__:
        if cls.__qualname__ in _ELEMENTS and cls.__module__ == "pm4py.objects.bpmn.obj":
            tag, definition = _ELEMENTS[cls.__qualname__]
            if tag.endswith("Event"):
                return _Kind(tag, "Event", EVENT_SIZE, definition)
            if tag.endswith("Gateway"):
                return _Kind(tag, "Gateway", GATEWAY_SIZE, definition)
            return _Kind(tag, "Activity", TASK_SIZE, definition)
    raise BpmnExportError(
        f"Das BPMN-Element „{_text(node.get_name())}“ vom Typ {type(node).__name__} kann nicht "
        "exportiert werden: unterstützt sind Ereignisse, Aufgaben und Gateways eines einzelnen "
        "Prozesses ohne Pools, Anmerkungen und Randereignisse."
    )


def _gateway_direction(node: Any) -> str | None:
    value = getattr(getattr(node, "get_gateway_direction", lambda: None)(), "value", None)
    return None if value in (None, "Unspecified") else str(value)


def _key(node: Any) -> str:
    # pm4py nodes compare by id; two objects with one id are one node to pm4py as well.
    return str(node.get_id())


def _canonical_order(bpmn: Any) -> tuple[list[Any], list[Any], dict[str, int]]:
    """Nodes in DFS preorder from the start events, flows in (source order, out-arc order)."""
    from pm4py.objects.bpmn.obj import BPMN

    sub_processes = {_key(n) for n in bpmn.get_nodes() if isinstance(n, BPMN.SubProcess)}
    by_key: dict[str, Any] = {}
    for node in bpmn.get_nodes():
        by_key.setdefault(_key(node), node)
        if node.get_process() in sub_processes:
            raise BpmnExportError(
                "Aufgeklappte Unterprozesse werden nicht exportiert; das Modell enthält Elemente "
                f"innerhalb eines Unterprozesses (z. B. „{_text(node.get_name())}“)."
            )
    flows = list(bpmn.get_flows())
    for flow in flows:
        if not isinstance(flow, BPMN.SequenceFlow):
            raise BpmnExportError(
                f"Nur Sequenzflüsse werden exportiert, nicht {type(flow).__name__}."
            )
        for end in (flow.get_source(), flow.get_target()):
            by_key.setdefault(_key(end), end)
    flow_ids = {id(f) for f in flows}
    out_flows: dict[str, list[Any]] = {k: [] for k in by_key}
    has_incoming: set[str] = set()
    for node_key, node in by_key.items():
        out_flows[node_key] = [f for f in node.get_out_arcs() if id(f) in flow_ids]
    listed = {id(f) for fs in out_flows.values() for f in fs}
    for flow in flows:  # flows their source does not list (an inconsistent model) still count
        if id(flow) not in listed:
            out_flows[_key(flow.get_source())].append(flow)
        has_incoming.add(_key(flow.get_target()))

    def rank(node_key: str) -> tuple[int, str, str, str]:
        node = by_key[node_key]
        first = 0 if isinstance(node, BPMN.StartEvent) else 1 if node_key not in has_incoming else 2
        return (first, type(node).__name__, str(node.get_name()), node_key)

    # Within one out-arc list, pm4py's order is its construction order, hence deterministic; for
    # flows added above, sort so that set iteration order cannot leak in.
    for node_key, node_flows in out_flows.items():
        native = [f for f in node_flows if id(f) in listed]
        extra = [f for f in node_flows if id(f) not in listed]
        extra.sort(key=lambda f: (rank(_key(f.get_target())), str(f.get_name())))
        out_flows[node_key] = native + extra

    order: list[str] = []
    index: dict[str, int] = {}
    for root in sorted(by_key, key=rank):
        stack = [root]
        while stack:
            node_key = stack.pop()
            if node_key in index:
                continue
            index[node_key] = len(order)
            order.append(node_key)
            stack.extend(_key(f.get_target()) for f in reversed(out_flows[node_key]))
    ordered_flows: list[Any] = []
    emitted: set[int] = set()
    for node_key in order:
        for flow in out_flows[node_key]:
            if id(flow) not in emitted:
                emitted.add(id(flow))
                ordered_flows.append(flow)
    return [by_key[k] for k in order], ordered_flows, index


def _ids(prefixes: list[str]) -> list[str]:
    counters: dict[str, int] = {}
    result = []
    for prefix in prefixes:
        counters[prefix] = counters.get(prefix, 0) + 1
        result.append(f"{prefix}_{counters[prefix]}")
    return result


def _text(value: object) -> str:
    return _NOT_XML.sub("\ufffd", "" if value is None else str(value))


def _set_name(element: etree._Element, value: object) -> None:
    text = _text(value)
    if text:
        element.set("name", text)  # lxml escapes &, <, > and quotes in attribute values


def _q(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}"
