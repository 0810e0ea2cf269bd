"""Left-to-right layered layout of a flow graph, for the BPMN diagram interchange (BPMN DI).

pm4py's BPMN export puts every shape at 0,0 (pm4py issues #244, #348), so modellers open a heap.
This is a Sugiyama-style layout, written for flow charts with gateways:

1. cycles are broken by DFS back edges (the DFS starts at the caller's first nodes: start events);
2. longest-path layering of the remaining DAG; forward edges that skip layers get dummy vertices,
   so their lines get a slot of their own in every layer they cross;
3. the order within each layer comes from barycenter sweeps, keeping the order with the fewest
   crossings; each back edge then gets a lane of dummies right beside the loop body it closes
   (steps 1–3 live in :mod:`mining.diagram.layered_graph`);
4. each layer is a column; vertical centres come from alternating sweeps in which every vertex
   asks for the mean height of its neighbours and the column is placed as close to those wishes as
   the minimum spacing allows (weighted isotonic regression, solved exactly by pool-adjacent-
   violators); then every long edge is straightened onto one height where the column has room;
5. edges are orthogonal: out of the source's right border, into the target's left border, bending
   on a vertical track in the gap between two columns (edges of one fan-out or fan-in share a
   track, others get their own). A back edge leaves its source to the right, turns into its lane
   below (or above) the loop body, runs leftwards and turns up (or down) into its target's left
   border: a loop is a tight U.

Everything is deterministic: the input order is the only tie-breaker, there is no randomness and
no iteration over sets. The caller decides the input order (``mining.diagram.export`` derives it from the
model's structure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mining.diagram.layered_graph import LayeredGraph, build_layered_graph

__all__ = ["DiagramLayout", "Rect", "layout_diagram"]

Point = tuple[int, int]

# Spacing in diagram units (bpmn-js pixels at zoom 1).
ORIGIN_X = 150
ORIGIN_Y = 80
MIN_GAP = 60  # between two columns; wider when many tracks need room
TRACK_SPACING = 14  # between two vertical edge tracks in a gap
NODE_SEP = 40  # vertical space between two shapes of a column (external labels sit below events)
DUMMY_SEP = 20  # between a passing edge and a shape or another passing edge
TRACK_CLEARANCE = 10  # two edges share no track unless their vertical extents stay this far apart
_PLACEMENT_SWEEPS = 12  # down/up pairs of the vertical placement


@dataclass(frozen=True)
class Rect:
    """A shape's bounds: top-left corner and size, like ``dc:Bounds``."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class DiagramLayout:
    """Shapes aligned with the input nodes, waypoint lists aligned with the input edges."""

    shapes: tuple[Rect, ...]
    waypoints: tuple[tuple[Point, ...], ...]


def layout_diagram(
    sizes: Sequence[tuple[int, int]], edges: Sequence[tuple[int, int]]
) -> DiagramLayout:
    """Place nodes of the given (width, height) and route edges given as (source, target) indices.

    Node 0 (and then each next unvisited node) starts the DFS that decides which edges are back
    edges, so start events belong first. Sizes should be even, so centres stay on whole units.
    """
    n = len(sizes)
    for source, target in edges:
        if not (0 <= source < n and 0 <= target < n):
            raise ValueError(f"edge ({source}, {target}) refers to no node")
    if n == 0:
        return DiagramLayout((), ())
    graph = build_layered_graph([h for _w, h in sizes], edges)
    return _Geometry(list(sizes), graph).run()


class _Geometry:
    """Coordinates for a layered graph: vertical centres, edge tracks, columns, waypoints."""

    def __init__(self, sizes: list[tuple[int, int]], graph: LayeredGraph) -> None:
        self.sizes = sizes
        self.g = graph
        self.n = graph.n
        self.depth = graph.depth
        self.slot = {v: (k, i) for k, layer in enumerate(graph.layers) for i, v in enumerate(layer)}

    def run(self) -> DiagramLayout:
        self._place_vertically()
        self._assign_tracks()
        self._place_columns()
        return self._emit()

    # -- 4. vertical centres ------------------------------------------------------------------
    def _place_vertically(self) -> None:
        y = [0.0] * len(self.g.layer)
        for layer in self.g.layers:
            cursor = 0.0
            for i, v in enumerate(layer):
                if i:
                    cursor += self._separation(layer[i - 1], v)
                y[v] = cursor
            for v in layer:
                y[v] -= cursor / 2
        for sweep in range(2 * _PLACEMENT_SWEEPS):
            downward = sweep % 2 == 0
            neighbours = self.g.pred if downward else self.g.succ
            for k in range(self.depth) if downward else range(self.depth - 1, -1, -1):
                layer = self.g.layers[k]
                wishes = [self._wish(y, v, neighbours[v]) for v in layer]
                # A passing edge weighs more than a shape: long lines stay straight, and the
                # shapes around them move instead.
                weights = [1.0 if v < self.n else 2.0 for v in layer]
                gaps = [self._separation(a, b) for a, b in zip(layer, layer[1:], strict=False)]
                for v, value in zip(layer, _isotonic_place(wishes, weights, gaps), strict=True):
                    y[v] = value
        self._straighten(y)
        self.cy = [round(value) for value in y]

    def _wish(self, y: list[float], v: int, neighbours: list[int]) -> float:
        """Where v would like to be: the mean height of its neighbours on the swept side."""
        if v in self.g.lane_of:
            return self._lane_wish(y, self.g.lane_of[v])
        return sum(y[u] for u in neighbours) / len(neighbours) if neighbours else y[v]

    def _lane_wish(self, y: list[float], e: int) -> float:
        """A back edge's lane hugs its loop body, on one height across all its columns."""
        lane = self.g.chains[e][1:-1]
        if self.g.below[e]:
            return max(y[p] + self._separation(p, d) for d in lane for p in self._beside(d, -1))
        return min(y[q] - self._separation(d, q) for d in lane for q in self._beside(d, +1))

    def _beside(self, v: int, step: int) -> list[int]:
        k, i = self.slot[v]
        j = i + step
        return [self.g.layers[k][j]] if 0 <= j < len(self.g.layers[k]) else []

    def _separation(self, a: int, b: int) -> float:
        gap = NODE_SEP if a < self.n and b < self.n else DUMMY_SEP
        return self.g.height[a] / 2 + self.g.height[b] / 2 + gap

    def _straighten(self, y: list[float]) -> None:
        """Put all passing points of a long edge on one height where the columns leave room.

        The sweeps leave long edges with small steps; one height means at most one bend at each
        end. A fan-out bends next to its source (so its trunk is shared), anything else next to
        its target; a back edge's lane takes its outermost height.
        """
        for e, chain in enumerate(self.g.chains):
            dummies = chain[1:-1]
            if not dummies:
                continue
            s, t = chain[0], chain[-1]
            heights = [y[d] for d in dummies]
            if self.g.back[e]:
                # Computed again: the body may have moved after the lane's last update.
                candidates = [
                    self._lane_wish(y, e),
                    max(heights) if self.g.below[e] else min(heights),
                ]
            elif len(self.g.succ[s]) > 1:
                candidates = [y[t], y[s]]
            else:
                candidates = [y[s], y[t]]
            for wanted in [*candidates, heights[0], heights[-1]]:
                if all(self._fits(y, d, wanted) for d in dummies):
                    for d in dummies:
                        y[d] = wanted
                    break

    def _fits(self, y: list[float], v: int, wanted: float) -> bool:
        before, after = self._beside(v, -1), self._beside(v, +1)
        if before and wanted < y[before[0]] + self._separation(before[0], v):
            return False
        return not (after and wanted > y[after[0]] - self._separation(v, after[0]))

    # -- 5. vertical tracks in the gaps -------------------------------------------------------
    def _assign_tracks(self) -> None:
        """Gap g lies before column g (gap ``depth`` after the last). Each bend gets an x-slot."""
        # (gap, group key) -> [low, high]; and, per edge, the group of each of its bends in
        # route order.
        groups: dict[tuple[int, tuple[int, ...]], list[int]] = {}
        self.bend_group: list[list[tuple[int, tuple[int, ...]]]] = []
        out_bends: dict[int, int] = {}
        in_bends: dict[int, int] = {}
        for e, chain in enumerate(self.g.chains):
            if self.g.back[e]:
                continue
            for u, v in zip(chain, chain[1:], strict=False):
                if self.cy[u] != self.cy[v]:
                    out_bends[u] = out_bends.get(u, 0) + 1
                    in_bends[v] = in_bends.get(v, 0) + 1
        for e, chain in enumerate(self.g.chains):
            bends: list[tuple[int, tuple[int, ...]]] = []
            if self.g.back[e]:
                # Out of the source's right side, along the lane leftwards, into the target.
                s, t, lane = chain[0], chain[-1], chain[1:-1]
                bends.append(
                    self._add(groups, self.g.layer[s] + 1, (2, e), self.cy[s], self.cy[lane[0]])
                )
                for a, b in zip(lane, lane[1:], strict=False):
                    if self.cy[a] != self.cy[b]:
                        bends.append(
                            self._add(groups, self.g.layer[a], (4, e, a), self.cy[a], self.cy[b])
                        )
                bends.append(
                    self._add(groups, self.g.layer[t], (5, e), self.cy[lane[-1]], self.cy[t])
                )
            else:
                for u, v in zip(chain, chain[1:], strict=False):
                    if self.cy[u] == self.cy[v]:
                        continue
                    # Edges fanning out of one shape share a trunk, as do edges joining into one.
                    if u < self.n and out_bends[u] > 1:
                        key: tuple[int, ...] = (0, u)
                    elif v < self.n and in_bends[v] > 1:
                        key = (1, v)
                    else:
                        key = (3, e, u)
                    bends.append(self._add(groups, self.g.layer[v], key, self.cy[u], self.cy[v]))
            self.bend_group.append(bends)
        # First-fit interval colouring per gap, in a fixed order (top to bottom).
        self.track: dict[tuple[int, tuple[int, ...]], int] = {}
        self.tracks_in_gap = [0] * (self.depth + 1)
        ends_by_gap: dict[int, list[int]] = {}
        for (gap, key), (low, high) in sorted(groups.items(), key=lambda i: (i[0][0], i[1], i[0])):
            ends = ends_by_gap.setdefault(gap, [])
            for index, end in enumerate(ends):
                if end + TRACK_CLEARANCE <= low:
                    ends[index] = high
                    self.track[(gap, key)] = index
                    break
            else:
                ends.append(high)
                self.track[(gap, key)] = len(ends) - 1
            self.tracks_in_gap[gap] = len(ends)

    @staticmethod
    def _add(
        groups: dict[tuple[int, tuple[int, ...]], list[int]],
        gap: int,
        key: tuple[int, ...],
        y1: int,
        y2: int,
    ) -> tuple[int, tuple[int, ...]]:
        span = groups.setdefault((gap, key), [min(y1, y2), max(y1, y2)])
        span[0], span[1] = min(span[0], y1, y2), max(span[1], y1, y2)
        return gap, key

    # -- x coordinates and output -------------------------------------------------------------
    def _place_columns(self) -> None:
        widths = [0] * self.depth
        for v in range(self.n):
            widths[self.g.layer[v]] = max(widths[self.g.layer[v]], self.sizes[v][0])
        self.column_left: list[int] = []
        self.gap_left: list[int] = []
        self.gap_width: list[int] = []
        x = ORIGIN_X
        for g in range(self.depth + 1):
            tracks = self.tracks_in_gap[g]
            inner = 0 < g < self.depth
            width = max(MIN_GAP if inner else 0, (tracks + 1) * TRACK_SPACING if tracks else 0)
            self.gap_left.append(x)
            self.gap_width.append(width)
            x += width
            if g < self.depth:
                self.column_left.append(x)
                x += widths[g]
        self.widths = widths

    def _track_x(self, group: tuple[int, tuple[int, ...]]) -> int:
        gap = group[0]
        slots = self.tracks_in_gap[gap] + 1
        return self.gap_left[gap] + round((self.track[group] + 1) * self.gap_width[gap] / slots)

    def _emit(self) -> DiagramLayout:
        shapes: list[Rect] = []
        for v, (w, h) in enumerate(self.sizes):
            k = self.g.layer[v]
            shapes.append(
                Rect(self.column_left[k] + (self.widths[k] - w) // 2, self.cy[v] - h // 2, w, h)
            )
        routes: list[tuple[Point, ...]] = []
        for e, (s, t) in enumerate(self.g.edges):
            src, dst, chain = shapes[s], shapes[t], self.g.chains[e]
            bend = iter(self.bend_group[e])
            points: list[Point] = [(src.x + src.width, self.cy[s])]
            for u, v in zip(chain, chain[1:], strict=False):
                # A back edge turns at both ends of its lane even at equal heights (there the
                # "bend" is the U-turn around the source or into the target).
                if self.cy[u] != self.cy[v] or (self.g.back[e] and (u == s or v == t)):
                    x = self._track_x(next(bend))
                    points += [(x, self.cy[u]), (x, self.cy[v])]
            points.append((dst.x, self.cy[t]))
            routes.append(_simplify(points))
        # Shift so the topmost shape or lane sits at ORIGIN_Y.
        top = min([r.y for r in shapes] + [y for route in routes for _x, y in route])
        dy = ORIGIN_Y - top
        return DiagramLayout(
            tuple(Rect(r.x, r.y + dy, r.width, r.height) for r in shapes),
            tuple(tuple((x, y + dy) for x, y in route) for route in routes),
        )


def _isotonic_place(wishes: list[float], weights: list[float], gaps: list[float]) -> list[float]:
    """Positions p with p[i+1] - p[i] >= gaps[i] that minimise sum w_i (p_i - wish_i)^2.

    Subtracting the cumulative gaps turns the constraint into "non-decreasing", which weighted
    pool-adjacent-violators solves exactly in linear time.
    """
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for wish, weight, offset in zip(wishes, weights, offsets, strict=True):
        blocks.append([weight * (wish - offset), weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            last = blocks.pop()
            blocks[-1][0] += last[0]
            blocks[-1][1] += last[1]
            blocks[-1][2] += last[2]
    values: list[float] = []
    for total, weight, count in blocks:
        values += [total / weight] * int(count)
    return [value + offset for value, offset in zip(values, offsets, strict=True)]


def _simplify(points: list[Point]) -> tuple[Point, ...]:
    """Drop repeated points and middle points of straight runs; keep both ends."""
    result: list[Point] = []
    for p in points:
        if result and result[-1] == p:
            continue
        if len(result) >= 2:
            (ax, ay), (bx, by) = result[-2], result[-1]
            if (ax == bx == p[0]) or (ay == by == p[1]):
                result[-1] = p
                continue
        result.append(p)
    if len(result) == 1:  # an edge whose ends coincide still needs two waypoints
        result.append(result[0])
    return tuple(result)
