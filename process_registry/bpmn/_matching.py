"""Pair the elements of two model versions, also when a tool re-export gave them new ids.

Steps, each only over what the previous ones left unpaired:

1. equal id;
2. equal (type, name), in document order;
3. unnamed elements, when exactly one of a type is left on each side;
4. equal neighbourhood, repeated until nothing changes: same type and the same already-paired
   neighbours (flow sources and targets, container, host of a boundary event, lane members,
   a pool's process, message-flow partners), when that neighbourhood is unique on both sides.

Step 4 is what lets renamed-and-re-id'd elements be recognised as the same element (they then
show up as relabelled), and lets a re-exported model with fresh ids diff as empty.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .model import BpmnDocument

__all__ = ["Element", "elements", "pair_elements"]

_Anchor = tuple[str, str]


@dataclass(frozen=True)
class Element:
    id: str
    kind: str
    name: str | None


def elements(doc: BpmnDocument) -> dict[str, Element]:
    """Processes, pools, lanes and flow nodes by id, in document order."""
    found: dict[str, Element] = {}
    for p in doc.processes:
        found[p.id] = Element(p.id, "process", p.name)
    for pool in doc.participants:
        found[pool.id] = Element(pool.id, "participant", pool.name)
    for lane in doc.lanes:
        found[lane.id] = Element(lane.id, "lane", lane.name)
    for node in doc.nodes:
        found[node.id] = Element(node.id, node.type, node.name)
    return found


def _anchors(doc: BpmnDocument) -> dict[str, set[_Anchor]]:
    anchors: dict[str, set[_Anchor]] = defaultdict(set)
    for flow in doc.sequence_flows:
        anchors[flow.target].add(("from", flow.source))
        anchors[flow.source].add(("to", flow.target))
    for flow in doc.message_flows:
        anchors[flow.target].add(("message-from", flow.source))
        anchors[flow.source].add(("message-to", flow.target))
    for node in doc.nodes:
        anchors[node.id].add(("in", node.container))
        anchors[node.container].add(("holds", node.id))
        if node.attached_to:
            anchors[node.id].add(("on", node.attached_to))
    for lane in doc.lanes:
        anchors[lane.id].update(("member", ref) for ref in lane.flow_node_refs)
        if lane.parent:
            anchors[lane.id].add(("in", lane.parent))
    for pool in doc.participants:
        if pool.process_ref:
            anchors[pool.id].add(("shows", pool.process_ref))
            anchors[pool.process_ref].add(("shown-by", pool.id))
    return anchors


def pair_elements(old: BpmnDocument, new: BpmnDocument) -> dict[str, str]:
    """Old id → new id for every element found in both versions (see module docstring)."""
    old_elements, new_elements = elements(old), elements(new)
    pairs = {i: i for i in old_elements if i in new_elements}

    def unpaired() -> tuple[list[Element], list[Element]]:
        taken = set(pairs.values())
        return (
            [e for i, e in old_elements.items() if i not in pairs],
            [e for i, e in new_elements.items() if i not in taken],
        )

    old_left, new_left = unpaired()
    by_label: dict[tuple[str, str], list[Element]] = defaultdict(list)
    for element in new_left:
        if element.name is not None:
            by_label[(element.kind, element.name)].append(element)
    for element in old_left:
        candidates = by_label.get((element.kind, element.name or ""), [])
        if element.name is not None and candidates:
            pairs[element.id] = candidates.pop(0).id

    old_left, new_left = unpaired()
    old_unnamed = Counter(e.kind for e in old_left if e.name is None)
    new_unnamed = {e.kind: e for e in new_left if e.name is None}
    new_unnamed_count = Counter(e.kind for e in new_left if e.name is None)
    for element in old_left:
        kind = element.kind
        if element.name is None and old_unnamed[kind] == 1 and new_unnamed_count[kind] == 1:
            pairs[element.id] = new_unnamed[kind].id

    old_anchors, new_anchors = _anchors(old), _anchors(new)
    while True:
        old_left, new_left = unpaired()
        if not old_left or not new_left:
            break
        paired_new = set(pairs.values())
        old_sigs = {
            e.id: (e.kind, frozenset((k, pairs[x]) for k, x in old_anchors[e.id] if x in pairs))
            for e in old_left
        }
        new_sigs = {
            e.id: (e.kind, frozenset((k, x) for k, x in new_anchors[e.id] if x in paired_new))
            for e in new_left
        }
        old_count = Counter(old_sigs.values())
        new_by_sig: dict[tuple[str, frozenset[_Anchor]], list[str]] = defaultdict(list)
        for element_id, sig in new_sigs.items():
            new_by_sig[sig].append(element_id)
        found = {
            old_id: new_by_sig[sig][0]
            for old_id, sig in old_sigs.items()
            if sig[1] and old_count[sig] == 1 and len(new_by_sig.get(sig, ())) == 1
        }
        if not found:
            break
        pairs.update(found)
    return pairs
