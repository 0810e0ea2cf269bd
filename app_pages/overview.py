"""Übersicht: the portfolio at a glance — processes, data freshness, deviations, bottlenecks, the
best digitization candidates and what they would save.

Every figure of a process comes from its reference log (the one its process manager chose, else
the newest without import warnings: ``Registry.reference_log``), as in the report; the freshness
table names that log and why it speaks for the process."""

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from app_pages._formats import MISSING, currency, date, integer, percent
from app_pages._i18n import language, t
from app_pages._portfolio import (
    activity_text,
    computed_portfolio,
    md,
    number,
    recommendation_label,
    session_assumptions,
    stop_if_no_processes,
)
from app_pages._registry_catalogue import status_label
from app_pages._shared import office_settings, signed_in_user, visible_logs, visible_processes
from app_pages._static_table import static_table
from mining import MiningError, conclusions, score_explanation
from process_registry import RegistryError, SettingsError, clock, local_date, parse_iso

TOP = 5

user = signed_in_user()
st.title(t("overview.title"))
st.caption(
    t("overview.caption_all")
    if user.scope == "*"
    else t("overview.caption_department", department=user.scope)
)

try:
    processes = visible_processes(user)
    logs = visible_logs(user)
    # A log older than this (the office's setting) may no longer describe today's process.
    stale_days = office_settings().data_age_warning_days
except (RegistryError, MiningError, SettingsError) as err:
    st.error(str(err))
    st.stop()

stop_if_no_processes(user, processes)

assumptions, edited = session_assumptions()
snapshot = computed_portfolio(user, assumptions)
if edited:
    st.caption(t("overview.edited_assumptions"))

# The conclusions first, as the report opens; with the threshold as set now, not when cached.
st.subheader(t("overview.conclusions_heading"))
st.info(md(conclusions(snapshot | {"data_age_warning_days": stale_days}, language())))

summary = snapshot["summary"]
col1, col2, col3, col4 = st.columns(4)
col1.metric(t("overview.metric_processes"), number(len(processes)))
col2.metric(t("overview.metric_logs"), number(len(logs)))
col3.metric(t("overview.metric_with_log"), number(summary["processes_with_log"]))
col4.metric(t("overview.metric_candidates"), number(summary["candidates"]))

st.subheader(t("overview.savings_heading"))
cols = st.columns(5)
cols[0].metric(t("overview.metric_hours"), number(summary["hours_saved_per_year"]))
cols[1].metric(t("overview.metric_fte"), number(summary["fte_saved"], 1))
cols[2].metric(t("overview.metric_euros"), currency(summary["euros_saved_per_year"]))
cols[3].metric(t("overview.metric_pages"), number(summary["pages_avoided_per_year"]))
cols[4].metric(t("overview.metric_co2"), f"{number(summary['co2_kg_avoided_per_year'], 1)} kg")
st.caption(t("overview.savings_note"))

st.subheader(t("overview.candidates_heading"))
top = snapshot["candidates"][:TOP]
if top:
    # A static table wraps the long reason instead of cutting it off at the right edge.
    static_table(
        pd.DataFrame(
            {
                t("overview.col_process"): [c["process_name"] or c["process"] for c in top],
                t("overview.col_step"): [activity_text(c) for c in top],
                t("overview.col_recommendation"): [
                    recommendation_label(c["recommendation"]) for c in top
                ],
                t("overview.col_score"): [number(c["score"], 1) for c in top],
                t("overview.col_hours"): [number(c["hours_saved_per_year"]) for c in top],
                t("overview.col_reason"): [(c["reasons"] or [MISSING])[0] for c in top],
            }
        ),
        figures=[t("overview.col_score"), t("overview.col_hours")],
    )
    general = assumptions["general"]
    st.caption(
        score_explanation(
            general["benefit_weight"],
            general["effort_weight"],
            general["hours_saturation"],
            language(),
        )
    )
else:
    st.info(t("overview.no_candidates"))

st.subheader(t("overview.bottlenecks_heading"))
waits = [
    {**b, "process": p["name"]}
    for p in snapshot["processes"]
    if p["analysis"]
    for b in p["analysis"]["bottlenecks"]
]
waits = sorted(waits, key=lambda b: -(b["total_wait_s"] or 0.0))[:TOP]
if waits:
    day = 86400.0
    # The ranking column (total wait) comes right after the edge, so it never scrolls away.
    static_table(
        pd.DataFrame(
            {
                t("overview.col_process"): [b["process"] for b in waits],
                t("overview.col_from"): [b["source"] for b in waits],
                t("overview.col_to"): [b["target"] for b in waits],
                t("overview.col_total_wait"): [
                    integer(b["total_wait_s"] / day if b["total_wait_s"] is not None else None)
                    for b in waits
                ],
                t("overview.col_mean_wait"): [
                    number(b["mean_wait_s"] / day if b["mean_wait_s"] is not None else None, 1)
                    for b in waits
                ],
                t("overview.col_transitions"): [integer(b["transitions"]) for b in waits],
                t("overview.col_cases"): [integer(b["cases"]) for b in waits],
            }
        ),
        figures=[
            t("overview.col_total_wait"),
            t("overview.col_mean_wait"),
            t("overview.col_transitions"),
            t("overview.col_cases"),
        ],
    )
else:
    st.info(t("overview.no_logs_yet"))

st.subheader(t("overview.deviations_heading"))
kinds = {
    "skipped": t("overview.kind_skipped"),
    "unmodelled": t("overview.kind_unmodelled"),
    "wrong_order": t("overview.kind_wrong_order"),
}
checked = [
    (p, p["analysis"]["conformance"])
    for p in snapshot["processes"]
    if p["analysis"] and p["analysis"].get("conformance")
]
if checked:
    rows = []
    for process, conformance in checked:
        first = (conformance.get("deviations") or [None])[0]
        rows.append(
            {
                t("overview.col_process"): process["name"],
                t("overview.col_model_version"): integer(conformance.get("version")),
                t("overview.col_fitting"): percent(conformance.get("fitting_cases_share")),
                t("overview.col_top_deviation"): (
                    f"{kinds.get(first['kind'], first['kind'])}: {first['activity']}"
                    if first
                    else t("overview.no_deviation")
                ),
                t("overview.col_deviation_share"): percent(first["share"] if first else None),
            }
        )
    static_table(
        pd.DataFrame(rows),
        figures=[
            t("overview.col_model_version"),
            t("overview.col_fitting"),
            t("overview.col_deviation_share"),
        ],
    )
else:
    st.info(t("overview.no_conformance"))

st.subheader(t("overview.freshness_heading"))
today = clock.today()
log_counts: dict[str, int] = {}
for info in logs:
    if info.process is not None:
        log_counts[info.process] = log_counts.get(info.process, 0) + 1
# The data the figures above rest on: each process's reference log, as the portfolio used it.
reference = {p["key"]: p["log"] for p in snapshot["processes"] if p.get("log")}
newest: dict[str, dt.date] = {
    key: local_date(parse_iso(log["end"])) for key, log in reference.items() if log.get("end")
}
reasons = {
    "chosen": t("overview.reason_chosen"),
    "newest_passing": t("overview.reason_newest_passing"),
    "newest": t("overview.reason_newest"),
}


def _state(key: str) -> str:
    if key not in newest:
        return t("overview.state_no_log")
    if (today - newest[key]).days > stale_days:
        return t("overview.state_stale", days=stale_days)
    return t("overview.state_current")


freshness = pd.DataFrame(
    {
        t("overview.col_process"): [p.name for p in processes],
        t("overview.col_department"): [p.department for p in processes],
        t("overview.col_status"): [status_label(p.status) for p in processes],
        t("overview.col_logs"): [integer(log_counts.get(p.key, 0)) for p in processes],
        t("overview.col_reference"): [
            f"{reference[p.key]['log_id']} · {reference[p.key]['source_name']}"
            if p.key in reference
            else None
            for p in processes
        ],
        t("overview.col_reference_reason"): [
            reasons.get(reference[p.key].get("reason"), "") if p.key in reference else None
            for p in processes
        ],
        t("overview.col_newest"): [date(newest.get(p.key)) for p in processes],
        t("overview.col_age"): [
            integer((today - newest[p.key]).days if p.key in newest else None) for p in processes
        ],
        t("overview.col_state"): [_state(p.key) for p in processes],
    }
)
stale = sum(1 for p in processes if p.key in newest and (today - newest[p.key]).days > stale_days)
if stale:
    st.warning(t("overview.stale_warning", count=stale, days=stale_days))
static_table(
    freshness,
    # What a reader looks for first (is the data current?) before the details of the log.
    order=[
        t(f"overview.col_{name}")
        for name in (
            "process",
            "state",
            "newest",
            "age",
            "department",
            "status",
            "logs",
            "reference",
            "reference_reason",
        )
    ],  # fmt: skip
    figures=[t("overview.col_logs"), t("overview.col_age")],
)

st.markdown(f"**{t('overview.status_heading')}**")
statuses = pd.Series([status_label(p.status) for p in processes]).value_counts()
static_table(
    pd.DataFrame(
        {
            t("overview.col_status"): statuses.index,
            t("overview.col_count"): [integer(n) for n in statuses],
        }
    ),
    figures=[t("overview.col_count")],
)

st.subheader(t("overview.links_heading"))
links = [
    ("app_pages/digitization.py", "overview.link_digitization", ":material/rocket_launch:"),
    ("app_pages/analysis.py", "overview.link_analysis", ":material/insights:"),
    ("app_pages/reports.py", "overview.link_reports", ":material/description:"),
    ("app_pages/registry.py", "overview.link_registry", ":material/account_tree:"),
]
if user.can_upload:
    links.append(("app_pages/logs.py", "overview.link_logs", ":material/upload_file:"))
for path, label, icon in links:
    try:
        st.page_link(path, label=t(label), icon=icon)
    except StreamlitPageNotFoundError:
        pass  # the page is not in this navigation (a page run on its own, as in tests)
