"""Analyse: how the cases of one event log really flow, where they wait, and how that compares
with the registered model. Every figure is a group figure; none describes a person."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from app_pages._analysis_cases import Explorer
from app_pages._analysis_common import decimal, plain
from app_pages._analysis_filters import filters_key, read_filters, show_add_filter, show_chips
from app_pages._analysis_tabs import (
    map_tab,
    model_tab,
    performance_tab,
    trends_tab,
    variants_tab,
)
from app_pages._auth import ROLES, require
from app_pages._i18n import language, t
from app_pages._shared import (
    ASSUMPTIONS_FILE,
    analysis_view,
    cached_analysis,
    office_settings,
    process_state,
    reference_log_ids,
    registry,
    signed_in_user,
    visible_logs,
)
from mining import (
    ActivityMappingError,
    ConformanceError,
    LogInfo,
    MiningError,
    ModelConversionError,
    Part,
    attribute_columns,
    describe_period,
    localized,
)
from process_registry import RegistryError, data_dir, local_date, local_date_text, parse_iso

# Errors of the model side: the log can still be analysed without the comparison.
MODEL_ERRORS = (RegistryError, ModelConversionError, ActivityMappingError, ConformanceError)

user = signed_in_user()
require(user, ROLES)
if user.role == "department" and not user.department:
    # A department user without a department would otherwise get the office-wide scope.
    st.error(t("common.not_allowed"))
    st.stop()

st.title(t("analysis.title"))
st.caption(t("analysis.caption"))

try:
    logs = visible_logs(user)
    settings = office_settings()
    references = reference_log_ids()
except (MiningError, RegistryError, OSError, ValueError) as err:
    st.error(plain(err))
    st.stop()
if not logs:
    st.info(t("analysis.no_logs"))
    st.stop()


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else local_date(moment)


def _log_label(info: LogInfo) -> str:
    label = t(
        "analysis.log_option",
        source=info.source_name,
        process=info.process or t("analysis.no_process"),
        uploaded=local_date_text(info.uploaded_at),
        cases=decimal(info.cases, 0),
    )
    # The log the Übersicht and the report use for its process, so a test upload is told apart.
    return label + t("analysis.reference_mark") if info.log_id in references else label


by_id = {info.log_id: info for info in logs}
wanted = st.session_state.get("analysis_log_id")
ids = list(by_id)
log_id = st.selectbox(
    t("analysis.log_select"),
    ids,
    index=ids.index(wanted) if wanted in by_id else 0,
    format_func=lambda i: _log_label(by_id[i]),
    key="analysis_log_choice",
    placeholder=t("common.choose_option"),
)
st.session_state["analysis_log_id"] = log_id
info = by_id[log_id]
first, last = _local_date(info.first_event), _local_date(info.last_event)

with st.container(border=True):
    col_from, col_to, col_top, col_work = st.columns([2, 2, 2, 2])
    date_from = col_from.date_input(
        t("analysis.date_from"), value=first, format="DD.MM.YYYY", key=f"analysis_from_{log_id}"
    )
    date_to = col_to.date_input(
        t("analysis.date_to"), value=last, format="DD.MM.YYYY", key=f"analysis_to_{log_id}"
    )
    top_variants = col_top.number_input(
        t("analysis.top_variants"),
        min_value=0,
        max_value=1000,
        value=0,
        step=1,
        help=t("analysis.top_variants_help"),
        key="analysis_top_variants",
    )
    working_time = col_work.toggle(
        t("analysis.working_time"),
        value=settings.working_time,
        help=t("analysis.working_time_help"),
        key="analysis_working_time",
    )

if date_from and date_to and date_from > date_to:
    st.error(t("analysis.bad_range"))
    st.stop()

# The log's own first and last day are no filter: the whole log stays the whole process.
view_from = date_from if date_from and date_from != first else None
view_to = date_to if date_to and date_to != last else None
try:
    base = analysis_view(
        log_id, user.scope, date_from=view_from, date_to=view_to, top_variants=None
    )
except (MiningError, PermissionError) as err:
    st.error(plain(err))
    st.stop()
chips = read_filters(log_id, base)
filter_area = st.container()  # the chips, and once the figures are known, the filter forms
with filter_area:
    show_chips(base, chips)
explorer = Explorer(
    log_id, user.scope, view_from, view_to, int(top_variants) or None, filters_key(chips)
)


def _head_version(process_key: str | None) -> int | None:
    # Named explicitly so a new model version is a new cache entry, not the old comparison.
    if not process_key:
        return None
    head = registry().get_process(process_key).head
    return head.number if head is not None else None


def _analysis(process_key: str | None, *parts: Part) -> dict[str, Any]:
    """The ``parts`` of the analysis (:data:`mining.PARTS`) of the view for ``process_key``."""
    assumptions = data_dir() / ASSUMPTIONS_FILE
    has_assumptions = assumptions.is_file()
    version = _head_version(process_key)
    return cached_analysis(
        log_id,
        user.scope,
        process_key=process_key,
        version=version,
        process_state=process_state(process_key, version),
        date_from=view_from,
        date_to=view_to,
        top_variants=explorer.top_variants,
        filters=explorer.filters,
        working_time=bool(working_time),
        min_group_size=settings.min_group_size,
        assumptions_path=str(assumptions) if has_assumptions else None,
        assumptions_mtime=assumptions.stat().st_mtime if has_assumptions else None,
        parts=parts,
    )


with st.spinner(t("analysis.computing")):
    try:
        try:
            result = _analysis(info.process, "flow")
            with_model = bool(info.process)
        except MODEL_ERRORS as err:
            if not info.process:
                raise
            st.error(t("analysis.model_failed", error=plain(err)))
            result, with_model = _analysis(None, "flow"), False
    except (MiningError, RegistryError, PermissionError) as err:
        st.error(plain(err))
        st.stop()
process_key = info.process if with_model else None

log = result["log"]
cases, events, activities, variants = st.columns(4)
cases.metric(t("analysis.metric_cases"), decimal(log["cases"], 0))
events.metric(t("analysis.metric_events"), decimal(log["events"], 0))
activities.metric(t("analysis.metric_activities"), decimal(log["activities"], 0))
variants.metric(t("analysis.metric_variants"), decimal(log["variants"], 0))
if log.get("start") and log.get("end"):
    start, end = (_local_date(parse_iso(log[k])) for k in ("start", "end"))
    st.caption(t("analysis.period", start=f"{start:%d.%m.%Y}", end=f"{end:%d.%m.%Y}"))
analysed = explorer.view
st.caption(
    t("analysis.period_counts", sentence=plain(localized(describe_period(analysed), language())))
)
if not info.process:
    st.caption(t("analysis.not_linked"))
with filter_area:
    columns = [c for c in attribute_columns(base) if c != "activity"]
    show_add_filter(
        analysed,
        result,
        columns=columns,
        values_of=explorer.attribute_values,
        first=first,
        last=last,
    )

names = [
    t("analysis.tab_map"),
    t("analysis.tab_variants"),
    t("analysis.tab_performance"),
    t("analysis.tab_trends"),
]
# Only the open tab runs (and is sent), and each asks for its part of the analysis: a full rerun
# (a filter, another period) with the map open computes and draws the map alone, and the model
# comparison, which can take seconds, waits for its tab.
tabs = st.tabs(
    [*names, t("analysis.tab_model")] if with_model else names,
    key="analysis_tab",
    on_change="rerun",
)


def _with(part: Part) -> dict[str, Any] | None:
    """``result`` with ``part`` of the analysis, computed now if need be; None after saying why
    it could not be."""
    try:
        with st.spinner(t("analysis.computing")):
            return {**result, **_analysis(process_key, part)}
    except MODEL_ERRORS as err:
        st.error(t("analysis.model_failed", error=plain(err)))
    except (MiningError, RegistryError, PermissionError) as err:
        st.error(plain(err))
    return None


if tabs[0].open:
    with tabs[0]:
        map_tab(result, explorer)
if tabs[1].open:
    with tabs[1]:
        variants_tab(result, explorer)
if tabs[2].open:
    with tabs[2]:
        if (detailed := _with("details")) is not None:
            performance_tab(detailed, explorer)
if tabs[3].open:
    with tabs[3]:
        if (detailed := _with("details")) is not None:
            trends_tab(detailed)
if with_model and tabs[4].open:
    with tabs[4]:
        if (compared := _with("conformance")) is not None:
            model_tab(compared, explorer, user)
