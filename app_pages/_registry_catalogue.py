"""Prozessregister, part 1: the catalogue table with search and filters."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._auth import User
from app_pages._i18n import t
from process_registry import ProcessStatus, ProcessSummary

__all__ = ["catalogue_frame", "filtered", "status_label"]

_NO_LEVEL = "–"


def status_label(value: str) -> str:
    """A FIM status in the user's language (the stored value stays German)."""
    try:
        return t(f"registry.status_{ProcessStatus(value).name.lower()}")
    except ValueError:
        return value


def _ozg(summary: ProcessSummary) -> str:
    if summary.ozg_maturity_level is None:
        return _NO_LEVEL
    return f"{summary.ozg_maturity_level} (OZG {summary.ozg_maturity_scale})"


def _stamm(summary: ProcessSummary) -> str:
    """For a local process: its Stammprozess, flagged when a newer version awaits review."""
    if not summary.derived_from:
        return ""
    if summary.review_needed:
        return t("registry.stamm_review_badge", stamm=summary.derived_from)
    return summary.derived_from


def catalogue_frame(processes: list[ProcessSummary]) -> pd.DataFrame:
    """One row per process; column names are the translated headers the user sees."""
    return pd.DataFrame(
        {
            t("registry.col_key"): [p.key for p in processes],
            t("registry.col_name"): [p.name for p in processes],
            t("registry.col_department"): [p.department for p in processes],
            t("registry.col_status"): [status_label(p.status) for p in processes],
            # Beside the status, so a review flag is seen without scrolling the table sideways.
            t("registry.col_stamm"): [_stamm(p) for p in processes],
            t("registry.col_ozg"): [_ozg(p) for p in processes],
            t("registry.col_leika"): [p.leika_key or _NO_LEVEL for p in processes],
            t("registry.col_versions"): [p.versions for p in processes],
            t("registry.col_tags"): [", ".join(p.tags) for p in processes],
        }
    )


def filtered(processes: list[ProcessSummary], user: User) -> list[ProcessSummary]:
    """The filter widgets, and the processes that pass them (in catalogue order)."""
    departments = sorted({p.department for p in processes})
    statuses = [s.value for s in ProcessStatus if any(p.status == s.value for p in processes)]
    levels = sorted({_ozg(p) for p in processes})
    tags = sorted({tag for p in processes for tag in p.tags}, key=str.casefold)
    # A department starts with its own services selected; the whole registry is one click away.
    own = [user.scope] if user.scope in departments else []

    search = st.text_input(
        t("registry.search"), key="registry_search", placeholder=t("registry.search_placeholder")
    )
    first, second, third, fourth = st.columns(4)
    chosen_departments = first.multiselect(
        t("registry.col_department"),
        departments,
        default=own,
        key="registry_departments",
        placeholder=t("common.all_departments"),
    )
    chosen_statuses = second.multiselect(
        t("registry.col_status"),
        statuses,
        key="registry_status",
        format_func=status_label,
        placeholder=t("registry.all"),
    )
    chosen_levels = third.multiselect(
        t("registry.col_ozg"), levels, key="registry_ozg", placeholder=t("registry.all")
    )
    chosen_tags = fourth.multiselect(
        t("registry.col_tags"), tags, key="registry_tags", placeholder=t("registry.all")
    )

    needle = search.strip().casefold()
    shown = []
    for p in processes:
        if chosen_departments and p.department not in chosen_departments:
            continue
        if chosen_statuses and p.status not in chosen_statuses:
            continue
        if chosen_levels and _ozg(p) not in chosen_levels:
            continue
        if chosen_tags and not set(chosen_tags) & set(p.tags):
            continue
        haystack = " ".join((p.key, p.name, p.department, p.leika_key or "", *p.tags))
        if needle and needle not in haystack.casefold():
            continue
        shown.append(p)
    return shown
