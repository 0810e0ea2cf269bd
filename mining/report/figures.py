"""The report's figures as reportlab Drawings: into the PDF as they are, into HTML as SVG.

Four figures: hours saved per candidate (bars), the portfolio matrix (benefit against effort),
a process map (most frequent activities left to right, arrows with their counts) and a process's
trends per month (cases, throughput time, deadline and paper shares).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from mining.diagram import build_layered_graph
from mining.report import labels as lb
from mining.texts import reading_language, tr

__all__ = [
    "SVG_FONTS",
    "Fonts",
    "portfolio_matrix",
    "process_map",
    "savings_chart",
    "trend_chart",
]

MAX_NODES = 15
MAX_EDGES = 25
INK = colors.HexColor("#1f3a5f")
ACCENT = colors.HexColor("#2f6db5")
PALE = colors.HexColor("#e6eef8")
GREY = colors.HexColor("#7a8593")
RED = colors.HexColor("#c0392b")
LIGHT = colors.HexColor("#9db7d9")


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
        (left + 3, bottom + plot_h - 9, tr("schnell umsetzbar", "quick win"), "start"),
        (left + plot_w - 3, bottom + plot_h - 9, tr("großes Vorhaben", "major project"), "end"),
        (left + 3, bottom + 4, tr("nebenbei", "on the side"), "start"),
        (left + plot_w - 3, bottom + 4, tr("zurückstellen", "postpone"), "end"),
    ]
    for x, y, value, anchor in quadrants:
        text(x, y, value, fillColor=GREY, textAnchor=anchor, fontSize=6)
    for effort in range(1, 6):
        x, _ = at(effort, 0)
        text(x, bottom - 9, str(effort), textAnchor="middle")
    for benefit in (0.0, 0.5, 1.0):
        _, y = at(0.5, benefit)
        text(left - 3, y - 2, lb.number(benefit, 1), textAnchor="end")
    text(
        left + plot_w / 2,
        4,
        tr("Aufwand (1 gering – 5 hoch)", "Effort (1 low – 5 high)"),
        textAnchor="middle",
    )
    axis = Group(
        String(
            0, 0, tr("Nutzen", "Benefit"), fontName=fonts.regular, fontSize=6.5, textAnchor="middle"
        )
    )
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


# -- trends -------------------------------------------------------------------------------------

_SHORT_MONTHS = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
_SHORT_MONTHS_EN = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


@dataclass(frozen=True)
class _Series:
    label: str
    values: list[float | None]
    colour: colors.Color
    bar: bool = False
    dashed: bool = False


def _period_label(period: str) -> str:
    """``2024-03`` → ``Mär 24``; ``2024-W13`` → ``KW 13/24``."""
    year, _, rest = period.partition("-")
    try:
        if rest.startswith("W"):
            return f"KW {int(rest[1:])}/{year[2:]}"
        months = _SHORT_MONTHS_EN if reading_language() == "en" else _SHORT_MONTHS
        return f"{months[int(rest) - 1]} {year[2:]}"
    except (ValueError, IndexError):
        return period  # not written by the analysis: shown as it is


def _nice(value: float, *, even: bool) -> float:
    """The top of a readable axis at or above ``value``: 1, 2, 2.5 or 5 × 10ⁿ, or with ``even``
    1, 2, 4, 6, 8 or 10 × 10ⁿ, whose half (the middle tick) is a round number too."""
    if not value > 0:
        return 1.0
    base = 10.0 ** math.floor(math.log10(value))
    steps = (1, 2, 4, 6, 8, 10) if even else (1, 2, 2.5, 5, 10)
    return next(step * base for step in steps if value <= step * base * (1 + 1e-9))


def _number_or_none(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _panel(
    drawing: Drawing,
    fonts: Fonts,
    box: tuple[float, float, float, float],
    title: str,
    periods: list[str],
    series: list[_Series],
    tick: Callable[[float], str],
    *,
    even: bool,
) -> None:
    """Bars and lines of ``series`` over ``periods`` in ``box`` (x, y, width, height); ``tick``
    writes an axis value, ``even`` makes the middle tick a round number (see :func:`_nice`)."""
    x0, y0, width, height = box
    drawing.add(String(x0, y0 + height - 8, fonts.text(title), fontName=fonts.bold, fontSize=7))
    x = x0
    for item in series:
        if item.bar:
            drawing.add(Rect(x, y0 + height - 18, 6, 6, fillColor=item.colour, strokeColor=None))
        else:
            dash = [2, 1.5] if item.dashed else None
            line = Line(x, y0 + height - 15, x + 6, y0 + height - 15, strokeColor=item.colour)
            line.strokeWidth, line.strokeDashArray = 1.2, dash
            drawing.add(line)
        label = fonts.text(item.label)
        drawing.add(String(x + 8, y0 + height - 17, label, fontName=fonts.regular, fontSize=6))
        x += 16 + stringWidth(label, fonts.regular, 6)
    left, bottom, top = x0 + 30, y0 + 11, y0 + height - 24
    plot_w, plot_h = x0 + width - left, top - bottom
    values = [v for item in series for v in item.values if v is not None]
    peak = _nice(max(values, default=0.0), even=even)
    for share in (0.0, 0.5, 1.0):
        y = bottom + share * plot_h
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=PALE, strokeWidth=0.5))
        text = tick(peak * share)
        drawing.add(
            String(left - 3, y - 2, text, fontName=fonts.regular, fontSize=6, textAnchor="end")
        )
    band = plot_w / max(len(periods), 1)
    bars = [item for item in series if item.bar]
    bar_w = band * 0.8 / max(len(bars), 1)
    for j, item in enumerate(bars):
        for i, value in enumerate(item.values):
            if value:
                x = left + i * band + band * 0.1 + j * bar_w
                drawing.add(
                    Rect(
                        x,
                        bottom,
                        bar_w,
                        value / peak * plot_h,
                        fillColor=item.colour,
                        strokeColor=None,
                    )
                )
    for item in series:
        if item.bar:
            continue
        # A period without a value (no completed case) breaks the line instead of reading as 0.
        runs: list[list[float]] = [[]]
        for i, value in enumerate(item.values):
            if value is None:
                runs.append([])
            else:
                runs[-1] += [left + (i + 0.5) * band, bottom + value / peak * plot_h]
        for run in runs:
            if len(run) == 2:
                drawing.add(Circle(run[0], run[1], 1.2, fillColor=item.colour, strokeColor=None))
            elif run:
                line = PolyLine(run, strokeColor=item.colour, strokeWidth=1.2)
                line.strokeDashArray = [2, 1.5] if item.dashed else None
                drawing.add(line)
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=GREY, strokeWidth=0.5))
    every = max(1, math.ceil(len(periods) / max(plot_w // 32, 1)))
    for i in range(0, len(periods), every):
        drawing.add(
            String(
                left + (i + 0.5) * band,
                y0 + 2,
                fonts.text(_period_label(periods[i])),
                fontName=fonts.regular,
                fontSize=5.5,
                textAnchor="middle",
            )
        )


def trend_chart(
    rows: list[dict], fonts: Fonts, width: float = 760, height: float = 150
) -> Drawing | None:
    """A process's ``trends`` side by side: cases started and completed per month (bars) with
    the cases open at the month's end (line); median and 90th percentile of the throughput time
    of the completed cases (days); and, where the snapshot has them, the shares over the legal
    deadline and of paper intake. ``None`` without rows."""
    if not rows:
        return None
    periods = [str(row.get("period")) for row in rows]

    def column(key: str, scale: float = 1.0) -> list[float | None]:
        values = [_number_or_none(row.get(key)) for row in rows]
        return [None if v is None else v / scale for v in values]

    panels: list[tuple[str, list[_Series], Callable[[float], str], bool]] = [
        (
            tr("Fälle je Monat", "Cases per month"),
            [
                _Series(tr("begonnen", "started"), column("started"), ACCENT, bar=True),
                _Series(tr("abgeschlossen", "completed"), column("completed"), LIGHT, bar=True),
                _Series(tr("offen am Monatsende", "open at month end"), column("in_progress"), INK),
            ],
            lambda value: lb.number(value),
            True,
        ),
        (
            tr(
                "Durchlaufzeit der abgeschlossenen Fälle (Tage)",
                "Throughput time of completed cases (days)",
            ),
            [
                _Series("Median", column("median_duration_s", 86400), ACCENT),
                _Series(
                    tr("90 % bis", "90 % within"), column("p90_duration_s", 86400), INK, dashed=True
                ),
            ],
            lambda value: lb.number(value, 0 if value.is_integer() else 1),
            False,
        ),
    ]
    shares = [
        _Series(label, column(key), colour)
        for key, label, colour in (
            ("deadline_over_share", tr("über der Frist", "over the deadline"), RED),
            ("paper_share", tr("Papiereingang", "paper intake"), GREY),
        )
        if any(v is not None for v in column(key))
    ]
    if shares:
        panels.append(("Anteile", shares, lambda value: lb.percent(value), True))
    drawing = Drawing(width, height)
    gap = 14
    panel_w = (width - gap * (len(panels) - 1)) / len(panels)
    for k, (title, series, tick, even) in enumerate(panels):
        box = (k * (panel_w + gap), 0.0, panel_w, height)
        _panel(drawing, fonts, box, title, periods, series, tick, even=even)
    return drawing
