"""The topological half of the diagram layout: which column and which slot each vertex gets.

Steps 1–3 of the Sugiyama-style layout described in :mod:`mining.diagram.layout`: DFS back edges
break the cycles, longest-path layering puts every node in a column, dummy vertices give long
edges a slot in each column they cross, barycenter sweeps order each column, and every back edge
gets a lane of dummies right beside the loop body it closes. No coordinates here.

Deterministic: the input order is the only tie-breaker; no randomness, no iteration over sets.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["LayeredGraph", "build_layered_graph"]

_SWEEPS = 12


@dataclass
class LayeredGraph:
    """Vertices 0..n-1 are the nodes, dummies follow. ``succ``/``pred`` link consecutive layers
    (forward edges and their dummies only; back-edge lanes are not linked, so they do not pull
    the nodes around). ``chains[e]`` is edge e's vertex path in drawing order: for a back edge
    s → t that is s, its lane from s's column leftwards to t's column, then t."""

    n: int
    edges: list[tuple[int, int]]
    back: list[bool]
    layer: list[int]
    height: list[int]
    succ: list[list[int]]
    pred: list[list[int]]
    chains: list[list[int]] = field(default_factory=list)
    layers: list[list[int]] = field(default_factory=list)
    lane_of: dict[int, int] = field(default_factory=dict)  # lane dummy -> its back edge
    below: dict[int, bool] = field(default_factory=dict)  # back edge -> lane below its body

    @property
    def depth(self) -> int:
        return len(self.layers)

    def new_vertex(self, layer: int) -> int:
        self.layer.append(layer)
        self.height.append(0)
        self.succ.append([])
        self.pred.append([])
        return len(self.layer) - 1


def build_layered_graph(heights: Sequence[int], edges: Sequence[tuple[int, int]]) -> LayeredGraph:
    n = len(heights)
    back = _back_edges(n, edges)
    graph = LayeredGraph(
        n=n,
        edges=list(edges),
        back=back,
        layer=_longest_path_layers(n, edges, back),
        height=list(heights),
        succ=[[] for _ in range(n)],
        pred=[[] for _ in range(n)],
    )
    depth = max(graph.layer) + 1
    # A forward edge that skips columns gets one dummy per skipped column.
    for e, (s, t) in enumerate(edges):
        if back[e]:
            graph.chains.append([s, t])
            continue
        inner = [graph.new_vertex(k) for k in range(graph.layer[s] + 1, graph.layer[t])]
        chain = [s, *inner, t]
        for u, v in zip(chain, chain[1:], strict=False):
            graph.succ[u].append(v)
            graph.pred[v].append(u)
        graph.chains.append(chain)
    graph.layers = _order_layers(graph, depth)
    _insert_back_lanes(graph)
    return graph


def _back_edges(n: int, edges: Sequence[tuple[int, int]]) -> list[bool]:
    """Mark the edges that close a cycle in a DFS from node 0, then from each unvisited node."""
    out: list[list[int]] = [[] for _ in range(n)]
    for e, (s, _t) in enumerate(edges):
        out[s].append(e)
    back = [False] * len(edges)
    state = [0] * n  # 0 new, 1 on the DFS stack, 2 finished
    for root in range(n):
        if state[root]:
            continue
        state[root] = 1
        stack: list[tuple[int, int]] = [(root, 0)]  # node, index of its next out-edge
        while stack:
            v, i = stack[-1]
            if i == len(out[v]):
                state[v] = 2
                stack.pop()
                continue
            stack[-1] = (v, i + 1)
            e = out[v][i]
            t = edges[e][1]
            if state[t] == 1:
                back[e] = True
            elif state[t] == 0:
                state[t] = 1
                stack.append((t, 0))
    return back


def _longest_path_layers(n: int, edges: Sequence[tuple[int, int]], back: list[bool]) -> list[int]:
    """Column of each node on the DAG of forward edges and reversed back edges (no self-loops)."""
    succ: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for e, (s, t) in enumerate(edges):
        if s == t:
            continue
        a, b = (t, s) if back[e] else (s, t)
        succ[a].append(b)
        indegree[b] += 1
    layer = [0] * n
    ready = [v for v in range(n) if indegree[v] == 0]
    heapq.heapify(ready)
    while ready:
        v = heapq.heappop(ready)
        for w in succ[v]:
            layer[w] = max(layer[w], layer[v] + 1)
            indegree[w] -= 1
            if indegree[w] == 0:
                heapq.heappush(ready, w)
    return layer


def _order_layers(graph: LayeredGraph, depth: int) -> list[list[int]]:
    """Barycenter sweeps from a DFS preorder start; the order with the fewest crossings wins."""
    seen = [False] * len(graph.layer)
    layers: list[list[int]] = [[] for _ in range(depth)]
    for root in range(len(graph.layer)):
        stack = [root]
        while stack:
            v = stack.pop()
            if seen[v]:
                continue
            seen[v] = True
            layers[graph.layer[v]].append(v)  # preorder keeps each branch together
            stack.extend(reversed(graph.succ[v]))
    best = [list(layer) for layer in layers]
    best_crossings = _crossings(graph, layers)
    for sweep in range(_SWEEPS):
        if best_crossings == 0:
            break
        downward = sweep % 2 == 0
        for k in range(1, depth) if downward else range(depth - 2, -1, -1):
            fixed = layers[k - 1] if downward else layers[k + 1]
            pos = {v: i for i, v in enumerate(fixed)}
            layers[k] = _barycenter_order(layers[k], graph.pred if downward else graph.succ, pos)
        crossings = _crossings(graph, layers)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
    return best


def _barycenter_order(
    layer: list[int], neighbours: list[list[int]], pos: dict[int, int]
) -> list[int]:
    """Sort the vertices that have neighbours by their mean neighbour position; the others keep
    their slots. Ties keep the current order (stable sort), which keeps the result deterministic."""
    movable = [v for v in layer if neighbours[v]]
    keyed = sorted(movable, key=lambda v: sum(pos[u] for u in neighbours[v]) / len(neighbours[v]))
    result = list(layer)
    slots = [i for i, v in enumerate(layer) if neighbours[v]]
    for slot, v in zip(slots, keyed, strict=True):
        result[slot] = v
    return result


def _crossings(graph: LayeredGraph, layers: list[list[int]]) -> int:
    total = 0
    for k in range(len(layers) - 1):
        upper = {v: i for i, v in enumerate(layers[k])}
        lower = {v: i for i, v in enumerate(layers[k + 1])}
        pairs = sorted((upper[u], lower[v]) for u in layers[k] for v in graph.succ[u])
        total += _inversions([b for _a, b in pairs], len(layers[k + 1]))
    return total


def _inversions(values: list[int], size: int) -> int:
    """Number of pairs i < j with values[i] > values[j] (Fenwick tree over 0..size-1)."""
    tree = [0] * (size + 1)
    count = 0
    for seen, value in enumerate(values):
        i, not_greater = value + 1, 0
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        count += seen - not_greater
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count


def _insert_back_lanes(graph: LayeredGraph) -> None:
    """Give every back edge a lane right beside the loop body it closes.

    The body of a back edge s → t is what lies on forward paths from t to s (t is an ancestor of
    s in the DFS, so there is such a path, through every column in between). In each column from
    t's to s's the edge gets a dummy just below the body's lowest vertex, or above its highest
    where fewer vertices are in the way. So a loop draws as a tight U around its body instead of
    a detour around the whole diagram. Longer loops go first, so nested loops end up inside.
    """
    backs = [e for e in range(len(graph.edges)) if graph.back[e]]
    span = {e: (graph.layer[graph.edges[e][1]], graph.layer[graph.edges[e][0]]) for e in backs}
    for e in sorted(backs, key=lambda e: (span[e][0] - span[e][1], e)):
        s, t = graph.edges[e]
        lo, hi = span[e]
        body = _reachable(t, graph.succ, graph.layer, lo, hi)
        body &= _reachable(s, graph.pred, graph.layer, lo, hi)
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for k in range(lo, hi + 1):
            slots = [i for i, v in enumerate(graph.layers[k]) if v in body]
            first[k], last[k] = slots[0], slots[-1]
        above_cost = sum(first.values())
        below_cost = sum(len(graph.layers[k]) - 1 - last[k] for k in range(lo, hi + 1))
        below = below_cost <= above_cost
        lane = []
        for k in range(hi, lo - 1, -1):
            d = graph.new_vertex(k)
            graph.layers[k].insert(last[k] + 1 if below else first[k], d)
            graph.lane_of[d] = e
            lane.append(d)
        graph.below[e] = below
        graph.chains[e] = [s, *lane, t]


def _reachable(start: int, step: list[list[int]], layer: list[int], lo: int, hi: int) -> set[int]:
    """Vertices reachable from ``start`` along ``step`` without leaving columns lo..hi."""
    seen = {start}
    stack = [start]
    while stack:
        v = stack.pop()
        for w in step[v]:
            if w not in seen and lo <= layer[w] <= hi:
                seen.add(w)
                stack.append(w)
    return seen
