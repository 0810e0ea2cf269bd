"""Lookup tables the lint rules share, built once per lint run.

bpmn-moddle reads ``incoming``/``outgoing`` from the ``<incoming>``/``<outgoing>`` child elements,
which some exporters omit or get wrong; here they are derived from the sequence flows' own
``sourceRef``/``targetRef``, which every tool writes. For the bpmnlint examples both agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .model import SUB_PROCESS_TYPES, BpmnDocument, FlowNode, SequenceFlow

__all__ = ["LintIndex", "Report", "Scope"]


class Report(NamedTuple):
    """What a rule reports: the offending element's id and a German message."""

    element: str
    message: str


@dataclass(frozen=True)
class Scope:
    """A flow-element container: a process or a (possibly ad-hoc/transaction/event) sub-process."""

    id: str
    type: str  # "process" or the sub-process's BPMN type
    node: FlowNode | None  # None for processes
    process: str

    @property
    def label(self) -> str:
        return "Prozess" if self.node is None else "Unterprozess"


class LintIndex:
    def __init__(self, doc: BpmnDocument) -> None:
        self.doc = doc
        self.nodes: dict[str, FlowNode] = {n.id: n for n in doc.nodes}
        self.incoming: dict[str, list[SequenceFlow]] = {}
        self.outgoing: dict[str, list[SequenceFlow]] = {}
        for flow in doc.sequence_flows:
            self.outgoing.setdefault(flow.source, []).append(flow)
            self.incoming.setdefault(flow.target, []).append(flow)
        self.children: dict[str, list[FlowNode]] = {}
        for node in doc.nodes:
            self.children.setdefault(node.container, []).append(node)
        self.executable: dict[str, bool] = {p.id: p.is_executable for p in doc.processes}

    def ins(self, node: FlowNode) -> list[SequenceFlow]:
        return self.incoming.get(node.id, [])

    def outs(self, node: FlowNode) -> list[SequenceFlow]:
        return self.outgoing.get(node.id, [])

    def container_type(self, node: FlowNode) -> str:
        parent = self.nodes.get(node.container)
        return "process" if parent is None else parent.type

    def scopes(self) -> Iterator[Scope]:
        for process in self.doc.processes:
            yield Scope(process.id, "process", None, process.id)
        for node in self.doc.nodes:
            if node.type in SUB_PROCESS_TYPES:
                yield Scope(node.id, node.type, node, node.process)
