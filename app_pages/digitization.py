"""Digitalisierung: every candidate with its reasons, the benefit/effort matrix, the savings per
kind of recommendation, and the assumptions behind them (editable)."""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import _formats as fmt
from app_pages._assumption_form import assumption_form
from app_pages._i18n import language, t
from app_pages._matrix import FONT_SIZE as MATRIX_FONT_SIZE
from app_pages._matrix import HEIGHT as MATRIX_HEIGHT
from app_pages._matrix import WIDTH as MATRIX_WIDTH
from app_pages._matrix import X_MAX as MATRIX_X_MAX
from app_pages._matrix import layout as matrix_layout
from app_pages._portfolio import (
    activity_text,
    computed_portfolio,
    flags_text,
    md,
    number,
    recommendation_label,
    session_assumptions,
    stop_if_no_processes,
)
from app_pages._scenario import scenario_section
from app_pages._shared import signed_in_user, visible_processes
from mining import score_explanation, shown_signal, write_csv
from process_registry import RegistryError


@st.cache_data(show_spinner=False, max_entries=32)
def _matrix_points(rows: tuple[tuple[str, float, float], ...]) -> list:
    # Placing the labels tries every free spot per dot; the same candidates give the same chart.
    return matrix_layout(list(rows))


user = signed_in_user()
st.title(t("digitization.title"))
st.caption(t("digitization.caption"))

try:
    processes = visible_processes(user)
except RegistryError as err:
    st.error(str(err))
    st.stop()
stop_if_no_processes(user, processes)

assumptions, edited = session_assumptions()
with st.expander(t("digitization.assumptions_heading"), expanded=edited):
    assumption_form(user, assumptions)
assumptions, edited = session_assumptions()  # the form may have changed them
snapshot = computed_portfolio(user, assumptions)
# A slot whether or not the note shows: a note inserted above them would make the browser build
# the table and the charts below anew on the first recompute, instead of updating them.
note = st.empty()
if edited:
    note.info(t("digitization.edited_note"))

candidates = snapshot["candidates"]
if not candidates:
    st.info(t("overview.no_candidates"))
    st.stop()

# Labels are worked out here, not in format_func: that may run outside this page's session.
kind_labels = {c["recommendation"]: recommendation_label(c["recommendation"]) for c in candidates}
kinds = sorted(kind_labels, key=kind_labels.__getitem__)
chosen = st.multiselect(
    t("digitization.filter_kind"),
    kinds,
    format_func=kind_labels.__getitem__,
    key="digitization_kinds",
    placeholder=t("digitization.filter_all"),
)
shown = [c for c in candidates if not chosen or c["recommendation"] in chosen]

# One row per candidate; the same columns go into the table and the CSV file.
COLUMNS = {
    "rank": t("digitization.col_rank"),
    "process": t("digitization.col_process"),
    "step": t("digitization.col_step"),
    "kind": t("digitization.col_recommendation"),
    "score": t("digitization.col_score"),
    "hours": t("digitization.col_hours"),
    "euros": t("digitization.col_euros"),
    "low": t("digitization.flag_low_evidence"),
    "decides": t("digitization.flag_35a"),
}
rows = [
    {
        COLUMNS["rank"]: rank,
        COLUMNS["process"]: c["process_name"] or c["process"],
        COLUMNS["step"]: activity_text(c),
        COLUMNS["kind"]: recommendation_label(c["recommendation"]),
        COLUMNS["score"]: c["score"],
        COLUMNS["hours"]: c["hours_saved_per_year"],
        COLUMNS["euros"]: c["euros_saved_per_year"],
        COLUMNS["low"]: bool(c["low_evidence"]),
        COLUMNS["decides"]: bool(c["decides"]),
    }
    for rank, c in enumerate(shown, start=1)
]
# The CSV keeps numbers; the table shows them as text in the user's notation.
_figure = st.column_config.TextColumn(alignment="right")
st.dataframe(
    pd.DataFrame(rows, columns=list(COLUMNS.values())).assign(
        **{
            COLUMNS["score"]: [fmt.number(c["score"], 1) for c in shown],
            COLUMNS["hours"]: [fmt.number(c["hours_saved_per_year"]) for c in shown],
            COLUMNS["euros"]: [fmt.currency(c["euros_saved_per_year"]) for c in shown],
        }
    ),
    hide_index=True,
    width="stretch",
    # Widths that add up to less than the page's width at 1440 px (about 970 px), so no column is cut at the right edge;
    # a long process or step name ends in "…" and shows whole on hover.
    column_config={
        COLUMNS["rank"]: st.column_config.NumberColumn(width=45, pinned=True),
        COLUMNS["process"]: st.column_config.TextColumn(width=160),
        COLUMNS["step"]: st.column_config.TextColumn(width=190),
        COLUMNS["kind"]: st.column_config.TextColumn(width=150),
        COLUMNS["score"]: st.column_config.TextColumn(width=60, alignment="right"),
        COLUMNS["hours"]: st.column_config.TextColumn(width=85, alignment="right"),
        COLUMNS["euros"]: st.column_config.TextColumn(width=95, alignment="right"),
        COLUMNS["low"]: st.column_config.CheckboxColumn(width=90),
        COLUMNS["decides"]: st.column_config.CheckboxColumn(width=70),
    },
)
st.caption(t("digitization.flags_note"))
general = assumptions["general"]
st.caption(
    score_explanation(
        general["benefit_weight"], general["effort_weight"], general["hours_saturation"], language()
    )
)
extra = {
    "fte": t("digitization.col_fte"),
    "pages": t("digitization.col_pages"),
    "co2": t("digitization.col_co2"),
    "reasons": t("digitization.col_reasons"),
}
csv_rows = [
    row
    | {
        extra["fte"]: c["fte_saved"],
        extra["pages"]: c["pages_avoided_per_year"],
        extra["co2"]: c["co2_kg_avoided_per_year"],
        extra["reasons"]: " | ".join(c["reasons"]),
    }
    for row, c in zip(rows, shown, strict=True)
]
st.download_button(
    t("digitization.download_csv"),
    write_csv(csv_rows, [*COLUMNS.values(), *extra.values()]),
    file_name="digitalisierungskandidaten.csv",
    mime="text/csv",
    key="digitization_csv",
)

st.subheader(t("digitization.detail_heading"))
if shown:
    # A candidate's identity, stable when the filter or the assumptions change the ranking.
    by_id = {f"{c['process']}|{c['activity']}|{c['recommendation']}": c for c in shown}
    labels = {
        ident: f"{rank}. {c['process_name'] or c['process']} – {activity_text(c)} "
        f"({recommendation_label(c['recommendation'])})"
        for rank, (ident, c) in enumerate(by_id.items(), start=1)
    }
    picked = st.selectbox(
        t("digitization.detail_pick"),
        list(labels),
        format_func=labels.__getitem__,
        key="digitization_detail",
        placeholder=t("common.choose_option"),
    )
    c = by_id.get(picked) or shown[0]
    st.markdown(f"**{md(c['process_name'] or c['process'])} – {md(activity_text(c))}**")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("digitization.col_score"), number(c["score"], 1))
    m2.metric(t("digitization.col_hours"), number(c["hours_saved_per_year"]))
    m3.metric(t("digitization.col_euros"), fmt.currency(c["euros_saved_per_year"]))
    m4.metric(t("digitization.effort"), f"{c['effort']} / 5")
    if flags_text(c):
        st.warning(t("digitization.flags_of", flags=flags_text(c)))
    st.markdown(f"**{t('digitization.reasons_heading')}**")
    st.markdown("\n".join(f"- {md(reason)}" for reason in c["reasons"]))
    signals = {
        key: t(f"digitization.signal_{key}")
        for key in (
            "events_per_year",
            "median_processing_min",
            "variation",
            "successor_share",
            "median_gap_min",
            "gap_variation",
            "same_session_share",
            "system_account_share",
            "rpa_evidence",
            "rework_share",
            "rework_days_per_loop",
            "paper_share",
            "ozg_maturity_gap",
            "cases_per_year",
            "bottleneck_wait_days",
            "handovers_per_case",
        )
    }
    st.markdown(f"**{t('digitization.signals_heading')}**")
    # Formatted as the reasons say them, so a reason's number is found in this table.
    st.dataframe(
        pd.DataFrame(
            {
                t("digitization.col_signal"): [signals.get(k, k) for k in c["signals"]],
                t("digitization.col_value"): [shown_signal(k, v) for k, v in c["signals"].items()],
            }
        ),
        hide_index=True,
    )
    calculation = c.get("calculation")
    if calculation:
        st.markdown(f"**{t('digitization.calculation_heading')}**")
        st.code(calculation["formula"], language=None)
        st.dataframe(
            pd.DataFrame(
                {
                    t("digitization.col_input"): list(calculation["inputs"]),
                    t("digitization.col_value"): [
                        fmt.text(v) for v in calculation["inputs"].values()
                    ],
                }
            ),
            hide_index=True,
        )
        st.markdown(t("digitization.calculation_result", hours=number(calculation["result"], 1)))
    used = c.get("assumptions_used") or []
    if used:
        st.markdown(f"**{t('digitization.assumptions_used_heading')}**")
        st.dataframe(
            pd.DataFrame(
                {
                    t("digitization.col_assumption"): [u["label"] for u in used],
                    t("digitization.col_value"): [fmt.text(u["value"]) for u in used],
                    t("digitization.col_source"): [u["source"] for u in used],
                }
            ),
            hide_index=True,
        )

st.subheader(t("digitization.matrix_heading"))
st.caption(t("digitization.matrix_note"))
# Every dot labelled with its rank (as in the table) and step; labels placed so none overlap.
points = _matrix_points(tuple((activity_text(c), c["effort"], c["benefit"]) for c in shown))
matrix = pd.DataFrame(
    {
        "rank": [p.rank for p in points],
        "label": [p.label for p in points],
        "x": [p.x for p in points],
        "label_x": [p.label_x for p in points],
        "label_y": [p.label_y for p in points],
        "process": [c["process_name"] or c["process"] for c in shown],
        "step": [activity_text(c) for c in shown],
        "kind": [recommendation_label(c["recommendation"]) for c in shown],
        "benefit": [c["benefit"] for c in shown],
        "effort": [c["effort"] for c in shown],
        "hours": [c["hours_saved_per_year"] for c in shown],
        "score": [c["score"] for c in shown],
    }
)
base = alt.Chart(matrix).properties(width=MATRIX_WIDTH, height=MATRIX_HEIGHT)
x_scale = alt.Scale(domain=[0, MATRIX_X_MAX], nice=False)
y_scale = alt.Scale(domain=[0, 1], nice=False)
dots = base.mark_circle(opacity=0.7).encode(
    x=alt.X(
        "x:Q",
        title=t("digitization.axis_effort"),
        scale=x_scale,
        axis=alt.Axis(values=[1, 2, 3, 4, 5]),
    ),
    y=alt.Y("benefit:Q", title=t("digitization.axis_benefit"), scale=y_scale),
    size=alt.Size("hours:Q", title=t("digitization.col_hours")),
    color=alt.Color("kind:N", title=t("digitization.col_recommendation")),
    tooltip=[
        alt.Tooltip("rank:Q", title=t("digitization.col_rank")),
        alt.Tooltip("process:N", title=t("digitization.col_process")),
        alt.Tooltip("step:N", title=t("digitization.col_step")),
        alt.Tooltip("kind:N", title=t("digitization.col_recommendation")),
        alt.Tooltip("score:Q", title=t("digitization.col_score")),
        alt.Tooltip("hours:Q", title=t("digitization.col_hours")),
    ],
)
leaders = base.mark_rule(color="#9aa5b1", strokeWidth=0.7).encode(
    x=alt.X("x:Q", scale=x_scale), y=alt.Y("benefit:Q", scale=y_scale), x2="label_x", y2="label_y"
)
texts = base.mark_text(align="left", baseline="middle", fontSize=MATRIX_FONT_SIZE).encode(
    x=alt.X("label_x:Q", scale=x_scale),
    y=alt.Y("label_y:Q", scale=y_scale),
    text="label:N",
    tooltip=[
        alt.Tooltip("process:N", title=t("digitization.col_process")),
        alt.Tooltip("step:N", title=t("digitization.col_step")),
    ],
)
# "pad" keeps the plot at the pixel size the label layout assumed; the legends go below it.
chart = (
    alt.layer(leaders, dots, texts)
    .properties(autosize=alt.AutoSizeParams(type="pad", contains="padding"))
    .configure_legend(orient="bottom", direction="horizontal")
)
st.altair_chart(fmt.chart_locale(chart), key="digitization_matrix", width="content")
st.caption(t("digitization.matrix_labels_note"))

st.subheader(t("digitization.savings_heading"))
per_kind = pd.DataFrame(
    [
        {
            t("digitization.col_recommendation"): recommendation_label(kind),
            t("digitization.col_count"): sum(1 for c in shown if c["recommendation"] == kind),
            t("digitization.col_hours"): round(
                sum(c["hours_saved_per_year"] for c in shown if c["recommendation"] == kind), 1
            ),
            t("digitization.col_fte"): round(
                sum(c["fte_saved"] for c in shown if c["recommendation"] == kind), 2
            ),
            t("digitization.col_euros"): sum(
                c["euros_saved_per_year"] for c in shown if c["recommendation"] == kind
            ),
        }
        for kind in kinds
        if not chosen or kind in chosen
    ]
)
st.dataframe(
    per_kind.assign(
        **{
            t("digitization.col_count"): per_kind[t("digitization.col_count")].map(fmt.integer),
            t("digitization.col_hours"): per_kind[t("digitization.col_hours")].map(fmt.number),
            t("digitization.col_fte"): per_kind[t("digitization.col_fte")].map(
                lambda fte: fmt.number(fte, 2)
            ),
            t("digitization.col_euros"): per_kind[t("digitization.col_euros")].map(fmt.currency),
        }
    ),
    hide_index=True,
    column_config={
        t(f"digitization.col_{name}"): _figure for name in ("count", "hours", "fte", "euros")
    },
)
bars = (
    alt.Chart(per_kind.rename(columns={t("digitization.col_recommendation"): "kind"}))
    .mark_bar()
    .encode(
        x=alt.X("kind:N", title=t("digitization.col_recommendation")),
        y=alt.Y(f"{t('digitization.col_hours')}:Q", title=t("digitization.col_hours")),
    )
)
st.altair_chart(fmt.chart_locale(bars), width="stretch", key="digitization_savings")

scenario_section(snapshot, assumptions)
