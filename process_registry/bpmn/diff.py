"""Compare two versions of a BPMN model: what was added, removed, renamed or rewired.

Elements (processes, pools, lanes, flow nodes) are matched by id. Modelling tools sometimes assign
new ids when a model is re-exported, so elements left unmatched on both sides are then paired by
equal (type, name) in document order, and after that by their already-paired neighbours (details
in ``_matching``). Such pairs are listed in ``id_changes`` and do not by themselves make the diff
non-empty. Sequence flows are matched by id, then by (source, target) after translating the old
ids through the pairs. Message flows, data objects and artifacts are not compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._matching import Element, elements, pair_elements
from .model import BpmnDocument, SequenceFlow

__all__ = [
    "BpmnDiff",
    "ElementRef",
    "FlowChange",
    "FlowRef",
    "IdChange",
    "Relabel",
    "Retype",
    "diff_bpmn",
]


@dataclass(frozen=True)
class ElementRef:
    id: str
    kind: str
    name: str | None


@dataclass(frozen=True)
class Relabel:
    id: str
    kind: str
    old_name: str | None
    new_name: str | None


@dataclass(frozen=True)
class Retype:
    id: str
    old_kind: str
    new_kind: str
    name: str | None


@dataclass(frozen=True)
class IdChange:
    old_id: str
    new_id: str
    kind: str
    name: str | None


@dataclass(frozen=True)
class FlowRef:
    id: str
    source: str
    target: str
    name: str | None
    condition: str | None


@dataclass(frozen=True)
class FlowChange:
    """A flow present in both versions whose ``changed`` fields differ (ids in the new version)."""

    id: str
    old_id: str
    changed: tuple[str, ...]
    old: FlowRef
    new: FlowRef


@dataclass(frozen=True)
class BpmnDiff:
    """The differences, in document order. Ids are the new version's where an element exists in
    both; so the endpoints of a removed or changed flow are translated to the new ids, which makes
    "source changed" mean a different element, not a different id for the same one."""

    added: tuple[ElementRef, ...] = ()
    removed: tuple[ElementRef, ...] = ()
    relabelled: tuple[Relabel, ...] = ()
    retyped: tuple[Retype, ...] = ()
    id_changes: tuple[IdChange, ...] = ()
    flows_added: tuple[FlowRef, ...] = ()
    flows_removed: tuple[FlowRef, ...] = ()
    flows_changed: tuple[FlowChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the models mean the same; new ids alone do not count as a change."""
        return not (
            self.added
            or self.removed
            or self.relabelled
            or self.retyped
            or self.flows_added
            or self.flows_removed
            or self.flows_changed
        )

    def to_dict(self) -> dict[str, Any]:
        def flow(f: FlowRef) -> dict[str, Any]:
            return {
                "id": f.id,
                "source": f.source,
                "target": f.target,
                "name": f.name,
                "condition": f.condition,
            }

        return {
            "added": [vars(e).copy() for e in self.added],
            "removed": [vars(e).copy() for e in self.removed],
            "relabelled": [vars(e).copy() for e in self.relabelled],
            "retyped": [vars(e).copy() for e in self.retyped],
            "id_changes": [vars(e).copy() for e in self.id_changes],
            "flows_added": [flow(f) for f in self.flows_added],
            "flows_removed": [flow(f) for f in self.flows_removed],
            "flows_changed": [
                {
                    "id": c.id,
                    "old_id": c.old_id,
                    "changed": list(c.changed),
                    "old": flow(c.old),
                    "new": flow(c.new),
                }
                for c in self.flows_changed
            ],
        }


def _flow_ref(flow: SequenceFlow, ids: dict[str, str] | None = None) -> FlowRef:
    ids = ids or {}
    return FlowRef(
        id=flow.id,
        source=ids.get(flow.source, flow.source),
        target=ids.get(flow.target, flow.target),
        name=flow.name,
        condition=flow.condition,
    )


def _changed_fields(old: FlowRef, new: FlowRef) -> tuple[str, ...]:
    return tuple(
        field
        for field in ("source", "target", "condition", "name")
        if getattr(old, field) != getattr(new, field)
    )


def _by_endpoints(flows: Iterable[FlowRef]) -> dict[tuple[str, str], list[FlowRef]]:
    grouped: dict[tuple[str, str], list[FlowRef]] = {}
    for flow in flows:
        grouped.setdefault((flow.source, flow.target), []).append(flow)
    return grouped


def diff_bpmn(old: BpmnDocument, new: BpmnDocument) -> BpmnDiff:
    """What changed from ``old`` to ``new`` (see the module docstring for how elements match)."""
    old_elements, new_elements = elements(old), elements(new)
    id_map = pair_elements(old, new)
    relabelled: list[Relabel] = []
    retyped: list[Retype] = []
    id_changes: list[IdChange] = []
    for old_id, new_id in id_map.items():
        before, after = old_elements[old_id], new_elements[new_id]
        if before.name != after.name:
            relabelled.append(Relabel(new_id, after.kind, before.name, after.name))
        if before.kind != after.kind:
            retyped.append(Retype(new_id, before.kind, after.kind, after.name))
        if old_id != new_id:
            id_changes.append(IdChange(old_id, new_id, after.kind, after.name))
    paired_new = set(id_map.values())

    old_flows = {f.id: _flow_ref(f, id_map) for f in old.sequence_flows}
    new_flows = {f.id: _flow_ref(f) for f in new.sequence_flows}
    changed: list[FlowChange] = []
    for flow_id, before in old_flows.items():
        after = new_flows.get(flow_id)
        if after is not None and (fields := _changed_fields(before, after)):
            changed.append(FlowChange(flow_id, flow_id, fields, before, after))
    flows_left_new = _by_endpoints(f for i, f in new_flows.items() if i not in old_flows)
    flows_removed: list[FlowRef] = []
    matched_new: set[str] = set()
    for flow_id, before in old_flows.items():
        if flow_id in new_flows:
            continue
        candidates = flows_left_new.get((before.source, before.target), [])
        if not candidates:
            flows_removed.append(before)
            continue
        same = [c for c in candidates if c.condition == before.condition and c.name == before.name]
        after = (same or candidates)[0]
        candidates.remove(after)
        matched_new.add(after.id)
        if fields := _changed_fields(before, after):
            changed.append(FlowChange(after.id, flow_id, fields, before, after))
        else:
            id_changes.append(IdChange(flow_id, after.id, "sequenceFlow", after.name))
    return BpmnDiff(
        added=tuple(_ref(e) for i, e in new_elements.items() if i not in paired_new),
        removed=tuple(_ref(e) for i, e in old_elements.items() if i not in id_map),
        relabelled=tuple(relabelled),
        retyped=tuple(retyped),
        id_changes=tuple(id_changes),
        flows_added=tuple(
            f for i, f in new_flows.items() if i not in old_flows and i not in matched_new
        ),
        flows_removed=tuple(flows_removed),
        flows_changed=tuple(changed),
    )


def _ref(element: Element) -> ElementRef:
    return ElementRef(element.id, element.kind, element.name)
