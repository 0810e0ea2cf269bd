"""Analyse page, tab "Modell und Realität": the registered BPMN with the mined figures on it.

Which element gets which number and colour is decided in :mod:`mining.conformance.overlay` (pure, tested);
this module only turns those figures into texts of the user's language and draws them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._analysis_cases import Choice, Explorer
from app_pages._analysis_common import (
    as_percent,
    decimal,
    duration,
    integer_column,
    percent,
    percent_column,
    plain,
    record_table,
    text_column,
    value,
)
from app_pages._auth import User
from app_pages._bpmn_viewer import Overlay, bpmn_viewer
from app_pages._i18n import t
from app_pages._shared import forget_derived_data
from mining import (
    MEASURES,
    ElementFigure,
    deviation_variants,
    element_figures,
    unmodelled_activities,
)
from mining import unplaced_activities as unplaced
from process_registry import Registry, RegistryError

__all__ = ["confirm_mapping", "model_steps", "show_model"]

_MAPPING_MESSAGE = "analysis_mapping_message"  # the outcome of the last confirmation, shown once


def _badge(figure: ElementFigure) -> str | None:
    if figure.value is None:
        return None
    if figure.measure == "frequency":
        return decimal(figure.value, 0)
    if figure.measure == "wait":
        return duration(figure.value)
    return percent(figure.value)


def _tooltip(figure: ElementFigure) -> str:
    data = figure.figure
    lines = [
        data.label,
        t("analysis.tip_events", events=decimal(data.events, 0), cases=decimal(data.cases, 0)),
        t("analysis.tip_wait", wait=duration(data.mean_wait_s)),
        t("analysis.tip_deviation", share=percent(data.deviation_share)),
    ]
    if data.skipped_cases:
        lines.append(t("analysis.tip_skipped", cases=data.skipped_cases))
    if data.wrong_order_cases:
        lines.append(t("analysis.tip_wrong_order", cases=data.wrong_order_cases))
    return "\n".join(lines)


def _overlays(figures: dict[str, ElementFigure]) -> dict[str, Overlay]:
    return {
        element_id: Overlay(
            label=_badge(figure),
            fill=figure.fill,
            stroke=figure.stroke,
            marker=figure.marker,
            tooltip=_tooltip(figure),
        )
        for element_id, figure in figures.items()
    }


def _quality(conformance: dict[str, Any]) -> None:
    fitness, precision, fitting = st.columns(3)
    fitness.metric(
        t("analysis.fitness"), percent(conformance.get("fitness")), help=t("analysis.fitness_help")
    )
    precision.metric(
        t("analysis.precision"),
        percent(conformance.get("precision")),
        help=t("analysis.precision_help"),
    )
    fitting.metric(t("analysis.fitting_cases"), percent(conformance.get("fitting_cases_share")))
    if conformance.get("partial"):
        st.warning(
            t("analysis.model_partial", share=percent(conformance.get("checked_cases_share")))
        )


def model_steps(conformance: dict[str, Any]) -> list[str]:
    """The model steps a log activity can be mapped to: every label (and event name) the check's
    mapping knows, so a confirmed pair always names a step the comparison accepts."""
    mapping = conformance.get("mapping") or {}
    steps = set((mapping.get("pairs") or {}).values()) | set(mapping.get("unmapped_model") or ())
    return sorted(steps)


def confirm_mapping(
    reg: Registry, user: User, key: str, version: int, activity: str, step: str, steps: list[str]
) -> None:
    """Save ``activity`` → ``step`` beside the confirmed pairs of model version ``version``.
    Only the process management office edits the registry; everyone else gets PermissionError.
    Every cached analysis is dropped: the comparison, the Übersicht and reports rest on the
    mapping (the Analyse page's entry is keyed on it anyway)."""
    if not user.can_edit_registry:
        raise PermissionError(t("common.not_allowed"))
    if step not in steps:
        raise RegistryError(t("analysis.mapping_unknown_step", step=step))
    pairs = reg.activity_mapping(key, version)
    pairs[activity] = step
    reg.save_activity_mapping(key, version, pairs, actor=user.name)
    forget_derived_data()


def _confirm(reg: Registry, user: User, key: str, version: int, steps: list[str]) -> None:
    # A button callback: runs before the page, so the page recomputes with the new pair.
    activity = st.session_state.get("analysis_mapping_activity")
    step = st.session_state.get(f"analysis_mapping_step_{activity}")
    if not activity or not step:
        return
    try:
        confirm_mapping(reg, user, key, version, activity, step, steps)
    except (PermissionError, RegistryError) as err:
        st.session_state[_MAPPING_MESSAGE] = ("error", str(err))
        return
    st.session_state[_MAPPING_MESSAGE] = (
        "success",
        t("analysis.mapping_saved", activity=plain(activity), step=plain(step), version=version),
    )
    st.rerun()  # the tab is a fragment; the new mapping changes the whole analysis


def _mapping_control(
    rows: list[dict[str, Any]], conformance: dict[str, Any], reg: Registry, user: User
) -> None:
    """Confirm an unmodelled activity as a model step, right beside the list."""
    if not user.can_edit_registry:
        st.caption(t("analysis.mapping_office_only"))
        return
    steps = model_steps(conformance)
    if not steps:
        return
    activity = st.selectbox(
        t("analysis.mapping_activity"),
        [row["activity"] for row in rows],
        key="analysis_mapping_activity",
        placeholder=t("common.choose_option"),
    )
    suggestions = next((row["suggestions"] for row in rows if row["activity"] == activity), [])
    suggested = next((s for s in suggestions if s in steps), None)
    st.selectbox(
        t("analysis.mapping_step"),
        steps,
        index=steps.index(suggested) if suggested else None,
        placeholder=t("analysis.mapping_step_placeholder"),
        key=f"analysis_mapping_step_{activity}",
    )
    st.button(
        t("analysis.mapping_confirm"),
        key="analysis_mapping_confirm",
        type="primary",
        on_click=_confirm,
        args=(reg, user, conformance["model"], int(conformance["version"]), steps),
    )


def _side_lists(result: dict[str, Any], document: Any, reg: Registry, user: User) -> None:
    st.markdown(f"**{t('analysis.unmodelled_title')}**")
    message = st.session_state.pop(_MAPPING_MESSAGE, None)
    if message is not None:
        (st.success if message[0] == "success" else st.error)(message[1])
    rows = unmodelled_activities(result)
    if not rows:
        st.caption(t("analysis.unmodelled_none"))
    else:
        record_table(
            rows,
            {
                "activity": (value("activity"), text_column(t("analysis.col_activity"))),
                "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
                "share": (as_percent("share"), percent_column(t("analysis.col_share"))),
                "suggestion": (
                    lambda r: ", ".join(r["suggestions"]),
                    text_column(t("analysis.col_suggestion")),
                ),
            },
        )
        st.caption(t("analysis.unmodelled_caption"))
        _mapping_control(rows, result["conformance"], reg, user)
    outside = unplaced(document, result)
    if outside:
        st.markdown(f"**{t('analysis.unplaced_title')}**")
        for figure in outside:
            st.caption(
                t("analysis.unplaced_item", activity=plain(figure.label), events=figure.events)
            )


def _figure_table(figures: dict[str, ElementFigure]) -> None:
    seen: dict[str, ElementFigure] = {}
    for figure in figures.values():
        seen.setdefault(figure.figure.label, figure)
    rows = sorted(seen.values(), key=lambda f: -(f.figure.events))
    record_table(
        [f.figure for f in rows],
        {
            "activity": (lambda f: f.label, text_column(t("analysis.col_model_activity"))),
            "events": (lambda f: f.events, integer_column(t("analysis.col_events"))),
            "wait": (lambda f: duration(f.mean_wait_s), text_column(t("analysis.col_mean_wait"))),
            "deviation": (
                lambda f: f.deviation_share * 100,
                percent_column(t("analysis.col_deviation_share")),
            ),
        },
    )


def _deviation_choice(conformance: dict[str, Any], row: dict[str, Any]) -> Choice:
    kind = t(f"analysis.kind_{row['kind']}")
    label = t("analysis.cases_deviation", kind=kind, activity=row["activity"])
    # Replay works per variant: a deviation's cases are those of the variants that show it,
    # numbered as the analysed view numbers them (the selection of deviation_cases).
    numbers = deviation_variants(conformance, row["kind"], row["activity"])
    return Choice(label, {"kind": "variant", "numbers": list(numbers)} if numbers else None)


def _deviations(conformance: dict[str, Any], explorer: Explorer) -> None:
    st.subheader(t("analysis.deviations_title"))
    rows = conformance.get("deviations", [])
    if not rows:
        st.success(t("analysis.deviations_none"))
        return
    explorer.table(
        "deviations",
        rows,
        {
            "kind": (
                lambda r: t(f"analysis.kind_{r['kind']}"),
                text_column(t("analysis.col_kind")),
            ),
            "activity": (value("activity"), text_column(t("analysis.col_activity"))),
            "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
            "share": (as_percent("share"), percent_column(t("analysis.col_share"))),
            "examples": (
                lambda r: ", ".join(r.get("example_cases", [])),
                text_column(t("analysis.col_examples")),
            ),
        },
        [_deviation_choice(conformance, row) for row in rows],
        pick_label=t("analysis.cases_pick_deviation"),
    )
    st.caption(t("analysis.deviations_caption"))


def show_model(result: dict[str, Any], reg: Registry, explorer: Explorer, user: User) -> None:
    conformance = result.get("conformance")
    if not conformance:
        st.info(t("analysis.model_missing"))
        return
    key, version = conformance["model"], int(conformance["version"])
    try:
        xml = reg.export_version(key, version)
        document = reg.get_document(key, version)
        name = reg.get_process(key).name
    except RegistryError as err:
        st.error(plain(err))
        return
    st.caption(t("analysis.model_caption", process=plain(name), version=version))
    _quality(conformance)
    measure = st.radio(
        t("analysis.model_measure"),
        MEASURES,
        format_func=lambda m: t(f"analysis.model_measure_{m}"),
        horizontal=True,
        key="analysis_model_measure",
    )
    figures = element_figures(document, result, measure)
    diagram, side = st.columns([3, 1])
    with diagram:
        bpmn_viewer(xml, overlays=_overlays(figures), height=520, key="analysis_bpmn")
        st.caption(t(f"analysis.model_legend_{measure}"))
    with side:
        _side_lists(result, document, reg, user)
    with st.expander(t("analysis.model_figures")):
        _figure_table(figures)
    _deviations(conformance, explorer)
    notes = conformance.get("notes") or []
    if notes:
        with st.expander(t("analysis.model_notes")):
            for note in notes:
                st.caption(plain(note))
