"""Prozessregister, part 5: local processes derived from a FIM Stammprozess (issue 16) — deriving
one, how far it departs from the Stammprozess's current version, and the review a newer
Stammprozess version asks for."""

from __future__ import annotations

import streamlit as st

from app_pages._auth import User
from app_pages._i18n import t
from app_pages._registry_detail import element_names
from app_pages._registry_diff import diff_diagrams, diff_summary, diff_tables
from app_pages._registry_edit import forget_loaded
from process_registry import ProcessRecord, Registry, RegistryError

__all__ = ["NEXT_SELECTION", "derive_section", "show_local"]

# The process to open on the next run (the select box cannot change once it is drawn).
NEXT_SELECTION = "registry_select_next"


def derive_section(reg: Registry, record: ProcessRecord, user: User) -> None:
    """For a Stammprozess: a local process from its current version (process managers only)."""
    if not user.can_edit_registry or record.derived_from or not record.fim_id:
        return
    prefix = f"registry_derive_{record.key}"
    with st.form(prefix):
        st.markdown(f"**{t('registry.derive_title')}**")
        st.caption(t("registry.derive_caption"))
        key = st.text_input(t("registry.derive_key"), key=f"{prefix}_key")
        left, right = st.columns(2)
        name = left.text_input(
            t("registry.field_name"), placeholder=record.name, key=f"{prefix}_name"
        )
        department = right.text_input(
            t("registry.field_department"), placeholder=record.department, key=f"{prefix}_dept"
        )
        submitted = st.form_submit_button(t("registry.derive_button"), type="primary")
    if not submitted:
        return
    if not key.strip():
        st.error(t("registry.derive_key_missing"))
        return
    try:
        ref = reg.derive_process(
            record.key,
            key=key,
            author=user.name,
            name=name.strip() or None,
            department=department.strip() or None,
        )
    except RegistryError as err:
        st.error(str(err))
        return
    st.session_state[NEXT_SELECTION] = ref.key
    st.session_state["registry_flash"] = t("registry.derived", process=ref.key, stamm=record.key)
    st.rerun()


def show_local(reg: Registry, record: ProcessRecord, user: User) -> None:
    """Where a local process stands against its Stammprozess."""
    if not record.derived_from:
        return
    try:
        comparison = reg.stamm_comparison(record.key)
        names = element_names(reg.get_document(comparison.stamm_key), reg.get_document(record.key))
        stamm_xml = reg.export_version(comparison.stamm_key, comparison.stamm_version)
        local_xml = reg.export_version(record.key)
    except RegistryError as err:
        st.error(str(err))
        return
    st.markdown(
        t(
            "registry.local_derived",
            stamm=comparison.stamm_key,
            aligned=comparison.aligned_version,
        )
    )
    if comparison.review_needed:
        st.warning(
            t(
                "registry.local_review_needed",
                stamm=comparison.stamm_key,
                aligned=comparison.aligned_version,
                current=comparison.stamm_version,
            )
        )
        if comparison.stamm_changes is not None:
            st.markdown(diff_summary(comparison.stamm_changes))
            diff_tables(comparison.stamm_changes, names)
        if user.can_edit_registry and st.button(
            t("registry.local_mark_reviewed"), key=f"registry_reviewed_{record.key}"
        ):
            try:
                number = reg.mark_stamm_reviewed(record.key, author=user.name)
            except RegistryError as err:
                st.error(str(err))
                return
            forget_loaded(record.key)
            st.session_state["registry_flash"] = t(
                "registry.local_reviewed", stamm=comparison.stamm_key, version=number
            )
            st.rerun()
    st.markdown(
        f"**{t('registry.local_diff_title', stamm=comparison.stamm_key, version=comparison.stamm_version)}**"
    )
    if comparison.diff.is_empty:
        st.success(t("registry.local_diff_empty"))
        return
    st.caption(t("registry.local_diff_caption"))
    st.markdown(diff_summary(comparison.diff))
    diff_tables(comparison.diff, names)
    diff_diagrams(
        comparison.diff,
        (stamm_xml, t("registry.local_stamm_caption", version=comparison.stamm_version)),
        (local_xml, t("registry.local_local_caption")),
    )
