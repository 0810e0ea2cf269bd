"""The process map (directly-follows graph) as Graphviz DOT text, reduced by two sliders.

The workspace renders DOT in the browser (``st.graphviz_chart``), so no Graphviz program runs on
the server. Activity names come from uploaded logs and may hold quotes, backslashes, newlines or
Graphviz escape sequences (``\\N``, ``\\l``); :func:`dot_string` quotes them so a name is always
one label and never DOT syntax. Node ids are generated (``a0``, ``a1`` …), never names.

    activities, edges = reduce_map(dfg, counts, activity_share=0.8, path_share=0.5)
    dot = map_dot(activities, edges, measure="time", format_wait=lambda s: f"{s / 86400:.1f} d")
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping
from typing import Literal

import pandas as pd

__all__ = ["MapMeasure", "dot_string", "map_dot", "reduce_map"]

MapMeasure = Literal["frequency", "time"]

_WRAP = 28  # characters per label line; long German task names stay readable
_FREQUENCY_FILLS = ("#f4f8fc", "#9ec5e8")
_TIME_EDGES = ("#7a8694", "#c0392b")
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def dot_string(text: object) -> str:
    """``text`` as a double-quoted DOT string: backslashes and quotes escaped, line breaks as
    Graphviz's centred ``\\n``, other control characters dropped."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL).split("\n")
    escaped = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return '"' + "\\n".join(escaped) + '"'


def _wrapped(name: str) -> str:
    lines = [
        part
        for line in name.splitlines()
        for part in (
            textwrap.wrap(line, _WRAP, break_long_words=False, break_on_hyphens=False) or [""]
        )
    ]
    return "\n".join(lines)


def reduce_map(
    dfg: pd.DataFrame,
    activity_counts: Mapping[str, int],
    *,
    activity_share: float,
    path_share: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The most frequent ``activity_share`` of the activities (at least one) and, among the edges
    between them, the most frequent ``path_share`` (at least one, when there is any), kept
    connected: every shown activity without an incoming (outgoing) edge from (to) another shown
    activity gets its strongest such edge back, when the log has one. So no activity floats on
    its own at any path level; Disco keeps the strongest path through every activity the same
    way. A self-loop connects nothing and does not count.

    ``dfg`` has the columns ``source``, ``target``, ``count``, ``mean_wait_s`` (more are kept);
    activity counts are executions. Returns ``(activities, edges)``: ``activities`` with
    ``activity`` and ``count``, most frequent first; ``edges`` a subset of ``dfg``'s rows, most
    frequent first. Ties keep the alphabetically first, so the same sliders always give the same
    map.
    """
    if not 0.0 <= activity_share <= 1.0 or not 0.0 <= path_share <= 1.0:
        raise ValueError("activity_share and path_share lie between 0 and 1")
    activities = pd.DataFrame(
        {"activity": list(activity_counts), "count": [int(v) for v in activity_counts.values()]}
    )
    activities = activities.sort_values(
        ["count", "activity"], ascending=[False, True], ignore_index=True
    )
    if not activities.empty:
        keep = max(1, math.ceil(activity_share * len(activities)))
        activities = activities.head(keep)
    kept = set(activities["activity"])
    ranked = dfg[dfg["source"].isin(kept) & dfg["target"].isin(kept)]
    ranked = ranked.sort_values(
        ["count", "source", "target"], ascending=[False, True, True], ignore_index=True
    )
    if ranked.empty:
        return activities, ranked
    chosen = pd.Series(False, index=ranked.index)
    chosen.iloc[: max(1, math.ceil(path_share * len(ranked)))] = True
    links = ranked["source"] != ranked["target"]
    for end in ("target", "source"):
        linked = set(ranked.loc[chosen & links, end])
        # Rows are ranked, so the first row per activity is its strongest edge on that side.
        strongest = ranked[links].drop_duplicates(end)
        missing = strongest.index[~strongest[end].isin(linked)]
        chosen[missing] = True
    return activities, ranked[chosen].reset_index(drop=True)


def _blend(low: str, high: str, share: float) -> str:
    share = min(max(share, 0.0), 1.0)
    a = [int(low[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def _ratio(value: float | None, top: float) -> float:
    if value is None or top <= 0 or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    return float(value) / top


def map_dot(
    activities: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    measure: MapMeasure,
    format_wait: Callable[[float], str],
    starts: Mapping[str, int] | None = None,
    ends: Mapping[str, int] | None = None,
    start_label: str = "Start",
    end_label: str = "Ende",
    count_label: Callable[[int], str] = str,
) -> str:
    """DOT of the reduced map: one box per activity (with its executions), one arrow per edge.

    ``measure="frequency"`` labels arrows with their count and draws frequent ones thicker;
    ``"time"`` labels them with ``format_wait(mean_wait_s)`` and draws long waits thicker and
    redder. ``starts``/``ends`` (activity → cases) add a start and an end node for the shown
    activities. Texts for the user come in as arguments, so the caller chooses the language.
    """
    ids = {name: f"a{number}" for number, name in enumerate(activities["activity"])}
    top_count = float(activities["count"].max()) if not activities.empty else 0.0
    lines = [
        "digraph process_map {",
        '  graph [rankdir="LR", nodesep="0.35", ranksep="0.45", fontname="sans-serif"];',
        '  node [shape="box", style="rounded,filled", fontname="sans-serif", fontsize="11",'
        ' color="#5b6b7b"];',
        '  edge [fontname="sans-serif", fontsize="10", color="#7a8694"];',
    ]
    for row in activities.itertuples(index=False):
        fill = _blend(*_FREQUENCY_FILLS, _ratio(row.count, top_count))
        label = f"{_wrapped(str(row.activity))}\n{count_label(int(row.count))}"
        lines.append(f'  {ids[row.activity]} [label={dot_string(label)}, fillcolor="{fill}"];')

    for name, counts, node, shape in (
        (start_label, starts, "start", "circle"),
        (end_label, ends, "end", "doublecircle"),
    ):
        shown = {a: c for a, c in (counts or {}).items() if a in ids}
        if not shown:
            continue
        lines.append(
            f'  {node} [label={dot_string(name)}, shape="{shape}", style="filled", '
            'fillcolor="#eceff1", fontsize="9", width="0.5", fixedsize="true"];'
        )
        for activity, cases in shown.items():
            source, target = (node, ids[activity]) if node == "start" else (ids[activity], node)
            lines.append(
                f"  {source} -> {target} [label={dot_string(count_label(int(cases)))}, "
                'style="dashed", color="#9aa5b1"];'
            )

    if not edges.empty:
        if measure == "time":
            waits = pd.to_numeric(edges["mean_wait_s"], errors="coerce")
            top = float(waits.max()) if waits.notna().any() else 0.0
        else:
            top = float(edges["count"].max())
        for row in edges.itertuples(index=False):
            if measure == "time":
                wait = row.mean_wait_s
                known = wait is not None and not (isinstance(wait, float) and math.isnan(wait))
                share = _ratio(wait, top)
                text = format_wait(float(wait)) if known else "–"
                colour = _blend(*_TIME_EDGES, share)
            else:
                share = _ratio(row.count, top)
                text = count_label(int(row.count))
                colour = _TIME_EDGES[0]
            width = f"{1 + 5 * share:.2f}"
            lines.append(
                f"  {ids[row.source]} -> {ids[row.target]} [label={dot_string(text)}, "
                f'penwidth="{width}", color="{colour}"];'
            )
    lines.append("}")
    return "\n".join(lines)
