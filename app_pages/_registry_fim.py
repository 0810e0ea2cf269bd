"""Prozessregister, part 4: FIM Stammprozesse (issue 16) — the XProzess import, what the
Stammprozess says (catalogue class, activity groups with their legal bases), the details the
diagram's side panel shows for an activity group, and the export back to XProzess."""

from __future__ import annotations

import datetime as dt
import re
from importlib.metadata import PackageNotFoundError, version

import pandas as pd
import streamlit as st

from app_pages import _formats as fmt
from app_pages._auth import User
from app_pages._bpmn_viewer import DetailRow, ElementDetails
from app_pages._i18n import t, uploader_note
from app_pages._registry_catalogue import status_label
from process_registry import (
    MAX_XPROZESS_BYTES,
    FimImport,
    LegalBasis,
    ProcessRecord,
    Registry,
    RegistryError,
    Stammprozess,
    TaskGroup,
    clock,
)

__all__ = [
    "has_fim",
    "import_section",
    "panel_details",
    "show_fim_data",
    "xprozess_download",
]

_WEB_LINK = re.compile(r"^https?://", re.IGNORECASE)
# Markdown would read these in a law's name ("§ 5 [alt]") as formatting.
_MARKDOWN = re.compile(r"([\\`*_\[\](){}<>#+\-.!|~$])")


def has_fim(record: ProcessRecord) -> bool:
    """A Stammprozess imported from XProzess, or a local process derived from one."""
    return bool(record.fim_id or record.derived_from)


# -- import --------------------------------------------------------------------------------------


def import_section(reg: Registry, user: User) -> FimImport | None:
    """The XProzess upload for process managers; its result stays in place below the form and
    is returned when something was imported."""
    if not user.can_edit_registry:
        return None
    with st.expander(t("registry.fim_import_title")):
        with st.form("registry_fim_import"):
            upload = st.file_uploader(
                t("registry.fim_import_file"),
                type=["xml"],
                key="registry_fim_import_file",
                max_upload_size=MAX_XPROZESS_BYTES >> 20,
            )
            uploader_note(["xml"], MAX_XPROZESS_BYTES >> 20)
            left, right = st.columns(2)
            key = left.text_input(
                t("registry.fim_import_key"),
                help=t("registry.fim_import_key_help"),
                key="registry_fim_import_key",
            )
            department = right.text_input(
                t("registry.fim_import_department"),
                help=t("registry.fim_import_department_help"),
                key="registry_fim_import_department",
            )
            submitted = st.form_submit_button(t("registry.fim_import_button"), type="primary")
        if not submitted:
            return None
        if upload is None:
            st.error(t("registry.fim_import_missing"))
            return None
        try:
            result = reg.import_fim(
                upload.getvalue(),
                source=upload.name,
                author=user.name,
                key=key.strip() or None,
                department=department.strip() or None,
            )
        except RegistryError as err:  # names the file and what is wrong with it; nothing stored
            st.error(str(err))
            return None
        _show_import(result)
        return result


def _show_import(result: FimImport) -> None:
    if result.unchanged:
        st.info(t("registry.fim_import_unchanged", process=result.key, version=result.version))
    elif result.created:
        st.success(t("registry.fim_import_created", process=result.key))
    else:
        st.success(t("registry.fim_import_new_version", process=result.key, version=result.version))
    st.markdown(
        t(
            "registry.fim_import_facts",
            leika=result.leika,
            fim_version=result.fim_version or t("common.none"),
            status=status_label(result.status) if result.status else t("common.none"),
            groups=result.activity_groups,
        )
    )
    for warning in result.warnings:
        st.warning(warning)


# -- the Stammprozess's data ---------------------------------------------------------------------


def _plain(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _link(basis: LegalBasis) -> str:
    """A legal basis as a Markdown link when it has a web address, else as plain text."""
    if basis.uri and _WEB_LINK.match(basis.uri):
        target = basis.uri.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{_plain(basis.name)}]({target})"
    return _plain(basis.name)


def _day(text: str) -> str:
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return text
    return fmt.date(day)


def _fact_rows(stamm: Stammprozess) -> list[tuple[str, str]]:
    described = stamm.describe()
    lands = ", ".join(
        f"{land['name']} ({land['code']})" if land["name"] else land["code"]
        for land in described["lands"]
    )
    none = t("common.none")
    rows = [
        (t("registry.fim_leika"), stamm.leika),
        (t("registry.fim_name"), stamm.name),
        (t("registry.fim_version"), stamm.version or none),
        (t("registry.fim_status"), described["status_name"] or none),
        (t("registry.fim_lands"), lands or none),
        (t("registry.fim_valid_from"), _day(stamm.valid_from) if stamm.valid_from else none),
        (t("registry.fim_valid_until"), _day(stamm.valid_until) if stamm.valid_until else none),
        (t("registry.fim_keywords"), ", ".join(stamm.keywords) or none),
    ]
    rows += [
        (t("registry.fim_release", path=path), _day(day))
        for path, day in described["release_dates"].items()
    ]
    return rows


def show_fim_data(reg: Registry, record: ProcessRecord) -> None:
    """The Stammprozess data behind the current version and its activity groups."""
    try:
        stamm = reg.fim_record(record.key)
        groups = reg.task_groups(record.key)
    except RegistryError as err:
        st.error(str(err))
        return
    if stamm is None:
        st.info(t("registry.fim_none"))
        return
    rows = _fact_rows(stamm)
    st.table(
        pd.DataFrame(
            {
                t("registry.col_field"): [label for label, _ in rows],
                t("registry.col_value"): [value for _, value in rows],
            }
        )
    )
    if stamm.legal_bases:
        st.markdown(f"**{t('registry.fim_legal_bases')}**")
        st.markdown("\n".join(f"- {_link(basis)}" for basis in stamm.legal_bases))
    st.markdown(f"**{t('registry.fim_groups_title')}** ({len(groups)})")
    if not groups:
        st.caption(t("registry.fim_groups_none"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("registry.fim_col_task"): [g.task_name or g.group.name or "" for g in groups],
                t("registry.fim_col_type"): [_type(g) for g in groups],
                t("registry.fim_col_legal"): [
                    "; ".join(b.name for b in g.group.legal_bases) for g in groups
                ],
                t("registry.fim_col_link"): [_first_link(g) for g in groups],
            }
        ),
        hide_index=True,
        column_config={t("registry.fim_col_link"): st.column_config.LinkColumn()},
        key=f"registry_fim_groups_{record.key}",
    )


def _type(task: TaskGroup) -> str:
    group = task.group
    if group.type_code and group.type_name:
        return f"{group.type_code} – {group.type_name}"
    return group.type_name or group.type_code or t("common.none")


def _first_link(task: TaskGroup) -> str | None:
    return next((b.uri for b in task.group.legal_bases if b.uri and _WEB_LINK.match(b.uri)), None)


# -- the diagram ---------------------------------------------------------------------------------


def panel_details(groups: tuple[TaskGroup, ...]) -> dict[str, ElementDetails]:
    """What the diagram's side panel shows for each activity-group task."""
    details = {}
    for task in groups:
        group = task.group
        rows = [DetailRow(t("registry.fim_panel_type"), _type(task))]
        rows += [
            DetailRow(t("registry.fim_panel_legal"), basis.name, basis.uri)
            for basis in group.legal_bases
        ]
        rows += [DetailRow(path, value) for path, value in group.attributes]
        details[task.element_id] = ElementDetails(
            title=task.task_name or group.name or task.element_id, rows=tuple(rows)
        )
    return details


def _product() -> str:
    try:
        return version("pmo")
    except PackageNotFoundError:
        return "0"


def xprozess_download(reg: Registry, record: ProcessRecord, number: int) -> None:
    """The XProzess download of version ``number``; XProzess names a process only by its LeiKa
    key, so without one the page says so instead."""
    leika = record.leika_key or ""
    if not (len(leika) == 14 and leika.isdigit()):
        st.caption(t("registry.xprozess_no_leika"))
        return
    try:
        content = reg.export_xprozess(
            record.key, number, created=clock.local(clock.now()), product=_product()
        )
    except RegistryError as err:
        st.error(str(err))
        return
    st.download_button(
        t("registry.xprozess_download"),
        data=content,
        file_name=f"{record.key}-v{number}.xprozess.xml",
        mime="application/xml",
        key=f"registry_xprozess_{record.key}_{number}",
    )
