"""Mined figures laid on the registered model: which BPMN element shows which number and colour.

``analyze`` reports per *log activity* (executions, waits) and per *model label* (deviations);
the diagram needs figures per *element id*. The bridge is the confirmed activity mapping of the
conformance check (log activity → model label) and the element names of the model. A label can
stand for several elements (the same task drawn twice) and several log activities can map to one
label (a manual mapping); figures add up per label. Labels of called processes that the check
inlined have no element in this diagram: :func:`unplaced_activities` names them.

    figures = element_figures(document, result, "wait")
    figures["Activity_SteuerbescheidErstellen"].mean_wait_s   # the bottleneck, in seconds
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mining.conformance.mapping import normalize_activity
from process_registry import BpmnDocument

__all__ = [
    "MEASURES",
    "ElementFigure",
    "LabelFigure",
    "Measure",
    "colour",
    "element_figures",
    "label_figures",
    "unmodelled_activities",
    "unplaced_activities",
]

Measure = Literal["frequency", "wait", "deviation"]
MEASURES: tuple[Measure, ...] = ("frequency", "wait", "deviation")

# Light → strong, light enough at the top that the element's black label stays readable.
SCALES: dict[str, tuple[str, str]] = {
    "frequency": ("#eef5fc", "#6fa8dc"),
    "wait": ("#fff4e5", "#f08a4b"),
    "deviation": ("#fdeeee", "#e06666"),
}
ALERT_STROKE = "#b3261e"
_ALTERNATIVES = " oder "  # the deviation list's "B oder D" for skipped alternatives


@dataclass(frozen=True)
class LabelFigure:
    """What the log says about one model label (a task or event name of the model)."""

    label: str
    log_activities: tuple[str, ...]
    events: int
    cases: int
    mean_wait_s: float | None  # mean time from the previous event of the case to this step
    skipped_cases: int
    wrong_order_cases: int
    deviation_cases: int
    deviation_share: float
    example_cases: tuple[str, ...]


@dataclass(frozen=True)
class ElementFigure:
    """A label's figures placed on one element, with the chosen measure's value and colour."""

    element_id: str
    figure: LabelFigure
    measure: Measure
    value: float | None
    intensity: float  # 0 … 1 on the measure's scale (value / largest value in the model)
    fill: str | None
    stroke: str | None
    marker: str | None  # "skipped" | "deviation" | None


def colour(measure: Measure, intensity: float) -> str:
    """The fill for ``intensity`` (0 … 1) on the scale of ``measure``."""
    low, high = SCALES[measure]
    share = min(max(float(intensity), 0.0), 1.0)
    a = [int(low[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _conformance(result: Mapping[str, Any]) -> Mapping[str, Any]:
    return result.get("conformance") or {}


def _pairs(result: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """Log activity → model label: the confirmed mapping, or, without a conformance check, the
    log activities that carry an element's name exactly."""
    mapping = _conformance(result).get("mapping")
    if mapping is not None:
        return {str(k): str(v) for k, v in dict(mapping.get("pairs", {})).items()}
    known = set(names)
    return {
        a["activity"]: a["activity"]
        for a in result.get("activity_times", ())
        if a["activity"] in known
    }


def _split_alternatives(activity: str, labels: set[str]) -> list[str]:
    if activity in labels:
        return [activity]
    return [part for part in activity.split(_ALTERNATIVES) if part in labels]


def label_figures(result: Mapping[str, Any], names: Iterable[str] = ()) -> dict[str, LabelFigure]:
    """Figures per model label from one ``analyze`` result.

    Labels are the mapped ones, the model's unmapped ones and those named by a ``skipped`` or
    ``wrong_order`` deviation (``"B oder D"`` counts for both B and D). ``names`` (the element
    names of the model) only matter for a result without a conformance check.
    """
    names = list(names)
    pairs = _pairs(result, names)
    conformance = _conformance(result)
    labels = set(pairs.values()) | set(
        dict(conformance.get("mapping") or {}).get("unmapped_model", ())
    )
    deviations = [d for d in conformance.get("deviations", ()) if d["kind"] != "unmodelled"]
    for deviation in deviations:
        parts = deviation["activity"].split(_ALTERNATIVES)
        labels |= set(parts) if deviation["activity"] not in labels else {deviation["activity"]}
    total_cases = int(result.get("log", {}).get("cases") or 0)

    times = {row["activity"]: row for row in result.get("activity_times", ())}
    waits: dict[str, tuple[float, int]] = {}
    for edge in result.get("dfg", ()):
        total, count = _number(edge.get("total_wait_s")), int(edge.get("count") or 0)
        if total is None or count == 0:
            continue
        before = waits.get(edge["target"], (0.0, 0))
        waits[edge["target"]] = (before[0] + total, before[1] + count)

    figures: dict[str, LabelFigure] = {}
    for label in sorted(labels):
        activities = tuple(sorted(a for a, target in pairs.items() if target == label))
        events = sum(int(times[a]["events"]) for a in activities if a in times)
        cases = sum(int(times[a]["cases"]) for a in activities if a in times)
        wait_total = sum(waits.get(a, (0.0, 0))[0] for a in activities)
        wait_count = sum(waits.get(a, (0.0, 0))[1] for a in activities)
        skipped = wrong = 0
        examples: list[str] = []
        for deviation in deviations:
            if label not in _split_alternatives(deviation["activity"], labels):
                continue
            if deviation["kind"] == "skipped":
                skipped += int(deviation["cases"])
            else:
                wrong += int(deviation["cases"])
            examples += [str(c) for c in deviation.get("example_cases", ())]
        deviating = min(skipped + wrong, total_cases) if total_cases else skipped + wrong
        figures[label] = LabelFigure(
            label=label,
            log_activities=activities,
            events=events,
            cases=min(cases, total_cases) if total_cases else cases,
            mean_wait_s=wait_total / wait_count if wait_count else None,
            skipped_cases=skipped,
            wrong_order_cases=wrong,
            deviation_cases=deviating,
            deviation_share=deviating / total_cases if total_cases else 0.0,
            example_cases=tuple(dict.fromkeys(examples))[:3],
        )
    return figures


def _elements_by_label(document: BpmnDocument, labels: Iterable[str]) -> dict[str, list[str]]:
    """Element ids per label: elements of that exact name, else the one element whose name
    normalizes the same way (a label is the element's name, but whitespace may differ)."""
    named = [n for n in document.nodes if n.name and n.kind != "gateway"]
    found: dict[str, list[str]] = {}
    for label in labels:
        exact = [n.id for n in named if n.name == label]
        if not exact:
            normal = normalize_activity(label)
            alike = [n.id for n in named if normalize_activity(n.name or "") == normal]
            exact = alike if len(alike) == 1 else []
        if exact:
            found[label] = exact
    return found


def _value(figure: LabelFigure, measure: Measure) -> float | None:
    if measure == "frequency":
        return float(figure.events)
    if measure == "wait":
        return figure.mean_wait_s
    return figure.deviation_share


def element_figures(
    document: BpmnDocument, result: Mapping[str, Any], measure: Measure
) -> dict[str, ElementFigure]:
    """Element id → figure, coloured by ``measure``: ``"frequency"`` (executions), ``"wait"``
    (mean wait before the step) or ``"deviation"`` (share of cases with a deviation there).

    Skipped steps carry the marker ``"skipped"``, steps executed in the wrong order
    ``"deviation"``. An element without a value (a start event has no wait) gets no fill.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; expected one of {MEASURES}")
    figures = label_figures(result, (n.name for n in document.nodes if n.name))
    placed = _elements_by_label(document, figures)
    values = [_value(figures[label], measure) for label in placed]
    top = max((v for v in values if v is not None), default=0.0)
    out: dict[str, ElementFigure] = {}
    for label, element_ids in placed.items():
        figure = figures[label]
        value = _value(figure, measure)
        intensity = value / top if value is not None and top > 0 else 0.0
        marker = (
            "skipped" if figure.skipped_cases else "deviation" if figure.wrong_order_cases else None
        )
        for element_id in element_ids:
            out[element_id] = ElementFigure(
                element_id=element_id,
                figure=figure,
                measure=measure,
                value=value,
                intensity=intensity,
                fill=colour(measure, intensity) if value is not None else None,
                stroke=ALERT_STROKE if marker else None,
                marker=marker,
            )
    return out


def unplaced_activities(document: BpmnDocument, result: Mapping[str, Any]) -> list[LabelFigure]:
    """Labels with figures but no element in this diagram (steps of an inlined called process)."""
    figures = label_figures(result, (n.name for n in document.nodes if n.name))
    placed = _elements_by_label(document, figures)
    return [figure for label, figure in figures.items() if label not in placed]


def unmodelled_activities(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Log activities the model does not have, most cases first: ``activity``, ``cases``,
    ``share``, ``example_cases`` and ``suggestions`` (similar model labels, best first)."""
    conformance = _conformance(result)
    suggestions = dict(dict(conformance.get("mapping") or {}).get("suggestions", {}))
    rows = [
        {
            "activity": d["activity"],
            "cases": int(d["cases"]),
            "share": float(d["share"]),
            "example_cases": list(d.get("example_cases", ())),
            "suggestions": [str(option[0]) for option in suggestions.get(d["activity"], ())],
        }
        for d in conformance.get("deviations", ())
        if d["kind"] == "unmodelled"
    ]
    return sorted(rows, key=lambda row: (-row["cases"], row["activity"]))
