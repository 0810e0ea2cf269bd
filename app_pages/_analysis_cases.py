"""Analyse page: the cases behind a finding (the case explorer).

Every bottleneck, activity and deviation row opens the list of its cases: a click on the table
row or a choice in the "Fälle anzeigen: …" box under it. An activity or edge of the process map
and a variant of the variants explorer open theirs with "Fälle anzeigen" there
(``st.session_state["analysis_selection"]``, :mod:`app_pages._analysis_selection`). The list
gives case id, first and last event, throughput time, events and variant number (variants
numbered as the page shows them), sorts in the table, downloads as CSV for German Excel, and
shows a chosen case's steps with the waits between them. Who worked on a step is not shown: the
workspace shows no figure or trace by person.

The lists are read from the view the page analyses (:func:`app_pages._shared.analysis_view`)
narrowed by the finding's filter; the cached loaders take the user's scope and check it before
and after the cache (docs/RELIABILITY.md item 27).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
import streamlit as st

from app_pages._analysis_common import (
    Column,
    days,
    days_column,
    decimal,
    duration,
    integer_column,
    plain,
    record_table,
    text_column,
)
from app_pages._analysis_filters import add_filter, apply_filters, normalized
from app_pages._analysis_selection import SELECTION_KEY, as_filter
from app_pages._i18n import t
from app_pages._shared import analysis_view, check_scope
from mining import (
    CaseList,
    LogView,
    MiningError,
    TraceStep,
    case_trace,
    cases_csv,
    get_attribute_values,
    get_cases,
)
from process_registry import local

__all__ = ["CASES_SHOWN", "Choice", "Explorer"]

CASES_SHOWN = 1000  # rows drawn in the table; the CSV holds every case
_TIME_FORMAT = "DD.MM.YYYY HH:mm"
_SELECTION_VIEW_KEY = "analysis_selection_view"  # the selection and the view it was made in


@dataclass(frozen=True)
class Choice:
    """One row a case list can be opened for: how the picker names it and the filter dict
    (:mod:`app_pages._analysis_filters`) that selects its cases; None when none can be told."""

    label: str
    spec: dict[str, Any] | None


@st.cache_data(show_spinner=False, max_entries=32)
def _cases(
    log_id: str,
    scope: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    top_variants: int | None,
    filters: str,
    selection: str,
) -> tuple[CaseList, bytes]:
    view = analysis_view(
        log_id,
        scope,
        date_from=date_from,
        date_to=date_to,
        top_variants=top_variants,
        filters=filters,
    )
    # Variant numbers of the list are those of the analysed view, as its tables show them.
    listed = get_cases(apply_filters(view, [json.loads(selection)]), numbering=view)
    return listed, cases_csv(listed)


@st.cache_data(show_spinner=False, max_entries=64)
def _trace(
    log_id: str,
    scope: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    top_variants: int | None,
    filters: str,
    case: str,
) -> tuple[TraceStep, ...]:
    view = analysis_view(
        log_id,
        scope,
        date_from=date_from,
        date_to=date_to,
        top_variants=top_variants,
        filters=filters,
    )
    return case_trace(view, case)


@st.cache_data(show_spinner=False, max_entries=32)
def _values(
    log_id: str,
    scope: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    top_variants: int | None,
    filters: str,
    column: str,
) -> tuple[str, ...]:
    view = analysis_view(
        log_id,
        scope,
        date_from=date_from,
        date_to=date_to,
        top_variants=top_variants,
        filters=filters,
    )
    return get_attribute_values(view, column)


def _naive_local(moment: dt.datetime) -> dt.datetime:
    # The table shows Berlin wall-clock time; a naive value keeps the browser from converting.
    return local(moment).replace(tzinfo=None)


def _close_selection() -> None:
    st.session_state.pop(SELECTION_KEY, None)


def _add_filter(spec: Mapping[str, Any]) -> None:
    add_filter(spec)
    # The case list sits in a tab's fragment; a filter changes the analysis of the whole page.
    st.rerun()


def _keys(choices: Sequence[Choice]) -> list[str]:
    return [
        json.dumps([choice.label, choice.spec], sort_keys=True, ensure_ascii=False)
        for choice in choices
    ]


def _selected_row(state: Any) -> int | None:
    try:
        rows = state["selection"]["rows"]
    except (KeyError, TypeError):
        return None
    return int(rows[0]) if rows else None


@dataclass(frozen=True)
class Explorer:
    """The case lists of the view the page analyses: the arguments that build it (scope-checked
    at every read) and, per table, the row whose cases are open."""

    log_id: str
    scope: str
    date_from: dt.date | None
    date_to: dt.date | None
    top_variants: int | None
    filters: str  # the applied filter dicts as canonical JSON (_analysis_filters.filters_key)

    @property
    def _args(self) -> tuple[Any, ...]:
        return (
            self.log_id,
            self.scope,
            self.date_from,
            self.date_to,
            self.top_variants,
            self.filters,
        )

    @property
    def token(self) -> str:
        """Names the view: a row chosen in another view (other filters or dates) is not kept."""
        return hashlib.sha256(repr(self._args).encode("utf-8")).hexdigest()[:16]

    @cached_property
    def view(self) -> LogView:
        """The analysed view, built (and scope-checked) once per page run."""
        return analysis_view(
            self.log_id,
            self.scope,
            date_from=self.date_from,
            date_to=self.date_to,
            top_variants=self.top_variants,
            filters=self.filters,
        )

    def cases(self, spec: Mapping[str, Any]) -> tuple[CaseList, bytes]:
        """The cases ``spec`` selects in the view, longest first, and the list as CSV."""
        selection = json.dumps(normalized(spec), sort_keys=True, ensure_ascii=False)
        result = _cases(*self._args, selection)
        check_scope(self.log_id, self.scope)  # a cache hit is checked against now, too
        return result

    def trace(self, case: str) -> tuple[TraceStep, ...]:
        result = _trace(*self._args, case)
        check_scope(self.log_id, self.scope)
        return result

    def attribute_values(self, column: str) -> tuple[str, ...]:
        result = _values(*self._args, column)
        check_scope(self.log_id, self.scope)
        return result

    # -- choosing a row -----------------------------------------------------------------------

    def _synced(
        self, name: str, keys: Sequence[str], *, table: bool, within: str = ""
    ) -> int | None:
        """Before the table and the box ``name`` are drawn: make them agree on one row, the one
        the user changed last (a click in the table or a choice in the box). ``keys`` name the
        rows, so a row stays chosen when the rows are reordered (working time reorders the
        bottlenecks); in another view (or another ``within``, the list a case table belongs
        to) none is."""
        table_key, pick_key, memo_key = (
            f"analysis_{part}_{name}" for part in ("rows", "pick", "memo")
        )
        token = self.token + within
        # memo: the view, the row both widgets were given last run, and that row's key.
        memo = st.session_state.get(memo_key)
        clicked = _selected_row(st.session_state.get(table_key)) if table else None
        picked = st.session_state.get(pick_key)
        if memo is None:
            chosen = picked if picked is not None else clicked
        elif memo[0] != token:
            chosen = None
        elif table and clicked != memo[1]:
            chosen = clicked
        elif picked != memo[1]:
            chosen = picked
        else:
            chosen = keys.index(memo[2]) if memo[2] in keys else None
        if chosen is not None and not 0 <= chosen < len(keys):
            chosen = None
        st.session_state[pick_key] = chosen
        if table:
            rows = [] if chosen is None else [chosen]
            st.session_state[table_key] = {"selection": {"rows": rows, "columns": []}}
        st.session_state[memo_key] = (token, chosen, None if chosen is None else keys[chosen])
        return chosen

    def _picker(self, name: str, choices: Sequence[Choice], label: str) -> None:
        st.selectbox(
            label,
            range(len(choices)),
            index=None,
            format_func=lambda i: choices[i].label,
            placeholder=t("analysis.cases_pick_placeholder"),
            key=f"analysis_pick_{name}",
        )

    def table(
        self,
        name: str,
        rows: Sequence[Any],
        columns: Mapping[str, Column],
        choices: Sequence[Choice],
        *,
        pick_label: str,
    ) -> pd.DataFrame:
        """``rows`` as a table whose rows open their cases (``choices``, one per row), with the
        box ``pick_label`` under it that does the same; returns the table's frame."""
        chosen = self._synced(name, _keys(choices), table=True)
        frame = record_table(rows, columns, key=f"analysis_rows_{name}")
        self._picker(name, choices, pick_label)
        if chosen is not None:
            self._panel(name, choices[chosen])
        return frame

    def selection(self, name: str, kinds: Sequence[str]) -> None:
        """The cases of the element chosen with "Fälle anzeigen" on the process map or in the
        variants explorer (``st.session_state["analysis_selection"]``), if it is of ``kinds``:
        each tab shows the list under the panel it was chosen in."""
        selection = st.session_state.get(SELECTION_KEY)
        if not isinstance(selection, Mapping):
            return
        # A selection belongs to the view it was made in (a variant number means another
        # variant once the filters change): a new view closes it.
        made = (json.dumps(selection, sort_keys=True, default=str), self.token)
        seen = st.session_state.get(_SELECTION_VIEW_KEY)
        if seen is not None and seen[0] == made[0] and seen[1] != made[1]:
            st.session_state.pop(SELECTION_KEY, None)
            st.session_state.pop(_SELECTION_VIEW_KEY, None)
            return
        st.session_state[_SELECTION_VIEW_KEY] = made
        if selection.get("kind") not in kinds:
            return
        try:
            spec = as_filter(selection)
        except (KeyError, TypeError, ValueError):
            st.error(t("analysis.cases_bad_selection"))
            return
        if spec["kind"] == "follows":
            label = t("analysis.cases_edge", source=spec["source"], target=spec["target"])
        elif spec["kind"] == "activity":
            label = t("analysis.cases_activity", activity=spec["activity"])
        else:
            label = t("analysis.cases_variants", numbers=", ".join(map(str, spec["numbers"])))
        self._panel(name, Choice(label, spec), closable=True)

    # -- the case list ------------------------------------------------------------------------

    def _panel(self, name: str, choice: Choice, *, closable: bool = False) -> None:
        with st.container(border=True):
            if choice.spec is None:
                st.info(t("analysis.cases_unknown"))
                return
            try:
                listed, csv = self.cases(choice.spec)
            except (MiningError, PermissionError) as err:
                st.error(plain(err))
                return
            st.markdown(
                f"**{t('analysis.cases_count', count=decimal(listed.total, 0))}** – "
                f"{plain(choice.label)}"
            )
            shown = listed.cases[:CASES_SHOWN]
            if len(shown) < listed.total:
                st.caption(t("analysis.cases_limited", shown=decimal(len(shown), 0)))
            cases = [row.case for row in shown]
            chosen = self._synced(f"{name}_case", cases, table=True, within=repr(choice))
            record_table(
                shown,
                {
                    "case": (lambda r: r.case, text_column(t("analysis.col_case"))),
                    "start": (
                        lambda r: _naive_local(r.start),
                        st.column_config.DatetimeColumn(
                            t("analysis.col_case_start"), format=_TIME_FORMAT
                        ),
                    ),
                    "end": (
                        lambda r: _naive_local(r.end),
                        st.column_config.DatetimeColumn(
                            t("analysis.col_case_end"), format=_TIME_FORMAT
                        ),
                    ),
                    "duration": (
                        lambda r: days(r.duration_s),
                        days_column(t("analysis.col_throughput_days")),
                    ),
                    "events": (lambda r: r.events, integer_column(t("analysis.col_case_events"))),
                    "variant": (lambda r: r.variant, integer_column(t("analysis.col_variant"))),
                },
                key=f"analysis_rows_{name}_case",
            )
            st.selectbox(
                t("analysis.cases_trace_pick"),
                range(len(shown)),
                index=None,
                format_func=lambda i: shown[i].case,
                placeholder=t("analysis.cases_trace_placeholder"),
                key=f"analysis_pick_{name}_case",
            )
            with st.container(horizontal=True):
                st.download_button(
                    t("analysis.cases_download"),
                    data=csv,
                    file_name=f"faelle-{name}.csv",
                    mime="text/csv",
                    key=f"analysis_download_{name}",
                    on_click="ignore",
                )
                applied = json.loads(self.filters)
                st.button(
                    t("analysis.cases_add_filter"),
                    key=f"analysis_add_filter_{name}",
                    help=t("analysis.cases_add_filter_help"),
                    on_click=_add_filter,
                    args=(choice.spec,),
                    disabled=normalized(choice.spec) in applied,
                )
                if closable:
                    st.button(
                        t("analysis.cases_close"),
                        key=f"analysis_close_{name}",
                        type="tertiary",
                        on_click=_close_selection,
                    )
            if chosen is not None:
                self._trace_table(shown[chosen].case, shown[chosen].duration_s)

    def _trace_table(self, case: str, total_s: float) -> None:
        steps = self.trace(case)
        st.markdown(
            t(
                "analysis.trace_title",
                case=plain(case),
                events=len(steps),
                duration=duration(total_s),
            )
        )
        record_table(
            list(enumerate(steps, start=1)),
            {
                "step": (lambda pair: pair[0], integer_column(t("analysis.col_step"))),
                "activity": (
                    lambda pair: pair[1].activity,
                    text_column(t("analysis.col_activity")),
                ),
                "time": (
                    lambda pair: _naive_local(pair[1].timestamp),
                    st.column_config.DatetimeColumn(t("analysis.col_time"), format=_TIME_FORMAT),
                ),
                "wait": (
                    lambda pair: "" if pair[1].wait_s is None else duration(pair[1].wait_s),
                    text_column(t("analysis.col_wait_before")),
                ),
            },
        )
        st.caption(t("analysis.trace_caption"))
