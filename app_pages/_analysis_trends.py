"""Analyse page, tab "Entwicklung": how the cases of the selection develop per month or week.

The figures are the analysis's ``trends`` and ``trends_weekly`` (:func:`mining.case_trends`):
counted per Berlin calendar period, a case starting with its first and completing with its last
event. Charts are drawn with Vega-Lite in the user's number and date format.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from app_pages._analysis_common import (
    as_days,
    as_percent,
    days_column,
    integer_column,
    percent_column,
    plain,
    record_table,
    text_column,
    value,
)
from app_pages._formats import vega_locale
from app_pages._i18n import t

__all__ = ["show_trends", "vega_locale"]

_COLOURS = ["#2f6db5", "#2e8b57", "#c0392b"]


def _start(period: str) -> dt.date:
    """The first day of a period label: ``2024-03`` → 1 March, ``2024-W13`` → its Monday."""
    if "-W" in period:
        year, week = period.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    return dt.date(int(period[:4]), int(period[5:7]), 1)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["start"] = pd.to_datetime([_start(p) for p in frame["period"]])
    frame["median_days"] = frame["median_duration_s"] / 86400
    frame["p90_days"] = frame["p90_duration_s"] / 86400
    return frame


def _configured(chart: alt.Chart | alt.LayerChart) -> alt.Chart | alt.LayerChart:
    locale = vega_locale()
    return chart.configure(locale=locale) if locale else chart


def _x(weekly: bool, starts: pd.Series) -> alt.X:
    # A tick on the first day of a period (a month reads "Mär 2024", a week its Monday), about a
    # dozen on a long log; Vega's own week ticks would fall on Sundays.
    step = max(1, math.ceil(len(starts) / 12))
    ticks = [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in starts.iloc[::step]]
    return alt.X(
        "start:T",
        title=t("analysis.trends_week" if weekly else "analysis.trends_month"),
        axis=alt.Axis(
            values=ticks,
            format="%d.%m.%Y" if weekly else "%b %Y",
            labelOverlap=True,
            labelFlush=True,
        ),
    )


def _lines(
    frame: pd.DataFrame,
    measures: dict[str, str],
    *,
    weekly: bool,
    y_title: str,
    y_format: str,
    key: str,
) -> None:
    """One line per column of ``measures`` (column → legend label) over the periods."""
    long = frame.melt(
        id_vars=["period", "start"],
        value_vars=list(measures),
        var_name="measure",
        value_name="value",
    )
    long["measure"] = long["measure"].map(measures)
    labels = list(measures.values())
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=_x(weekly, frame["start"]),
            y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format)),
            color=alt.Color(
                "measure:N",
                title=None,
                sort=labels,
                scale=alt.Scale(domain=labels, range=_COLOURS[: len(labels)]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("period:N", title=t("analysis.col_period")),
                alt.Tooltip("measure:N", title=t("analysis.trends_measure")),
                alt.Tooltip("value:Q", title=y_title, format=y_format),
            ],
        )
    )
    st.altair_chart(_configured(chart), width="stretch", key=key)


def _share_chart(frame: pd.DataFrame, column: str, *, weekly: bool, title: str, key: str) -> None:
    # A line, as the report draws it: a period without the cases the share is of breaks it.
    chart = (
        alt.Chart(frame[["period", "start", column]])
        .mark_line(point=True, color="#c0392b" if column == "deadline_over_share" else "#7a8593")
        .encode(
            x=_x(weekly, frame["start"]),
            y=alt.Y(
                f"{column}:Q",
                title=title,
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("period:N", title=t("analysis.col_period")),
                alt.Tooltip(f"{column}:Q", title=title, format=".1%"),
            ],
        )
    )
    st.altair_chart(_configured(chart), width="stretch", key=key)


def _table(rows: list[dict[str, Any]], *, deadline: bool, paper: bool) -> None:
    columns = {
        "period": (value("period"), text_column(t("analysis.col_period"))),
        "started": (value("started"), integer_column(t("analysis.trends_started"))),
        "completed": (value("completed"), integer_column(t("analysis.trends_completed"))),
        "in_progress": (value("in_progress"), integer_column(t("analysis.trends_in_progress"))),
        "median": (as_days("median_duration_s"), days_column(t("analysis.col_trend_median_days"))),
        "p90": (as_days("p90_duration_s"), days_column(t("analysis.col_trend_p90_days"))),
    }
    if deadline:
        columns["deadline"] = (
            _percent_or_none("deadline_over_share"),
            percent_column(t("analysis.col_deadline_over")),
        )
    if paper:
        columns["paper"] = (
            _percent_or_none("paper_share"),
            percent_column(t("analysis.col_paper_share")),
        )
    record_table(rows, columns)


def _percent_or_none(key: str) -> Any:
    # A period without the cases a share is of shows an empty cell, not 0 %.
    share = as_percent(key)
    return lambda row: None if row[key] is None else share(row)


def show_trends(result: dict[str, Any]) -> None:
    monthly, weekly_rows = result.get("trends") or [], result.get("trends_weekly") or []
    if not monthly:
        st.info(t("analysis.trends_empty"))
        return
    choice = st.radio(
        t("analysis.trends_period"),
        ["month", "week"],
        format_func=lambda unit: t(f"analysis.trends_{unit}"),
        horizontal=True,
        key="analysis_trend_period",
    )
    weekly = choice == "week" and bool(weekly_rows)
    rows = weekly_rows if weekly else monthly
    frame = _frame(rows)
    st.caption(t("analysis.trends_caption"))

    st.subheader(t("analysis.trends_cases_title"))
    _lines(
        frame,
        {
            "started": t("analysis.trends_started"),
            "completed": t("analysis.trends_completed"),
            "in_progress": t("analysis.trends_in_progress"),
        },
        weekly=weekly,
        y_title=t("analysis.trends_cases"),
        y_format=",d",
        key="analysis_trend_cases",
    )

    st.subheader(t("analysis.trends_duration_title"))
    _lines(
        frame,
        {"median_days": t("analysis.trends_median"), "p90_days": t("analysis.trends_p90")},
        weekly=weekly,
        y_title=t("analysis.trends_days"),
        y_format=",.1f",
        key="analysis_trend_duration",
    )
    st.caption(t("analysis.trends_duration_caption"))

    deadline = result.get("deadline")
    has_deadline = deadline is not None and frame["deadline_over_share"].notna().any()
    if has_deadline:
        assert deadline is not None
        st.subheader(t("analysis.trends_deadline_title", days=deadline["deadline_days"]))
        _share_chart(
            frame,
            "deadline_over_share",
            weekly=weekly,
            title=t("analysis.col_deadline_over"),
            key="analysis_trend_deadline",
        )
        st.caption(t("analysis.trends_deadline_caption"))
    channels = result.get("channels")
    has_paper = channels is not None and frame["paper_share"].notna().any()
    if has_paper:
        assert channels is not None
        st.subheader(t("analysis.trends_paper_title"))
        _share_chart(
            frame,
            "paper_share",
            weekly=weekly,
            title=t("analysis.col_paper_share"),
            key="analysis_trend_paper",
        )
        st.caption(t("analysis.trends_paper_caption", column=plain(channels["column"])))

    with st.expander(t("analysis.trends_table")):
        _table(rows, deadline=has_deadline, paper=has_paper)
