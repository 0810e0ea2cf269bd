"""Section "Szenario" of the Digitalisierung page: accepted candidates (or a target online share)
replayed on the process's reference log, before and after."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _formats as fmt
from app_pages._i18n import language, t
from app_pages._portfolio import md, number, recommendation_label
from app_pages._shared import log_store, registry
from mining import (
    SCENARIO_KINDS,
    Assumptions,
    MiningError,
    channel_column,
    localized,
    open_log,
    run_scenario,
)
from pmo import process_facts
from process_registry import RegistryError

__all__ = ["REPORT_SCENARIO", "pending_scenario", "scenario_label", "scenario_section"]

# The scenario last computed in this session, offered to the Berichte page for its report.
REPORT_SCENARIO = "scenario_for_report"


def _percent(value: float | None) -> str:
    return fmt.percent(value)


def scenario_section(snapshot: dict[str, Any], assumptions: Assumptions) -> None:
    """The process picker, the accepted changes, and the replay's figures once computed."""
    st.subheader(t("digitization.scenario_heading"))
    st.caption(t("digitization.scenario_caption"))
    with_log = {p["key"]: p for p in snapshot["processes"] if p.get("log")}
    if not with_log:
        st.info(t("digitization.scenario_no_log"))
        return
    names = {key: p["name"] or key for key, p in with_log.items()}
    key = st.selectbox(
        t("digitization.col_process"),
        list(with_log),
        format_func=names.__getitem__,
        key="scenario_process",
        placeholder=t("common.choose_option"),
    )
    candidates = {
        f"{c['activity']}|{c['recommendation']}": c
        for c in snapshot["candidates"]
        if c["process"] == key and c["activity"] and c["recommendation"] in SCENARIO_KINDS
    }
    labels = {
        ident: f"{c['activity']} ({recommendation_label(c['recommendation'])})"
        for ident, c in candidates.items()
    }
    accepted = st.multiselect(
        t("digitization.scenario_accept"),
        list(labels),
        format_func=labels.__getitem__,
        key="scenario_accept",
        placeholder=t("digitization.scenario_accept_none"),
    )
    target = st.toggle(t("digitization.scenario_online_toggle"), key="scenario_online_on")
    share = (
        st.slider(
            t("digitization.scenario_online_share"),
            0,
            100,
            80,
            step=5,
            format="%d %%",
            key="scenario_online_share",
        )
        if target
        else None
    )
    if not st.button(t("digitization.scenario_go"), key="scenario_go"):
        return
    if not accepted and share is None:
        st.warning(t("digitization.scenario_nothing"))
        return
    changes = [(candidates[i]["activity"], candidates[i]["recommendation"]) for i in accepted]
    try:
        view = open_log(log_store().events_path(with_log[key]["log"]["log_id"]))
        result = run_scenario(
            view,
            changes,
            assumptions=assumptions,
            facts=process_facts(registry(), key),
            online_share=None if share is None else share / 100,
            channel_column=channel_column(view),
        ).to_dict()
        result = localized(result, language())
    except (MiningError, RegistryError) as err:
        st.error(str(err))
        return
    st.session_state[REPORT_SCENARIO] = {
        "process": key,
        "changes": [list(change) for change in changes],
        "online_share": None if share is None else share / 100,
    }
    _show(result)
    st.caption(t("digitization.scenario_for_report", process=names[key]))


def pending_scenario(allowed: Any) -> dict[str, Any] | None:
    """The scenario computed on the Digitalisierung page in this session, if it belongs to one
    of the ``allowed`` process keys (a user sees only the reports of processes they may)."""
    pending = st.session_state.get(REPORT_SCENARIO)
    if not isinstance(pending, dict) or pending.get("process") not in allowed:
        return None
    return pending


def scenario_label(pending: dict[str, Any]) -> str:
    """The accepted changes in words, e.g. „Antrag anlegen (RPA (Softwareroboter)), Online-Eingang
    80 %“."""
    parts = [f"{activity} ({recommendation_label(kind)})" for activity, kind in pending["changes"]]
    if pending.get("online_share") is not None:
        parts.append(
            t("digitization.scenario_online_part", share=_percent(pending["online_share"]))
        )
    return ", ".join(parts)


def _show(result: dict[str, Any]) -> None:
    before, after = result["before"], result["after"]
    first, second, third = st.columns(3)
    first.metric(t("digitization.col_hours"), number(result["hours_saved_per_year"]))
    second.metric(t("digitization.col_euros"), fmt.currency(result["euros_saved_per_year"]))
    third.metric(t("digitization.col_fte"), number(result["fte_saved"], 2))
    rows = [
        (
            t("digitization.scenario_median"),
            number(before["median_days"], 1),
            number(after["median_days"], 1),
        ),
        (
            t("digitization.scenario_p90"),
            number(before["p90_days"], 1),
            number(after["p90_days"], 1),
        ),
    ]
    if result["deadline_days"]:
        rows.append(
            (
                t("digitization.scenario_deadline", days=result["deadline_days"]),
                _percent(before["deadline_over_share"]),
                _percent(after["deadline_over_share"]),
            )
        )
    columns = [
        t("digitization.scenario_figure"),
        t("digitization.scenario_before"),
        t("digitization.scenario_after"),
    ]
    st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True)
    if not result["deadline_days"]:
        st.caption(t("digitization.scenario_no_deadline"))
    lines = [
        t(
            "digitization.scenario_change_line",
            kind=recommendation_label(c["kind"]),
            step=c["activity"] or t("digitization.scenario_intake"),
            cases=c["cases"],
            eligible=c["eligible_cases"],
            hours=number(c["hours_saved_per_year"], 1),
            formula=c["calculation"]["formula"],
        )
        for c in result["changes"]
    ]
    st.markdown("\n".join(f"- {md(line)}" for line in lines))
    st.markdown(f"**{t('digitization.scenario_assumptions')}**")
    st.dataframe(
        pd.DataFrame(
            {
                t("digitization.col_signal"): [a["label"] for a in result["assumptions"]],
                t("digitization.col_value"): [fmt.text(a["value"]) for a in result["assumptions"]],
                t("digitization.scenario_source"): [a["source"] for a in result["assumptions"]],
            }
        ),
        hide_index=True,
    )
    for note in result["notes"]:
        st.info(note)
