"""Prozessregister, part 2b: what changed between two versions of a model, as tables and as two
diagrams side by side (removed elements red in the older, new ones green and changed ones yellow in
the newer)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from app_pages._bpmn_viewer import Overlay, bpmn_viewer
from app_pages._i18n import t
from app_pages._registry_detail import element_names
from process_registry import BpmnDiff, FlowRef, ProcessRecord, Registry, RegistryError

__all__ = ["diff_diagrams", "diff_summary", "diff_tables", "show_diff"]

_ADDED = "#c8e6c9"
_CHANGED = "#fff3b0"
_REMOVED = "#f4a6a6"
_NEW_FLOW = "#2e7d32"


def _table(title: str, rows: Sequence[object], columns: dict[str, list[object]]) -> None:
    if rows:
        st.markdown(f"**{title}** ({len(rows)})")
        st.table(pd.DataFrame(columns))


def _label(value: str | None) -> str:
    return value or t("common.none")


def _flows(title: str, flows: Sequence[FlowRef], names: dict[str, str]) -> None:
    _table(
        title,
        flows,
        {
            t("registry.col_from"): [names.get(f.source, f.source) for f in flows],
            t("registry.col_to"): [names.get(f.target, f.target) for f in flows],
            t("registry.col_condition"): [_label(f.name or f.condition) for f in flows],
        },
    )


def diff_tables(diff: BpmnDiff, names: dict[str, str]) -> None:
    """One table per kind of change (added, removed, renamed, retyped elements; flows)."""
    for title, refs in (
        (t("registry.diff_added"), diff.added),
        (t("registry.diff_removed"), diff.removed),
    ):
        _table(
            title,
            refs,
            {
                t("registry.col_element"): [_label(r.name) for r in refs],
                t("registry.col_kind"): [r.kind for r in refs],
                "ID": [r.id for r in refs],
            },
        )
    _table(
        t("registry.diff_relabelled"),
        diff.relabelled,
        {
            t("registry.col_old_name"): [_label(r.old_name) for r in diff.relabelled],
            t("registry.col_new_name"): [_label(r.new_name) for r in diff.relabelled],
            "ID": [r.id for r in diff.relabelled],
        },
    )
    _table(
        t("registry.diff_retyped"),
        diff.retyped,
        {
            t("registry.col_element"): [r.name or r.id for r in diff.retyped],
            t("registry.col_old_kind"): [r.old_kind for r in diff.retyped],
            t("registry.col_new_kind"): [r.new_kind for r in diff.retyped],
        },
    )
    _flows(t("registry.diff_flows_added"), diff.flows_added, names)
    _flows(t("registry.diff_flows_removed"), diff.flows_removed, names)
    _flows(t("registry.diff_flows_changed"), [c.new for c in diff.flows_changed], names)


def diff_summary(diff: BpmnDiff) -> str:
    return t(
        "registry.diff_summary",
        added=len(diff.added),
        removed=len(diff.removed),
        changed=len(diff.relabelled) + len(diff.retyped),
        flows=len(diff.flows_added) + len(diff.flows_removed) + len(diff.flows_changed),
    )


def _overlays(diff: BpmnDiff) -> tuple[dict[str, Overlay], dict[str, Overlay]]:
    """(on the older version, on the newer version)."""
    removed = Overlay(fill=_REMOVED, tooltip=t("registry.diff_removed"))
    changed = Overlay(fill=_CHANGED, tooltip=t("registry.diff_changed"))
    added = Overlay(fill=_ADDED, tooltip=t("registry.diff_added"))
    old = {r.id: removed for r in diff.removed}
    new = {r.id: changed for r in (*diff.relabelled, *diff.retyped)}
    new |= {r.id: added for r in diff.added}
    new |= {f.id: Overlay(stroke=_NEW_FLOW) for f in diff.flows_added}
    return old, new


def show_diff(reg: Registry, record: ProcessRecord) -> None:
    numbers = [v.number for v in record.versions]
    if len(numbers) < 2:
        st.info(t("registry.diff_single"))
        return
    left, right = st.columns(2)
    old = left.selectbox(
        t("registry.diff_old"),
        numbers,
        index=len(numbers) - 2,
        key=f"registry_diff_old_{record.key}",
        placeholder=t("common.choose_option"),
    )
    new = right.selectbox(
        t("registry.diff_new"),
        numbers,
        index=len(numbers) - 1,
        key=f"registry_diff_new_{record.key}",
        placeholder=t("common.choose_option"),
    )
    if old == new:
        st.info(t("registry.diff_same_version"))
        return
    try:
        diff = reg.diff_versions(record.key, old, new)
        old_xml, new_xml = reg.export_version(record.key, old), reg.export_version(record.key, new)
        names = element_names(reg.get_document(record.key, old), reg.get_document(record.key, new))
    except RegistryError as err:
        st.error(str(err))
        return
    if diff.is_empty:
        st.success(t("registry.diff_empty", old=old, new=new))
        return
    st.markdown(diff_summary(diff))
    diff_tables(diff, names)
    diff_diagrams(
        diff,
        (old_xml, t("registry.diff_old_caption", number=old)),
        (new_xml, t("registry.diff_new_caption", number=new)),
    )


def diff_diagrams(diff: BpmnDiff, old: tuple[bytes, str], new: tuple[bytes, str]) -> None:
    """The older and the newer model side by side, each (xml, caption), the changes coloured."""
    on_old, on_new = _overlays(diff)
    left, right = st.columns(2)
    with left:
        st.caption(old[1])
        bpmn_viewer(old[0], overlays=on_old, height=380)
    with right:
        st.caption(new[1])
        bpmn_viewer(new[0], overlays=on_new, height=380)
