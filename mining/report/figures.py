"""The report's figures as reportlab Drawings: into the PDF as they are, into HTML as SVG.

Three figures: hours saved per candidate (bars), the portfolio matrix (benefit against effort)
and a process map (most frequent activities left to right, arrows with their counts).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from mining.diagram import build_layered_graph
from mining.report import labels as lb

__all__ = ["SVG_FONTS", "Fonts", "portfolio_matrix", "process_map", "savings_chart"]

MAX_NODES = 15
MAX_EDGES = 25
INK = colors.HexColor("#1f3a5f")
ACCENT = colors.HexColor("#2f6db5")
PALE = colors.HexColor("#e6eef8")
GREY = colors.HexColor("#7a8593")


@dataclass(frozen=True)
class Fonts:
    """Font names and the characters they can draw (``None``: any; the browser picks glyphs)."""

    regular: str
    bold: str
    glyphs: frozenset[str] | None = None

    def text(self, value: object) -> str:
        text = str(value)
        if self.glyphs is None:
            return text
        # "CO₂" must not print as "CO■" in a font without subscripts: spell such characters out.
        return "".join(
            ch if ch in self.glyphs or ch in "\n\t" else _FALLBACKS.get(ch, "?") for ch in text
        )


_FALLBACKS = {"₂": "2", "−": "-", "≥": ">=", "≤": "<=", "→": "->", "\u202f": " ", "\u2009": " "}
SVG_FONTS = Fonts("Helvetica", "Helvetica-Bold")


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _label(candidate: dict, rank: int) -> str:
    # The rank links the bar to the candidate table; the step alone is short enough to read.
    activity = candidate.get("activity")
    name = (
        candidate.get("process_name") or candidate.get("process") if activity is None else activity
    )
    return f"{rank} {name or ''}"


def savings_chart(candidates: list[dict], fonts: Fonts, width: float = 250) -> Drawing:
    """Hours saved per year, one bar per candidate in the given (rank) order."""
    row, size = 13, 6.5
    label_w, value_w = width * 0.48, 42
    drawing = Drawing(width, row * max(len(candidates), 1) + 4)
    hours = [max(c.get("hours_saved_per_year") or 0.0, 0.0) for c in candidates]
    top = max(hours, default=0.0) or 1.0
    for i, (candidate, value) in enumerate(zip(candidates, hours, strict=True)):
        y = drawing.height - (i + 1) * row
        text = _fit(fonts.text(_label(candidate, i + 1)), fonts.regular, size, label_w - 4)
        drawing.add(String(0, y + 4, text, fontName=fonts.regular, fontSize=size))
        length = (width - label_w - value_w) * value / top
        drawing.add(Rect(label_w, y + 2, length, row - 5, fillColor=ACCENT, strokeColor=None))
        hours_text = lb.hours(candidate.get("hours_saved_per_year"))
        drawing.add(
            String(label_w + length + 3, y + 4, hours_text, fontName=fonts.regular, fontSize=size)
        )
    drawing.add(Line(label_w, 0, label_w, drawing.height, strokeColor=GREY, strokeWidth=0.5))
    return drawing


def portfolio_matrix(
    candidates: list[dict], fonts: Fonts, width: float = 250, height: float = 190
) -> Drawing:
    """Benefit (0..1, up) against effort (1..5, right); points numbered by rank."""
    left, bottom, right, top = 30, 28, 6, 6
    plot_w, plot_h = width - left - right, height - bottom - top
    drawing = Drawing(width, height)

    def at(effort: float, benefit: float) -> tuple[float, float]:
        return left + (effort - 0.5) / 5 * plot_w, bottom + benefit * plot_h

    def text(x: float, y: float, value: str, **style: object) -> None:
        style.setdefault("fontName", fonts.regular)
        style.setdefault("fontSize", 6.5)
        drawing.add(String(x, y, fonts.text(value), **style))

    drawing.add(Rect(left, bottom, plot_w, plot_h, fillColor=None, strokeColor=GREY))
    mid_x, mid_y = at(3, 0.5)
    dashed = {"strokeColor": GREY, "strokeWidth": 0.5, "strokeDashArray": [2, 2]}
    drawing.add(Line(mid_x, bottom, mid_x, bottom + plot_h, **dashed))
    drawing.add(Line(left, mid_y, left + plot_w, mid_y, **dashed))
    quadrants = [
        (left + 3, bottom + plot_h - 9, "schnell umsetzbar", "start"),
        (left + plot_w - 3, bottom + plot_h - 9, "großes Vorhaben", "end"),
        (left + 3, bottom + 4, "nebenbei", "start"),
        (left + plot_w - 3, bottom + 4, "zurückstellen", "end"),
    ]
    for x, y, value, anchor in quadrants:
        text(x, y, value, fillColor=GREY, textAnchor=anchor, fontSize=6)
    for effort in range(1, 6):
        x, _ = at(effort, 0)
        text(x, bottom - 9, str(effort), textAnchor="middle")
    for benefit in (0.0, 0.5, 1.0):
        _, y = at(0.5, benefit)
        text(left - 3, y - 2, lb.number(benefit, 1), textAnchor="end")
    text(left + plot_w / 2, 4, "Aufwand (1 gering – 5 hoch)", textAnchor="middle")
    axis = Group(String(0, 0, "Nutzen", fontName=fonts.regular, fontSize=6.5, textAnchor="middle"))
    axis.translate(8, bottom + plot_h / 2)
    axis.rotate(90)
    drawing.add(axis)
    placed: list[tuple[float, float]] = []
    for rank, candidate in enumerate(candidates, start=1):
        effort, benefit = candidate.get("effort"), candidate.get("benefit")
        if effort is None or benefit is None:
            continue
        x, y = at(min(max(effort, 1), 5), min(max(benefit, 0.0), 1.0))
        # Efforts are whole numbers, so points often collide: move a point sideways until free.
        for shift in (0, 12, -12, 24, -24, 36, -36):
            if all((x + shift - px) ** 2 + (y - py) ** 2 >= 11**2 for px, py in placed):
                x += shift
                break
        placed.append((x, y))
        drawing.add(Circle(x, y, 5.5, fillColor=ACCENT, strokeColor=colors.white))
        text(
            x, y - 2.2, str(rank), fontName=fonts.bold, fillColor=colors.white, textAnchor="middle"
        )
    return drawing


# Process map geometry, in points before scaling.
_BOX_W, _BOX_H, _GAP, _SEP, _LANE, _PAD = 92, 40, 46, 14, 12, 16


def _node_order(n: int, flows: list[tuple[int, int, int]]) -> list[int]:
    """Nodes whose flow mostly leaves them (start activities) first: the layering's DFS begins
    there, so the loops of a log (rework) become the back edges, not the main path."""
    balance = [0] * n
    for s, t, count in flows:
        balance[s] -= count
        balance[t] += count
    return sorted(range(n), key=lambda v: (balance[v], v))


def process_map(
    data: dict, fonts: Fonts, max_width: float = 760, max_height: float = 300
) -> Drawing | None:
    """The most frequent activities (boxes with counts) and transitions (arrows with counts),
    laid out left to right in layers; ``None`` without activities."""
    nodes = sorted(data.get("nodes") or [], key=lambda node: -(node.get("count") or 0))
    names = list(dict.fromkeys(str(node.get("activity")) for node in nodes))[:MAX_NODES]
    if not names:
        return None
    counts = {str(node.get("activity")): node.get("count") for node in nodes}
    edges = [
        e
        for e in data.get("edges") or []
        if str(e.get("source")) in names and str(e.get("target")) in names
    ]
    edges = sorted(edges, key=lambda e: -(e.get("count") or 0))[:MAX_EDGES]
    index = {name: i for i, name in enumerate(names)}
    flows = [(index[str(e["source"])], index[str(e["target"])], e.get("count") or 0) for e in edges]
    order = _node_order(len(names), [f for f in flows if f[0] != f[1]])
    slot_of = {v: k for k, v in enumerate(order)}
    forward = [f for f in flows if f[0] != f[1]]
    graph = build_layered_graph(
        [_BOX_H] * len(names), [(slot_of[s], slot_of[t]) for s, t, _c in forward]
    )
    centre: dict[int, tuple[float, float]] = {}
    column_heights = []
    for column in graph.layers:
        y = 0.0
        for v in column:
            size = _BOX_H + _SEP if v < graph.n else _LANE
            centre[v] = (0.0, y + (_BOX_H / 2 if v < graph.n else _LANE / 2))
            y += size
        column_heights.append(y)
    total_h = max(column_heights) + 2 * _PAD
    total_w = graph.depth * (_BOX_W + _GAP) - _GAP + 2 * _PAD
    for k, column in enumerate(graph.layers):
        offset = _PAD + (total_h - 2 * _PAD - column_heights[k]) / 2
        for v in column:
            centre[v] = (_PAD + k * (_BOX_W + _GAP) + _BOX_W / 2, total_h - offset - centre[v][1])
    group = Group()
    widest = max((c for _s, _t, c in flows), default=1) or 1
    for e, (_s, _t, count) in enumerate(forward):
        chain = graph.chains[e]
        (sx, sy), (tx, ty) = centre[chain[0]], centre[chain[-1]]
        inner = [centre[v] for v in chain[1:-1]]
        if graph.back[e]:
            # A loop runs in its lane below (above) the body: down from the source, left, up.
            step = -_BOX_H / 2 if graph.below.get(e) else _BOX_H / 2
            lane = [p for x, y in inner for p in ((x + _BOX_W / 2, y), (x - _BOX_W / 2, y))]
            lane[0], lane[-1] = (sx, lane[0][1]), (tx, lane[-1][1])
            points = [(sx, sy + step), *lane, (tx, ty + step)]
        else:
            # A long edge crosses each column it skips horizontally, between the boxes.
            points = [(sx + _BOX_W / 2, sy)]
            points += [p for x, y in inner for p in ((x - _BOX_W / 2, y), (x + _BOX_W / 2, y))]
            points.append((tx - _BOX_W / 2, ty))
        _arrow(group, points, 0.6 + 2.4 * count / widest, lb.number(count), fonts)
    for s, t, count in flows:
        if s == t:
            x, y = centre[slot_of[s]]
            top = y + _BOX_H / 2
            loop = [(x + 14, top), (x + 14, top + 9), (x - 14, top + 9), (x - 14, top)]
            _arrow(group, loop, 0.8, lb.number(count), fonts)
    for name, v in index.items():
        _box(group, centre[slot_of[v]], name, counts.get(name), fonts)
    scale = min(1.0, max_width / total_w, max_height / total_h)
    group.scale(scale, scale)
    drawing = Drawing(total_w * scale, total_h * scale)
    drawing.add(group)
    return drawing


def _arrow(group: Group, points: list, width: float, label: str, fonts: Fonts) -> None:
    flat = [coordinate for point in points for coordinate in point]
    group.add(PolyLine(flat, strokeColor=GREY, strokeWidth=width))
    (ax, ay), (bx, by) = points[-2], points[-1]
    length = max(((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5, 1e-9)
    ux, uy = (bx - ax) / length, (by - ay) / length
    size = 5 + width
    head = [bx, by, bx - size * ux - size / 2 * uy, by - size * uy + size / 2 * ux]
    head += [bx - size * ux + size / 2 * uy, by - size * uy - size / 2 * ux]
    group.add(Polygon(head, fillColor=GREY, strokeColor=None))
    middle = (len(points) - 2) // 2
    (px, py), (qx, qy) = points[middle], points[middle + 1]
    x, y = (px + qx) / 2, (py + qy) / 2
    label_w = stringWidth(label, fonts.regular, 6) + 3
    group.add(Rect(x - label_w / 2, y - 3, label_w, 8, fillColor=colors.white, strokeColor=None))
    group.add(String(x, y - 1, label, fontName=fonts.regular, fontSize=6, textAnchor="middle"))


def _box(group: Group, centre: tuple[float, float], name: str, count: object, fonts: Fonts) -> None:
    x, y = centre
    group.add(
        Rect(
            x - _BOX_W / 2,
            y - _BOX_H / 2,
            _BOX_W,
            _BOX_H,
            rx=4,
            ry=4,
            fillColor=PALE,
            strokeColor=INK,
        )
    )
    size = 7
    lines = simpleSplit(fonts.text(name), fonts.regular, size, _BOX_W - 6) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], lines[2] + "…"]
    lines = [_fit(line, fonts.regular, size, _BOX_W - 6) for line in lines]
    count_text = f"{lb.number(count)}×" if count is not None else ""
    first = y + (len(lines) * 8 + 8) / 2 - 7
    for i, line in enumerate(lines):
        group.add(
            String(
                x, first - 8 * i, line, fontName=fonts.regular, fontSize=size, textAnchor="middle"
            )
        )
    group.add(
        String(
            x,
            first - 8 * len(lines),
            count_text,
            fontName=fonts.bold,
            fontSize=6.5,
            fillColor=INK,
            textAnchor="middle",
        )
    )
