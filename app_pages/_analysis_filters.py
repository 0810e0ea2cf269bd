"""Analyse page: the filters a process manager narrows the log with, as Disco has them, shown as
removable chips above the tabs.

The page's filter state is ``st.session_state["analysis_filters"]``, a list of plain dicts applied
in order after the page's date range (each judges the cases the ones before it left, as
``pmo analyze --filter`` does); "Nur die häufigsten Varianten" comes last::

    {"kind": "follows", "source": A, "target": B}                 # optional "keep": false
    {"kind": "activity", "activity": A}                           # optional "present": false
    {"kind": "variant", "numbers": [N, …]}                        # optional "keep": false
    {"kind": "attribute", "column": C, "values": [V, …]}          # optional "keep": false
    {"kind": "period", "mode": "contained" | "intersecting" | "started" | "completed",
     "from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}                    # a side may be null
    {"kind": "duration", "min_s": x, "max_s": y}                  # a side may be null
    {"kind": "endpoints", "start": [A, …], "end": [B, …]}         # a side may be null

The process map and the variants explorer append ``follows``/``activity``/``variant`` dicts to
the same list ("Als Filter hinzufügen", :mod:`app_pages._analysis_selection`); defaults are left
out, so the same filter is the same dict whoever adds it.
Variant numbers are those of the view at the filter's place in the list (1 = most frequent), so
removing a chip before a variant filter renumbers it to keep the same variants.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import streamlit as st

from app_pages._analysis_common import DAY, decimal, percent, plain
from app_pages._analysis_selection import FILTERS_KEY, SELECTION_KEY
from app_pages._i18n import language, t
from mining import (
    LogView,
    LogViewError,
    describe_filter,
    filter_activity_presence,
    filter_attribute,
    filter_case_duration,
    filter_directly_follows,
    filter_endpoints,
    filter_local_days,
    filter_variants,
    get_variants,
    localized,
)

__all__ = [
    "FILTERS_KEY",
    "KINDS",
    "PERIOD_MODES",
    "SELECTION_KEY",
    "Chip",
    "add_filter",
    "apply_filters",
    "clear_filters",
    "filters_key",
    "normalized",
    "read_filters",
    "remove_filter",
    "show_add_filter",
    "show_chips",
]

_LOG_KEY = "analysis_filters_log"  # the log the filters were set on
KINDS = ("period", "attribute", "activity", "follows", "variant", "duration", "endpoints")
PERIOD_MODES = ("contained", "intersecting", "started", "completed")


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise LogViewError(f"„{name}“ muss ein nicht leerer Text sein.")
    return value


def _texts(value: Any, name: str, *, optional: bool = False) -> list[str] | None:
    if value is None and optional:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise LogViewError(f"„{name}“ muss eine Liste von Texten sein.")
    return sorted({_text(item, name) for item in value})


def _flag(spec: Mapping[str, Any], name: str) -> bool:
    value = spec.get(name, True)
    if not isinstance(value, bool):
        raise LogViewError(f"„{name}“ muss true oder false sein.")
    return value


def _day(value: Any, name: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise LogViewError(f"„{name}“: „{value}“ ist kein Datum JJJJ-MM-TT.") from None


def _seconds(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise LogViewError(f"„{name}“ muss eine Zahl von Sekunden sein.")
    if value < 0:
        raise LogViewError(f"„{name}“ darf nicht negativ sein.")
    return float(value)


def normalized(spec: Any) -> dict[str, Any]:
    """``spec`` checked and in one canonical form (sorted values, defaults left out), so equal
    filters compare and cache alike; a malformed one is a LogViewError naming what is wrong."""
    if not isinstance(spec, Mapping):
        raise LogViewError("Ein Filter ist ein Eintrag mit „kind“.")
    kind = spec.get("kind")
    clean: dict[str, Any] = {"kind": kind}
    if kind == "follows":
        clean["source"] = _text(spec.get("source"), "source")
        clean["target"] = _text(spec.get("target"), "target")
    elif kind == "activity":
        clean["activity"] = _text(spec.get("activity"), "activity")
        if not _flag(spec, "present"):
            clean["present"] = False
    elif kind == "variant":
        numbers = spec.get("numbers")
        if isinstance(numbers, Integral | str) or not isinstance(numbers, Sequence):
            raise LogViewError("„numbers“ muss eine Liste von Variantennummern sein.")
        if not numbers or any(
            isinstance(n, bool) or not isinstance(n, Integral) or n < 1 for n in numbers
        ):
            raise LogViewError("Variantennummern sind ganze Zahlen ab 1 (1 = häufigste Variante).")
        clean["numbers"] = sorted({int(n) for n in numbers})
    elif kind == "attribute":
        clean["column"] = _text(spec.get("column"), "column")
        values = _texts(spec.get("values"), "values")
        if not values:
            raise LogViewError("Ein Merkmalsfilter braucht mindestens einen Wert.")
        clean["values"] = values
    elif kind == "period":
        mode = spec.get("mode", "intersecting")
        if mode not in PERIOD_MODES:
            raise LogViewError(
                f"Unbekannter Zeitraum-Modus „{mode}“; möglich: {', '.join(PERIOD_MODES)}."
            )
        clean["mode"] = mode
        clean["from"], clean["to"] = _day(spec.get("from"), "from"), _day(spec.get("to"), "to")
        if clean["from"] is None and clean["to"] is None:
            raise LogViewError("Ein Zeitraum braucht „von“ oder „bis“.")
        if clean["from"] and clean["to"] and clean["from"] > clean["to"]:
            raise LogViewError("Der Zeitraum endet vor seinem Beginn.")
    elif kind == "duration":
        clean["min_s"] = _seconds(spec.get("min_s"), "min_s")
        clean["max_s"] = _seconds(spec.get("max_s"), "max_s")
        if clean["min_s"] is None and clean["max_s"] is None:
            raise LogViewError("Ein Durchlaufzeit-Filter braucht eine Unter- oder Obergrenze.")
    elif kind == "endpoints":
        clean["start"] = _texts(spec.get("start"), "start", optional=True) or None
        clean["end"] = _texts(spec.get("end"), "end", optional=True) or None
        if clean["start"] is None and clean["end"] is None:
            raise LogViewError("Ein Start-/Ende-Filter braucht Start- oder Endaktivitäten.")
    else:
        raise LogViewError(f"Unbekannte Filterart „{kind}“; möglich: {', '.join(KINDS)}.")
    if kind in ("follows", "variant", "attribute") and not _flag(spec, "keep"):
        clean["keep"] = False
    return clean


def _apply(view: LogView, spec: Mapping[str, Any]) -> LogView:
    """``view`` with one normalized filter added."""
    kind = spec["kind"]
    keep = spec.get("keep", True)
    if kind == "follows":
        return filter_directly_follows(view, spec["source"], spec["target"], keep=keep)
    if kind == "activity":
        return filter_activity_presence(view, spec["activity"], present=spec.get("present", True))
    if kind == "variant":
        return filter_variants(view, spec["numbers"], keep=keep)
    if kind == "attribute":
        return filter_attribute(view, spec["column"], spec["values"], keep=keep)
    if kind == "period":
        first, last = (dt.date.fromisoformat(d) if d else None for d in (spec["from"], spec["to"]))
        return filter_local_days(view, first, last, mode=spec["mode"])
    if kind == "duration":
        return filter_case_duration(view, min_s=spec["min_s"], max_s=spec["max_s"])
    return filter_endpoints(view, start=spec["start"], end=spec["end"])


def apply_filters(view: LogView, specs: Sequence[Any]) -> LogView:
    """``view`` narrowed by the filter dicts ``specs``, in order, as LogView filters; a malformed
    or inapplicable one (e.g. a column this log lacks) is a LogViewError naming its place."""
    for number, spec in enumerate(specs, start=1):
        try:
            view = _apply(view, normalized(spec))
        except LogViewError as err:
            raise LogViewError(f"Filter {number}: {err}") from None
    return view


@dataclass(frozen=True)
class Chip:
    """One entry of the filter list as the page shows it: its label, or why it is not applied."""

    position: int
    spec: dict[str, Any]
    label: str
    error: str | None = None


def read_filters(log_id: str, base: LogView) -> list[Chip]:
    """The filter list of the session as chips, each checked on ``base`` (the log after the
    page's date range) after the ones before it. Filters belong to a log: choosing another log
    starts without filters and without a selection."""
    if st.session_state.get(_LOG_KEY) != log_id:
        if st.session_state.get(_LOG_KEY) is not None:
            st.session_state[FILTERS_KEY] = []
            st.session_state.pop(SELECTION_KEY, None)
        st.session_state[_LOG_KEY] = log_id
    raw = st.session_state.get(FILTERS_KEY)
    if not isinstance(raw, list):
        raw = []
    chips, view = [], base
    for position, spec in enumerate(raw):
        try:
            clean = normalized(spec)
            narrowed = _apply(view, clean)
        except LogViewError as err:
            shown = spec if isinstance(spec, Mapping) else {"kind": repr(spec)}
            chips.append(Chip(position, dict(shown), str(shown.get("kind")), str(err)))
            continue
        label = localized(describe_filter(narrowed.filters[-1]), language())
        chips.append(Chip(position, clean, label))
        view = narrowed
    return chips


def filters_key(chips: Sequence[Chip]) -> str:
    """The applied filters as canonical JSON: what the cached analysis is keyed on."""
    return json.dumps(
        [chip.spec for chip in chips if chip.error is None], sort_keys=True, ensure_ascii=False
    )


def _current() -> list[Any]:
    raw = st.session_state.get(FILTERS_KEY)
    return list(raw) if isinstance(raw, list) else []


def add_filter(spec: Mapping[str, Any]) -> None:
    """Append ``spec`` to the filter list unless an equal filter is already there."""
    clean = normalized(spec)
    current = _current()
    existing = []
    for item in current:
        try:
            existing.append(normalized(item))
        except LogViewError:
            continue
    if clean not in existing:
        current.append(clean)
    st.session_state[FILTERS_KEY] = current


def _variant_sequences(view: LogView) -> list[tuple[str, ...]]:
    return [tuple(acts) for acts in get_variants(view, examples=0)["activities"]]


def remove_filter(base: LogView, position: int) -> None:
    """Drop the filter at ``position``. A variant filter after it keeps its variants: its
    numbers are looked up again in the view the remaining filters leave before it."""
    current = _current()
    if not 0 <= position < len(current):
        return
    old_view, new_view, kept = base, base, []
    for index, spec in enumerate(current):
        try:
            clean = normalized(spec)
            after_old = _apply(old_view, clean)
        except LogViewError:
            if index != position:
                kept.append(spec)  # still shown as not applied, for the user to remove
            continue
        if index != position:
            if clean["kind"] == "variant":
                old = _variant_sequences(old_view)
                chosen = {old[n - 1] for n in clean["numbers"] if n <= len(old)}
                new = _variant_sequences(new_view)
                numbers = [n for n, acts in enumerate(new, start=1) if acts in chosen]
                if numbers:
                    clean = {**clean, "numbers": numbers}
            kept.append(clean)
            new_view = _apply(new_view, clean)
        old_view = after_old
    st.session_state[FILTERS_KEY] = kept


def clear_filters() -> None:
    st.session_state[FILTERS_KEY] = []


def show_chips(base: LogView, chips: Sequence[Chip]) -> None:
    """The filters as chips, each with its ✕, and "Alle Filter entfernen"."""
    if not chips:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{t('analysis.filters_title')}**")
        for chip in chips:
            text = chip.label if chip.error is None else t("analysis.filter_broken_chip")
            st.button(
                f"{plain(text)} ✕",
                key=f"analysis_chip_{chip.position}",
                help=t("analysis.filter_remove_help"),
                on_click=remove_filter,
                args=(base, chip.position),
            )
        st.button(
            t("analysis.filters_clear"),
            key="analysis_chips_clear",
            type="tertiary",
            on_click=clear_filters,
        )
    for chip in chips:
        if chip.error is not None:
            st.warning(
                t("analysis.filter_broken", number=chip.position + 1, error=plain(chip.error))
            )


# -- "Filter hinzufügen" --------------------------------------------------------------------------


def _activities(result: Mapping[str, Any]) -> list[str]:
    names = [row["activity"] for row in result.get("activity_times") or ()]
    if names:
        return names
    edges = result.get("dfg") or ()
    return sorted({row["source"] for row in edges} | {row["target"] for row in edges})


def _keep(key: str) -> bool:
    choice = st.radio(
        t("analysis.filter_keep"),
        ["keep", "drop"],
        format_func=lambda k: t(f"analysis.filter_keep_{k}"),
        horizontal=True,
        key=key,
    )
    return choice == "keep"


def _with_keep(spec: dict[str, Any], keep: bool) -> dict[str, Any]:
    return spec if keep else {**spec, "keep": False}


def _period(first: dt.date | None, last: dt.date | None) -> dict[str, Any] | None:
    mode = st.radio(
        t("analysis.filter_period_mode"),
        PERIOD_MODES,
        format_func=lambda m: t(f"analysis.filter_mode_{m}"),
        captions=[t(f"analysis.filter_mode_{m}_help") for m in PERIOD_MODES],
        key="analysis_add_period_mode",
    )
    left, right = st.columns(2)
    start = left.date_input(
        t("analysis.date_from"), value=first, format="DD.MM.YYYY", key="analysis_add_period_from"
    )
    end = right.date_input(
        t("analysis.date_to"), value=last, format="DD.MM.YYYY", key="analysis_add_period_to"
    )
    return {
        "kind": "period",
        "mode": mode,
        "from": start.isoformat() if isinstance(start, dt.date) else None,
        "to": end.isoformat() if isinstance(end, dt.date) else None,
    }


def _attribute(columns: Sequence[str], values_of: Callable[[str], Sequence[str]]) -> Any:
    if not columns:
        st.caption(t("analysis.filter_no_attributes"))
        return None
    column = st.selectbox(
        t("analysis.filter_column"),
        columns,
        format_func=lambda c: t("analysis.filter_column_org_unit") if c == "org_unit" else c,
        key="analysis_add_attribute_column",
        placeholder=t("common.choose_option"),
    )
    values = st.multiselect(
        t("analysis.filter_values"),
        values_of(column),
        key=f"analysis_add_attribute_{column}",
        placeholder=t("common.choose_options"),
    )
    keep = _keep("analysis_add_attribute_keep")
    return _with_keep({"kind": "attribute", "column": column, "values": values}, keep)


def _activity(activities: Sequence[str]) -> Any:
    activity = st.selectbox(
        t("analysis.col_activity"),
        activities,
        key="analysis_add_activity",
        index=None,
        placeholder=t("common.choose_option"),
    )
    present = _keep("analysis_add_activity_keep")
    return {"kind": "activity", "activity": activity, "present": present}


def _follows(result: Mapping[str, Any]) -> Any:
    edges = sorted(result.get("dfg") or (), key=lambda e: (-e["count"], e["source"], e["target"]))
    chosen = st.selectbox(
        t("analysis.filter_edge"),
        range(len(edges)),
        format_func=lambda i: t(
            "analysis.filter_edge_option",
            source=edges[i]["source"],
            target=edges[i]["target"],
            count=decimal(edges[i]["count"], 0),
        ),
        index=None,
        key="analysis_add_follows",
        placeholder=t("common.choose_option"),
    )
    keep = _keep("analysis_add_follows_keep")
    if chosen is None:
        return {"kind": "follows", "source": None, "target": None}
    edge = edges[chosen]
    return _with_keep({"kind": "follows", "source": edge["source"], "target": edge["target"]}, keep)


def _variants(result: Mapping[str, Any]) -> Any:
    variants = result.get("variants") or []
    numbers = st.multiselect(
        t("analysis.filter_variants"),
        list(range(1, len(variants) + 1)),
        format_func=lambda n: t(
            "analysis.variant_option",
            number=n,
            share=percent(variants[n - 1]["share"]),
            cases=variants[n - 1]["cases"],
        ),
        key="analysis_add_variants",
        placeholder=t("common.choose_options"),
    )
    keep = _keep("analysis_add_variants_keep")
    return _with_keep({"kind": "variant", "numbers": numbers}, keep)


def _duration() -> Any:
    left, right = st.columns(2)
    low = left.number_input(
        t("analysis.filter_min_days"), min_value=0.0, value=None, step=1.0, key="analysis_add_min"
    )
    high = right.number_input(
        t("analysis.filter_max_days"), min_value=0.0, value=None, step=1.0, key="analysis_add_max"
    )
    return {
        "kind": "duration",
        "min_s": None if low is None else float(low) * DAY,
        "max_s": None if high is None else float(high) * DAY,
    }


def _endpoints(result: Mapping[str, Any]) -> Any:
    starts = sorted(
        result.get("start_activities") or {}, key=lambda a: -result["start_activities"][a]
    )
    ends = sorted(result.get("end_activities") or {}, key=lambda a: -result["end_activities"][a])
    left, right = st.columns(2)
    start = left.multiselect(
        t("analysis.filter_starts"),
        starts,
        key="analysis_add_starts",
        placeholder=t("common.choose_options"),
    )
    end = right.multiselect(
        t("analysis.filter_ends"),
        ends,
        key="analysis_add_ends",
        placeholder=t("common.choose_options"),
    )
    return {"kind": "endpoints", "start": start or None, "end": end or None}


def _missing(spec: Mapping[str, Any]) -> str | None:
    """Which choice the form still lacks (a text key), None when it is complete."""
    kind = spec["kind"]
    if kind == "follows" and spec["source"] is None:
        return "edge"
    if kind == "activity" and spec["activity"] is None:
        return "activity"
    if kind in ("variant", "attribute") and not spec.get("numbers", spec.get("values")):
        return "values"
    if kind == "period" and spec["from"] is None and spec["to"] is None:
        return "period"
    if kind == "duration" and spec["min_s"] is None and spec["max_s"] is None:
        return "duration"
    if kind == "endpoints" and spec["start"] is None and spec["end"] is None:
        return "endpoints"
    return None


def show_add_filter(
    view: LogView,
    result: Mapping[str, Any],
    *,
    columns: Sequence[str],
    values_of: Callable[[str], Sequence[str]],
    first: dt.date | None,
    last: dt.date | None,
) -> None:
    """The expander "Filter hinzufügen": one form per kind of filter; the new filter is checked
    on the analysed ``view`` and appended to the list."""
    with st.expander(t("analysis.filter_add_title")):
        kind = st.radio(
            t("analysis.filter_kind"),
            KINDS,
            format_func=lambda k: t(f"analysis.filter_kind_{k}"),
            horizontal=True,
            key="analysis_add_kind",
        )
        if kind == "period":
            spec = _period(first, last)
        elif kind == "attribute":
            spec = _attribute(columns, values_of)
        elif kind == "activity":
            spec = _activity(_activities(result))
        elif kind == "follows":
            spec = _follows(result)
        elif kind == "variant":
            spec = _variants(result)
        elif kind == "duration":
            spec = _duration()
        else:
            spec = _endpoints(result)
        if spec is None:
            return
        missing = _missing(spec)
        if missing:
            st.caption(t(f"analysis.filter_missing_{missing}"))
        if st.button(
            t("analysis.filter_apply"),
            key="analysis_add_apply",
            type="primary",
            disabled=bool(missing),
        ):
            try:
                _apply(view, normalized(spec))
            except LogViewError as err:
                st.error(t("analysis.filter_refused", error=plain(err)))
                return
            add_filter(spec)
            st.rerun()
