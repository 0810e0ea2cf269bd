"""Where the dots and labels of the benefit/effort matrix (page Digitalisierung) go, so that no two
labels overlap: leadership reads the chart without hovering.

Pure layout, no Streamlit: every candidate is a dot at (effort, benefit); candidates sharing an
effort level are spread a little sideways so their dots stay apart, and each label (rank and a
short step name) takes the first free place around its dot, further out if needed, with a leader
line back to it; where a crowded spot leaves no room for the name, the label is the rank alone
(the table above names the step). Label widths are measured with Helvetica's metrics (the chart's
sans-serif); the chart keeps these pixel sizes (autosize "pad").
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

__all__ = [
    "FONT_SIZE",
    "HEIGHT",
    "WIDTH",
    "X_MAX",
    "MatrixPoint",
    "layout",
    "overlaps",
    "short_label",
]

WIDTH, HEIGHT = 720, 520  # the plot area in pixels
FONT_SIZE = 11
X_MAX, Y_MAX = 5.5, 1.0  # effort 0…5.5 (room for labels right of effort 5), benefit 0…1
_LABEL_CHARS = 24
_PAD = 2.0
_DOT = 6.0  # half the side of the square a dot is kept free as
_DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))
_RADII = (8, 18, 30, 44, 60, 80, 105, 135, 170, 210, 260)

_NAME_REACH = 80

Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels


@dataclass(frozen=True)
class MatrixPoint:
    rank: int
    label: str
    x: float  # effort, spread sideways
    y: float  # benefit
    label_x: float  # the label's left edge, in effort units
    label_y: float  # the label's vertical middle, in benefit units
    box: Box  # the label's box in pixels


def short_label(rank: int, step: str, limit: int = _LABEL_CHARS) -> str:
    """``"3 Unterlagen prüfen"``; a long step name is cut with an ellipsis."""
    text = step if len(step) <= limit else step[: limit - 1].rstrip() + "…"
    return f"{rank} {text}"


def _pixels(x: float, y: float) -> tuple[float, float]:
    return x / X_MAX * WIDTH, HEIGHT - y / Y_MAX * HEIGHT


def _units(px: float, py: float) -> tuple[float, float]:
    return px / WIDTH * X_MAX, (HEIGHT - py) / HEIGHT * Y_MAX


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _spread(points: list[tuple[float, float]]) -> list[float]:
    """Effort values nudged sideways where dots of one effort level lie close in benefit."""
    xs = [x for x, _ in points]
    for index, (x, y) in enumerate(points):
        near = [j for j, (x2, y2) in enumerate(points) if x2 == x and abs(y2 - y) < 0.04]
        if len(near) > 1:
            slot = near.index(index)
            xs[index] = x + (slot - (len(near) - 1) / 2) * 0.09
    return xs


def _box(px: float, py: float, dx: int, dy: int, radius: int, width: float) -> Box:
    height = FONT_SIZE + _PAD
    if dx > 0:
        left = px + radius
    elif dx < 0:
        left = px - radius - width
    else:
        left = px - width / 2
    middle = py + dy * (radius + height / 2) if dx == 0 else py + dy * radius
    return left, middle - height / 2, left + width, middle + height / 2


def _boxes(px: float, py: float, label: str, reach: float = _RADII[-1]) -> list[Box]:
    """Every place around the dot up to ``reach`` pixels, nearest first, inside the plot."""
    width = stringWidth(label, "Helvetica", FONT_SIZE) + 2 * _PAD
    radii = [r for r in _RADII if r <= reach]
    places = [_box(px, py, dx, dy, radius, width) for radius in radii for dx, dy in _DIRECTIONS]
    inside = [b for b in places if b[0] >= 0 and b[1] >= 0 and b[2] <= WIDTH and b[3] <= HEIGHT]
    return inside or places


def _place(
    px: float, py: float, label: str, taken: list[Box], reach: float = _RADII[-1]
) -> tuple[str, Box | None]:
    free = [b for b in _boxes(px, py, label, reach) if not any(overlaps(b, o) for o in taken)]
    return label, (free[0] if free else None)


def layout(rows: list[tuple[str, float, float]]) -> list[MatrixPoint]:
    """``rows`` as (step, effort, benefit) in rank order → a dot and a free label place each."""
    xs = _spread([(effort, benefit) for _step, effort, benefit in rows])
    dots = [_pixels(x, benefit) for x, (_s, _e, benefit) in zip(xs, rows, strict=True)]
    taken: list[Box] = [(px - _DOT, py - _DOT, px + _DOT, py + _DOT) for px, py in dots]
    points = []
    for rank, ((step, _effort, benefit), x, (px, py)) in enumerate(
        zip(rows, xs, dots, strict=True), start=1
    ):
        # A name only near its dot (a long leader line misleads); the rank may go further.
        label, box = _place(px, py, short_label(rank, step), taken, _NAME_REACH)
        if box is None:
            label, box = _place(px, py, str(rank), taken)
        if box is None:  # nowhere free even for the rank: the first place inside the plot
            label, box = str(rank), _boxes(px, py, str(rank))[0]
        taken.append(box)
        label_x, label_y = _units(box[0] + _PAD, (box[1] + box[3]) / 2)
        points.append(MatrixPoint(rank, label, x, benefit, label_x, label_y, box))
    return points
