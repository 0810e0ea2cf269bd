"""Berichte: freeze the portfolio as a report snapshot for leadership, and download stored ones
as PDF, Excel, HTML or JSON — always rendered from the frozen snapshot, never recomputed."""

import functools
import json

import pandas as pd
import streamlit as st

from app_pages._i18n import language, t
from app_pages._portfolio import md, number
from app_pages._scenario import pending_scenario, scenario_label
from app_pages._shared import (
    log_store,
    office_assumptions,
    office_settings,
    registry,
    signed_in_user,
    visible_processes,
)
from mining import MiningError, conclusions, render_report
from pmo import ReportFilters, ReportScenario, build_report
from process_registry import (
    RegistryError,
    ReportAlteredError,
    ReportArchive,
    ReportSummary,
    SettingsError,
    canonical_json,
    local_text,
)

FORMATS = (
    ("pdf", "reports.download_pdf", "application/pdf"),
    (
        "xlsx",
        "reports.download_xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("html", "reports.download_html", "text/html"),
    ("json", "reports.download_json", "application/json"),
)
SELECTED = "reports_selected"

user = signed_in_user()


@st.cache_data(show_spinner=False, max_entries=16)
def _rendered(content: str, fmt: str) -> bytes:
    # Keyed by the snapshot's content, which the user could already read: nothing crosses scopes.
    return render_report(json.loads(content), fmt)


st.title(t("reports.title"))
st.caption(t("reports.caption"))

try:
    processes = visible_processes(user)
    department_of = {p.key: p.department for p in registry().list_processes()}
    archive = ReportArchive(registry().db)
except RegistryError as err:
    st.error(str(err))
    st.stop()
names = {p.key: p.name for p in processes}

if flash := st.session_state.pop("reports_flash", None):
    st.success(flash)

if user.can_create_reports:
    st.subheader(t("reports.create_heading"))
    if not processes:
        st.info(t("overview.empty"))
    else:
        with st.form("reports_create"):
            title = st.text_input(
                t("reports.field_title"), value=t("reports.default_title"), key="reports_title"
            )
            keys = st.multiselect(
                t("reports.field_processes"),
                list(names),
                default=list(names),
                format_func=names.__getitem__,
                key="reports_processes",
                placeholder=t("common.choose_options"),
            )
            left, right = st.columns(2)
            date_from = left.date_input(
                t("reports.field_from"), value=None, format="DD.MM.YYYY", key="reports_from"
            )
            date_to = right.date_input(
                t("reports.field_to"), value=None, format="DD.MM.YYYY", key="reports_to"
            )
            pending = pending_scenario(names)
            include = pending is not None and st.checkbox(
                t(
                    "reports.field_scenario",
                    process=names[pending["process"]],
                    changes=scenario_label(pending),
                ),
                value=True,
                help=t("reports.field_scenario_help"),
                key="reports_scenario",
            )
            st.caption(t("reports.create_note"))
            submitted = st.form_submit_button(t("reports.create"), type="primary")
        if submitted:
            scenario = (
                ReportScenario(
                    changes=tuple((str(a), str(k)) for a, k in pending["changes"]),
                    online_share=pending["online_share"],
                    process=pending["process"],
                )
                if include and pending is not None
                else None
            )
            if not keys:
                st.error(t("reports.no_processes"))
            elif scenario is not None and scenario.process not in keys:
                st.error(t("reports.scenario_not_selected", process=names[scenario.process]))
            elif not set(keys) <= set(names):
                st.error(t("common.not_allowed"))
            elif not title.strip():
                st.error(t("reports.no_title"))
            elif date_from and date_to and date_from > date_to:
                st.error(t("reports.bad_range"))
            else:
                try:
                    with st.spinner(t("reports.creating")):
                        settings = office_settings()
                        snapshot = build_report(
                            registry(),
                            log_store(),
                            keys=keys,
                            assumptions=office_assumptions(),
                            filters=ReportFilters(date_from=date_from, date_to=date_to),
                            actor=user.name,
                            min_group_size=settings.min_group_size,
                            working_time=settings.working_time,
                            data_age_warning_days=settings.data_age_warning_days,
                            title=title.strip(),
                            scenario=scenario,
                            lang=language(),
                        )
                        report_id = archive.save(snapshot, actor=user.name)
                except (RegistryError, MiningError, SettingsError) as err:
                    st.error(str(err))
                else:
                    st.success(t("reports.created", id=report_id))
                    st.session_state[SELECTED] = report_id


def _visible(report: ReportSummary) -> bool:
    """A department sees a snapshot only when every process in it is one of its own."""
    if user.scope == "*":
        return True
    return bool(report.process_keys) and all(
        department_of.get(key) == user.scope for key in report.process_keys
    )


st.subheader(t("reports.stored_heading"))
try:
    stored = [r for r in archive.list() if _visible(r)]
except RegistryError as err:
    st.error(str(err))
    st.stop()
if not stored:
    st.info(t("reports.none_stored"))
    st.stop()

st.dataframe(
    pd.DataFrame(
        {
            t("reports.col_id"): [r.id for r in stored],
            t("reports.col_title"): [r.title for r in stored],
            t("reports.col_created"): [local_text(r.created_at) for r in stored],
            t("reports.col_by"): [r.created_by for r in stored],
            t("reports.col_processes"): [
                ", ".join(names.get(k, k) for k in r.process_keys) for r in stored
            ],
        }
    ),
    hide_index=True,
)

by_id = {r.id: r for r in stored}
if st.session_state.get(SELECTED) not in by_id:
    st.session_state.pop(SELECTED, None)
# Labels are worked out here, not in format_func: that may run outside this page's session.
pick_labels = {
    r.id: t(
        "reports.pick_label",
        id=r.id,
        title=r.title,
        date=local_text(r.created_at),
    )
    for r in stored
}
selected = st.selectbox(
    t("reports.pick"),
    list(by_id),
    format_func=pick_labels.__getitem__,
    key=SELECTED,
    placeholder=t("common.choose_option"),
)
try:
    snapshot = archive.get(selected)
except ReportAlteredError as err:
    st.error(str(err))
    snapshot = None
except RegistryError as err:
    st.error(str(err))
    snapshot = None

if snapshot is not None:
    summary = snapshot.get("summary") or {}
    cols = st.columns(3)
    cols[0].metric(t("reports.metric_processes"), number(summary.get("processes")))
    cols[1].metric(t("reports.metric_candidates"), number(summary.get("candidates")))
    cols[2].metric(t("reports.metric_hours"), number(summary.get("hours_saved_per_year")))
    # The paragraph the report opens with, in the user's language (worked out for older ones).
    stored = (snapshot.get("conclusions") or {}).get(language())
    st.info(md(stored or conclusions(snapshot, language())))
    content = canonical_json(snapshot)
    buttons = st.columns(len(FORMATS))
    for column, (fmt, label, mime) in zip(buttons, FORMATS, strict=True):
        # Rendered when the user asks for that file, not on every run of the page: a PDF of the
        # whole portfolio takes seconds, and most runs download nothing.
        column.download_button(
            t(label),
            functools.partial(_rendered, content, fmt),
            file_name=f"bericht-{selected}.{fmt}",
            mime=mime,
            key=f"reports_download_{fmt}",
        )

if user.can_edit_registry:
    confirm = st.checkbox(
        t("reports.confirm_delete", id=selected), key=f"reports_confirm_{selected}"
    )
    if st.button(t("reports.delete"), disabled=not confirm, key="reports_delete"):
        try:
            archive.delete(selected, actor=user.name)
        except RegistryError as err:
            st.error(str(err))
        else:
            st.session_state["reports_flash"] = t("reports.deleted", id=selected)
            st.session_state.pop(SELECTED, None)
            st.rerun()
