"""Prozessregister: the catalogue of the city's services, and one process in detail.

Everyone inside the city may read the registry (it describes services, not people or cases);
only process managers change it.
"""

import streamlit as st

from app_pages._i18n import t
from app_pages._registry_catalogue import catalogue_frame, filtered, status_label
from app_pages._registry_detail import (
    show_catalogue_data,
    show_diagram,
    show_history,
    show_lint,
    show_versions,
)
from app_pages._registry_diff import show_diff
from app_pages._registry_edit import edit_section, forget_loaded, show_flash
from app_pages._registry_fim import has_fim, import_section, show_fim_data
from app_pages._registry_local import NEXT_SELECTION, derive_section, show_local
from app_pages._shared import registry, signed_in_user
from process_registry import ProcessStatus, RegistryError

user = signed_in_user()

st.title(t("registry.title"))
st.caption(t("registry.caption"))
if not user.can_edit_registry:
    st.caption(t("registry.read_only"))

try:
    reg = registry()
    # Before the list, so an imported Stammprozess is in it at once (and an empty registry can
    # start with one).
    imported = import_section(reg, user)
    if imported is not None:
        forget_loaded(imported.key)  # the user's own change: no "changed since loaded" warning
    processes = reg.list_processes()
except RegistryError as err:
    st.error(str(err))
    st.stop()

if not processes:
    st.info(t("common.empty_registry"))
    st.stop()

shown = filtered(processes, user)

m1, m2, m3 = st.columns(3)
m1.metric(
    t("registry.metric_processes"),
    t("registry.metric_shown", shown=len(shown), total=len(processes)),
)
m2.metric(t("registry.metric_departments"), len({p.department for p in processes}))
m3.metric(
    t("registry.metric_released"),
    sum(p.status == ProcessStatus.FACHLICH_FREIGEGEBEN.value for p in processes),
)

st.dataframe(catalogue_frame(shown), hide_index=True, width="stretch", key="registry_catalogue")
if not shown:
    st.info(t("registry.no_match"))
    st.stop()

names = {p.key: p.name for p in shown}
wanted = st.session_state.pop(NEXT_SELECTION, None)
if wanted in names:
    st.session_state["registry_selected"] = wanted
key = st.selectbox(
    t("registry.select"),
    list(names),
    key="registry_selected",
    format_func=lambda k: f"{names[k]} ({k})",
    placeholder=t("common.choose_option"),
)
try:
    record = reg.get_process(key)
except RegistryError as err:
    st.error(str(err))
    st.stop()

st.subheader(record.name)
st.caption(
    t(
        "registry.detail_caption",
        department=record.department,
        status=status_label(record.status),
        versions=len(record.versions),
    )
)
show_flash()
if any(p.key == key and p.review_needed for p in shown):
    st.warning(t("registry.review_banner", stamm=record.derived_from))

fim = has_fim(record)
tab_names = [
    t("registry.tab_diagram"),
    t("registry.tab_data"),
    *([t("registry.tab_fim")] if fim else []),
    t("registry.tab_versions"),
    t("registry.tab_lint"),
    t("registry.tab_history"),
]
if user.can_edit_registry:
    tab_names.append(t("registry.tab_edit"))
# Keyed and stateful: a save reruns the page, and the user stays on the tab they worked in.
tabs = iter(st.tabs(tab_names, key="registry_tab", on_change="rerun"))
with next(tabs):
    show_diagram(reg, record)
with next(tabs):
    show_catalogue_data(record)
if fim:
    with next(tabs):
        show_local(reg, record, user)
        show_fim_data(reg, record)
        derive_section(reg, record, user)
with next(tabs):
    show_versions(record)
    st.markdown(f"**{t('registry.diff_title')}**")
    show_diff(reg, record)
with next(tabs):
    show_lint(reg, record)
with next(tabs):
    show_history(reg, record)
if user.can_edit_registry:
    with next(tabs):
        edit_section(reg, record, user)
