"""Prozessregister, part 2: what everyone may read about one process (diagram, data, versions,
differences between versions, model check, history)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from app_pages._bpmn_viewer import Overlay, bpmn_viewer
from app_pages._formats import integer
from app_pages._i18n import language, t
from app_pages._registry_catalogue import status_label
from app_pages._registry_fim import panel_details, xprozess_download
from process_registry import (
    CATALOGUE_FIELDS,
    BpmnDocument,
    LintFinding,
    ProcessRecord,
    Registry,
    RegistryError,
    audit_sentence,
    local_text,
)

__all__ = [
    "display_value",
    "element_names",
    "show_catalogue_data",
    "show_diagram",
    "show_history",
    "show_lint",
    "show_versions",
]

_FINDING_STROKE = {"error": "#b3261e", "warning": "#e08a00"}


def display_value(name: str, value: object) -> str:
    if value is None or value == () or value == []:
        return t("common.none")
    if name == "status":
        return status_label(str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _severity(value: str) -> str:
    return t(f"registry.severity_{value}")


def _lint_overlays(findings: Iterable[LintFinding]) -> dict[str, Overlay]:
    by_element: dict[str, list[LintFinding]] = {}
    for finding in findings:
        by_element.setdefault(finding.element, []).append(finding)
    overlays = {}
    for element, items in by_element.items():
        worst = "error" if any(f.severity == "error" for f in items) else "warning"
        overlays[element] = Overlay(
            label=t("registry.lint_badge", count=len(items)),
            stroke=_FINDING_STROKE[worst],
            tooltip="\n".join(f.message for f in items),
        )
    return overlays


def show_diagram(reg: Registry, record: ProcessRecord) -> None:
    numbers = [v.number for v in record.versions]
    number = st.selectbox(
        t("registry.version"),
        list(reversed(numbers)),
        # Keyed by the head, so a new version (saved here or by someone else) is shown at once.
        key=f"registry_diagram_version_{record.key}_{numbers[-1] if numbers else 0}",
        format_func=lambda n: t("registry.version_label", number=n),
        placeholder=t("common.choose_option"),
    )
    try:
        xml = reg.export_version(record.key, number)
        findings = reg.lint_process(record.key, number)
        groups = reg.task_groups(record.key, number)
    except RegistryError as err:
        st.error(str(err))
        return
    st.caption(t("registry.diagram_hint"))
    if groups:
        st.caption(t("registry.fim_panel_hint"))
    bpmn_viewer(
        xml,
        overlays=_lint_overlays(findings),
        details=panel_details(groups),
        height=520,
        key=f"registry_{record.key}",
    )
    left, right = st.columns(2)
    left.download_button(
        t("registry.download", number=number),
        data=xml,
        file_name=f"{record.key}-v{number}.bpmn",
        mime="application/xml",
        key=f"registry_download_{record.key}_{number}",
    )
    with right:
        xprozess_download(reg, record, number)


def show_catalogue_data(record: ProcessRecord) -> None:
    rows = [(t(f"registry.field_{name}"), getattr(record, name)) for name in CATALOGUE_FIELDS]
    rows.append((t("registry.updated"), local_text(record.updated_at)))
    st.table(
        pd.DataFrame(
            {
                t("registry.col_field"): [label for label, _ in rows],
                t("registry.col_value"): [
                    display_value(name, value)
                    for name, (_, value) in zip([*CATALOGUE_FIELDS, "updated"], rows, strict=True)
                ],
            }
        )
    )


def show_versions(record: ProcessRecord) -> None:
    versions = list(reversed(record.versions))
    st.dataframe(
        pd.DataFrame(
            {
                t("registry.col_version"): [v.number for v in versions],
                t("registry.col_created"): [local_text(v.created_at) for v in versions],
                t("registry.col_author"): [v.author for v in versions],
                t("registry.col_comment"): [v.comment or "" for v in versions],
                t("registry.col_restored_from"): [integer(v.restored_from) for v in versions],
                t("registry.col_file"): [v.file_name or "" for v in versions],
                "SHA-256": [v.sha256[:16] for v in versions],
            }
        ),
        hide_index=True,
        key=f"registry_versions_{record.key}",
    )


def element_names(*documents: BpmnDocument) -> dict[str, str]:
    """Element id → its label (later documents win), for tables that would otherwise show ids."""
    return {node.id: node.name or node.id for document in documents for node in document.nodes}


def show_lint(reg: Registry, record: ProcessRecord) -> None:
    try:
        findings = reg.lint_process(record.key)
        names = element_names(reg.get_document(record.key))
    except RegistryError as err:
        st.error(str(err))
        return
    if not findings:
        st.success(t("registry.lint_clean"))
        return
    errors = sum(f.severity == "error" for f in findings)
    st.markdown(t("registry.lint_summary", count=len(findings), errors=errors))
    st.dataframe(
        pd.DataFrame(
            {
                t("registry.col_severity"): [_severity(f.severity) for f in findings],
                t("registry.col_rule"): [f.rule for f in findings],
                t("registry.col_element"): [names.get(f.element, f.element) for f in findings],
                t("registry.col_message"): [f.message for f in findings],
            }
        ),
        hide_index=True,
        key=f"registry_lint_{record.key}",
    )


def show_history(reg: Registry, record: ProcessRecord) -> None:
    try:
        trail = reg.audit_trail(record.key, limit=100)
    except RegistryError as err:
        st.error(str(err))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("registry.col_when"): [local_text(a.at) for a in trail],
                t("registry.col_entry"): [audit_sentence(a, language()) for a in trail],
            }
        ),
        hide_index=True,
        key=f"registry_history_{record.key}",
    )
