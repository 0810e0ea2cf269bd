"""Analyse page, tab "Varianten": the variants explorer.

Each variant (a sequence of steps shared by its cases) with its cases, share, median and P90
throughput time and its steps drawn as chips (:mod:`app_pages._variants_view`). Clicking a
variant opens it below, where "Fälle anzeigen" and "Als Filter hinzufügen" set the session keys
of :mod:`app_pages._analysis_selection` as ``{"kind": "variant", "numbers": [N]}``. Works on the
cached ``analyze`` result only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from app_pages._analysis_common import (
    as_days,
    as_percent,
    days_column,
    decimal,
    duration,
    integer_column,
    percent,
    percent_column,
    record_table,
    text_column,
    value,
)
from app_pages._analysis_selection import add_filter, show_cases
from app_pages._i18n import t
from app_pages._variants_view import VariantRow, variants_view

__all__ = ["CHOICE_KEY", "show_variants", "variant_rows"]

CHOICE_KEY = "analysis_variant"  # the select box: index into result["variants"]


def _figures(variant: Mapping[str, Any]) -> str:
    return t(
        "analysis.variant_figures",
        cases=decimal(variant["cases"], 0),
        share=percent(variant["share"]),
        median=duration(variant.get("median_duration_s")),
        p90=duration(variant.get("p90_duration_s")),
    )


def variant_rows(variants: list[Mapping[str, Any]]) -> list[VariantRow]:
    return [
        VariantRow(
            number=number,
            title=t("analysis.variant_title", number=number),
            figures=_figures(variant),
            share=float(variant["share"]),
            activities=tuple(str(a) for a in variant["activities"]),
            tooltip=t("analysis.variant_steps", steps=len(variant["activities"])),
        )
        for number, variant in enumerate(variants, start=1)
    ]


def _open(number: int) -> None:
    """A click in the list opens that variant below (runs before the select box is drawn)."""
    st.session_state[CHOICE_KEY] = number - 1


def show_variants(result: dict[str, Any]) -> None:
    variants = result.get("variants", [])
    if not variants:
        st.info(t("analysis.variants_empty"))
        return
    total = result.get("log", {}).get("variants", len(variants))
    st.caption(t("analysis.variants_caption", shown=len(variants), total=total))
    choice = st.session_state.get(CHOICE_KEY)
    if CHOICE_KEY in st.session_state and choice not in range(len(variants)):
        # A variant of another log or selection: Streamlit keeps its label, no longer an option,
        # and shows it until the value is set anew.
        st.session_state[CHOICE_KEY] = 0
    variants_view(
        variant_rows(variants),
        key="analysis_variants_view",
        selected=st.session_state.get(CHOICE_KEY, 0) + 1,
        on_select=_open,
        repeat=t("analysis.variant_repeat"),
    )
    chosen = st.selectbox(
        t("analysis.variant_select"),
        range(len(variants)),
        format_func=lambda i: t(
            "analysis.variant_option",
            number=i + 1,
            share=percent(variants[i]["share"]),
            cases=variants[i]["cases"],
        ),
        key=CHOICE_KEY,
        placeholder=t("common.choose_option"),
    )
    if chosen is not None:
        _variant_detail(chosen + 1, variants[chosen])
    with st.expander(t("analysis.variants_table")):
        record_table(
            [{"number": number, **variant} for number, variant in enumerate(variants, start=1)],
            {
                "number": (value("number"), integer_column(t("analysis.col_variant"))),
                "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
                "share": (as_percent("share"), percent_column(t("analysis.col_share"))),
                "median": (
                    _days("median_duration_s"),
                    days_column(t("analysis.col_median_days")),
                ),
                "p90": (_days("p90_duration_s"), days_column(t("analysis.col_p90_days"))),
                "steps": (lambda v: len(v["activities"]), integer_column(t("analysis.col_steps"))),
                "sequence": (
                    lambda v: " → ".join(v["activities"]),
                    st.column_config.TextColumn(t("analysis.col_sequence"), width="large"),
                ),
            },
        )


def _days(key: str) -> Any:
    read = as_days(key)
    # An analysis from before variants had throughput times: the column stays empty.
    return lambda row: read(row) if key in row else None


def _variant_detail(number: int, variant: Mapping[str, Any]) -> None:
    selection = {"kind": "variant", "numbers": [number]}
    with st.container(border=True, key="analysis_variant_panel"):
        st.markdown(t("analysis.variant_title", number=number))
        st.caption(_figures(variant))
        cases, add = st.columns(2)
        cases.button(
            t("analysis.panel_show_cases"),
            key="analysis_variant_show_cases",
            on_click=_show_cases,
            args=(selection,),
            width="stretch",
        )
        add.button(
            t("analysis.panel_add_filter"),
            key="analysis_variant_add_filter",
            on_click=_add_filter,
            args=(selection,),
            width="stretch",
        )
        notice = st.session_state.pop("analysis_variant_notice", None)
        if notice:
            st.success(t(notice))
        record_table(
            list(enumerate(variant["activities"], start=1)),
            {
                "step": (lambda pair: pair[0], integer_column(t("analysis.col_step"))),
                "activity": (lambda pair: pair[1], text_column(t("analysis.col_activity"))),
            },
        )


def _show_cases(selection: dict) -> None:
    show_cases(selection)
    st.session_state["analysis_variant_notice"] = "analysis.panel_cases_shown"
    # The tab is a fragment; the case list of another tab may have to close, so all reruns.
    st.rerun()


def _add_filter(selection: dict) -> None:
    added = add_filter(selection)
    st.session_state["analysis_variant_notice"] = (
        "analysis.panel_filter_added" if added else "analysis.panel_filter_exists"
    )
    st.rerun()  # a filter changes the analysis: the whole page, not only this tab's fragment
