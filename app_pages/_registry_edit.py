"""Prozessregister, part 3: what process managers change (new version, status, catalogue data,
restore). Every change is based on the state the user loaded, kept in the session: if someone else
saved in between, the registry refuses (optimistic locking) and the page shows what changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _formats as fmt
from app_pages._auth import User
from app_pages._i18n import t, uploader_note
from app_pages._registry_catalogue import status_label
from app_pages._registry_detail import display_value
from process_registry import (
    CATALOGUE_FIELDS,
    MAX_BPMN_BYTES,
    OZG_SCALES,
    ConflictError,
    ProcessRecord,
    ProcessStatus,
    Registry,
    RegistryError,
    VersionRef,
    local_text,
)

__all__ = ["edit_section", "forget_loaded", "show_flash"]

_TEXT_FIELDS = ("name", "department", "owner", "leika_key", "ozg_service", "legal_basis")
_NUMBER_FIELDS = ("ozg_maturity_level", "annual_case_volume", "legal_deadline_days")
_DATE_FIELDS = ("valid_from", "valid_until", "resubmission_date")
_CLOCK_FIELDS = ("deadline_starts_with", "deadline_ends_with")
_FIRST_DAY, _LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def _loaded(record: ProcessRecord) -> dict[str, Any]:
    """The state this user loaded for ``record`` (kept until they reload or save themselves)."""
    states = st.session_state.setdefault("registry_loaded", {})
    if record.key not in states:
        states[record.key] = {
            "revision": record.revision,
            "head": record.head.number if record.head else 0,
            "values": {name: getattr(record, name) for name in CATALOGUE_FIELDS},
        }
    return states[record.key]


def forget_loaded(key: str) -> None:
    """After this user's own change elsewhere on the page: the next edit starts from it."""
    st.session_state.get("registry_loaded", {}).pop(key, None)


def _done(text: str, where: str, *, warning: bool = False) -> None:
    # Shown after the rerun that brings the page to the new state, next to the form the user
    # submitted (``where``), not at the top of the page where it would be out of sight.
    st.session_state["registry_flash"] = {"where": where, "text": text, "warning": warning}
    st.rerun()


def show_flash(where: str = "top") -> None:
    """The message of the last change, if it belongs here (a plain text belongs at the top)."""
    flash = st.session_state.get("registry_flash")
    if flash is None:
        return
    if isinstance(flash, str):
        flash = {"where": "top", "text": flash, "warning": False}
    if flash["where"] != where:
        return
    st.session_state.pop("registry_flash")
    (st.warning if flash["warning"] else st.success)(flash["text"])


def _same(a: Any, b: Any) -> bool:
    def norm(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return sorted(value)
        return value if value not in ("", None) else None

    return norm(a) == norm(b)


def _show_conflict(reg: Registry, key: str, loaded: dict[str, Any], mine: dict[str, Any]) -> None:
    """What the other person changed, next to what this user tried to save."""
    try:
        current = reg.get_process(key)
    except RegistryError as err:
        st.error(str(err))
        return
    names = [
        n
        for n in CATALOGUE_FIELDS
        if n in mine or not _same(loaded["values"][n], getattr(current, n))
    ]
    st.warning(
        t(
            "registry.conflict_by",
            who=current.updated_by or t("common.none"),
            when=local_text(current.updated_at),
        )
    )
    st.table(
        pd.DataFrame(
            {
                t("registry.col_field"): [t(f"registry.field_{n}") for n in names],
                t("registry.conflict_loaded"): [
                    display_value(n, loaded["values"][n]) for n in names
                ],
                t("registry.conflict_current"): [
                    display_value(n, getattr(current, n)) for n in names
                ],
                t("registry.conflict_mine"): [
                    display_value(n, mine[n]) if n in mine else "" for n in names
                ],
            }
        )
    )


def _save(
    reg: Registry,
    record: ProcessRecord,
    user: User,
    changes: dict[str, Any],
    where: str,
    override: str | None = None,
) -> None:
    loaded = _loaded(record)
    if not changes:
        st.info(t("registry.no_changes"))
        return
    try:
        if "status" in changes:
            reg.set_status(
                record.key,
                changes["status"],
                expected_revision=loaded["revision"],
                actor=user.name,
                override_lint=override,
            )
        else:
            reg.update_process(
                record.key, changes, expected_revision=loaded["revision"], actor=user.name
            )
    except ConflictError as err:
        st.error(str(err))
        _show_conflict(reg, record.key, loaded, changes)
        return
    except RegistryError as err:
        st.error(str(err))
        return
    forget_loaded(record.key)
    _done(t("registry.saved"), where)


def _upload(reg: Registry, record: ProcessRecord, user: User) -> None:
    loaded = _loaded(record)
    with st.form(f"registry_upload_{record.key}"):
        st.markdown(f"**{t('registry.upload_title')}**")
        upload = st.file_uploader(
            t("registry.upload_file"),
            type=["bpmn", "xml"],
            key=f"registry_upload_{record.key}_file",
            # The browser refuses a larger file before sending it; the check below covers the rest.
            max_upload_size=MAX_BPMN_BYTES >> 20,
        )
        uploader_note(["bpmn", "xml"], MAX_BPMN_BYTES >> 20)
        comment = st.text_input(t("registry.comment"), key=f"registry_upload_{record.key}_comment")
        show_flash("upload")  # beside the button the user clicked
        submitted = st.form_submit_button(t("registry.upload_button"), type="primary")
    if not submitted:
        return
    if upload is None:
        st.error(t("registry.upload_missing"))
        return
    if upload.size > MAX_BPMN_BYTES:
        st.error(
            t(
                "registry.upload_too_large",
                name=upload.name,
                size=_mib(upload.size),
                limit=_mib(MAX_BPMN_BYTES),
            )
        )
        return
    try:
        ref = reg.add_version(
            record.key,
            upload.getvalue(),
            author=user.name,
            file_name=upload.name,
            comment=comment.strip() or None,
            base_version=loaded["head"],
        )
    except RegistryError as err:  # BpmnParseError names file, line and column
        st.error(str(err))
        return
    loaded["head"] = ref.version
    _done_version(record, ref, t("registry.uploaded", version=ref.version), "upload")


def _done_version(record: ProcessRecord, ref: VersionRef, text: str, where: str) -> None:
    if ref.status_to is None:
        _done(text, where)
        return
    # The release was withdrawn: the process changed, and the user must read why.
    forget_loaded(record.key)
    findings = "\n".join(f"- {f.rule} ({f.element}): {f.message}" for f in ref.findings)
    withdrawn = t("registry.release_withdrawn", old=status_label(ref.status_from or ""),
                  new=status_label(ref.status_to), count=len(ref.findings))  # fmt: skip
    _done(f"{text} {withdrawn}\n\n{findings}", where, warning=True)


def _mib(size: int) -> str:
    return fmt.number(size / (1 << 20), 1)


def _status(reg: Registry, record: ProcessRecord, user: User) -> None:
    loaded = _loaded(record)
    statuses = [s.value for s in ProcessStatus]
    current = loaded["values"]["status"]
    prefix = f"registry_status_{record.key}_{loaded['revision']}"
    try:
        errors = sum(f.severity == "error" for f in reg.lint_process(record.key))
    except RegistryError:
        errors = 0  # the diagram tab already says why the model cannot be read
    with st.form(prefix):
        st.markdown(f"**{t('registry.status_title')}**")
        if errors:
            st.caption(t("registry.release_needs_reason", count=errors))
        chosen = st.selectbox(
            t("registry.field_status"),
            statuses,
            index=statuses.index(current) if current in statuses else 0,
            format_func=status_label,
            key=f"{prefix}_value",
            placeholder=t("common.choose_option"),
        )
        reason = st.text_input(
            t("registry.override_reason"),
            help=t("registry.override_reason_help"),
            key=f"{prefix}_override",
        )
        show_flash("status")  # beside the button the user clicked
        submitted = st.form_submit_button(t("registry.status_button"))
    if submitted:
        changes = {} if chosen == current else {"status": chosen}
        _save(reg, record, user, changes, "status", reason.strip() or None)


def _metadata(reg: Registry, record: ProcessRecord, user: User) -> None:
    loaded = _loaded(record)
    values = loaded["values"]
    prefix = f"registry_edit_{record.key}_{loaded['revision']}"
    entered: dict[str, Any] = {}
    with st.form(prefix):
        st.markdown(f"**{t('registry.edit_title')}**")
        left, right = st.columns(2)
        for position, name in enumerate(_TEXT_FIELDS):
            column = left if position % 2 == 0 else right
            entered[name] = column.text_input(
                t(f"registry.field_{name}"), value=values[name] or "", key=f"{prefix}_{name}"
            )
        scales = [None, *OZG_SCALES]
        entered["ozg_maturity_scale"] = right.selectbox(
            t("registry.field_ozg_maturity_scale"),
            scales,
            index=scales.index(values["ozg_maturity_scale"]),
            format_func=lambda s: t("common.none") if s is None else f"OZG {s}",
            key=f"{prefix}_ozg_maturity_scale",
            placeholder=t("common.choose_option"),
        )
        for position, name in enumerate(_NUMBER_FIELDS):
            column = left if position % 2 == 0 else right
            entered[name] = column.number_input(
                t(f"registry.field_{name}"),
                value=values[name],
                min_value=0,
                step=1,
                key=f"{prefix}_{name}",
            )
        for column, name in zip((right, left), _CLOCK_FIELDS, strict=True):
            entered[name] = column.text_input(
                t(f"registry.field_{name}"),
                value=values[name] or "",
                help=t(f"registry.{name}_help"),
                key=f"{prefix}_{name}",
            )
        for position, name in enumerate(_DATE_FIELDS):
            column = left if position % 2 == 0 else right
            entered[name] = column.date_input(
                t(f"registry.field_{name}"),
                value=values[name],
                min_value=_FIRST_DAY,
                max_value=_LAST_DAY,
                format="DD.MM.YYYY",
                key=f"{prefix}_{name}",
            )
        tags = st.text_input(
            t("registry.field_tags"),
            value=", ".join(values["tags"] or ()),
            help=t("registry.tags_help"),
            key=f"{prefix}_tags",
        )
        entered["tags"] = [tag.strip() for tag in tags.split(",") if tag.strip()]
        entered["description"] = st.text_area(
            t("registry.field_description"),
            value=values["description"] or "",
            key=f"{prefix}_description",
        )
        show_flash("metadata")  # beside the button the user clicked
        submitted = st.form_submit_button(t("registry.save_button"), type="primary")
    if submitted:
        changes = {n: v for n, v in entered.items() if not _same(v, values[n])}
        _save(reg, record, user, changes, "metadata")


def _restore(reg: Registry, record: ProcessRecord, user: User) -> None:
    loaded = _loaded(record)
    older = [v.number for v in reversed(record.versions) if v.number != loaded["head"]]
    if not older:
        return
    with st.form(f"registry_restore_{record.key}"):
        st.markdown(f"**{t('registry.restore_title')}**")
        number = st.selectbox(
            t("registry.version"),
            older,
            format_func=lambda n: t("registry.version_label", number=n),
            key=f"registry_restore_{record.key}_number",
            placeholder=t("common.choose_option"),
        )
        comment = st.text_input(t("registry.comment"), key=f"registry_restore_{record.key}_comment")
        show_flash("restore")  # beside the button the user clicked
        submitted = st.form_submit_button(t("registry.restore_button"))
    if not submitted:
        return
    head = record.head.number if record.head else 0
    if head != loaded["head"]:
        st.error(t("registry.restore_conflict", head=head, loaded=loaded["head"]))
        return
    try:
        ref = reg.restore_version(
            record.key, number, author=user.name, comment=comment.strip() or None
        )
    except RegistryError as err:
        st.error(str(err))
        return
    loaded["head"] = ref.version
    _done_version(
        record, ref, t("registry.restored", number=number, version=ref.version), "restore"
    )


def edit_section(reg: Registry, record: ProcessRecord, user: User) -> None:
    """The process manager's controls; nothing at all for other roles."""
    if not user.can_edit_registry:
        return
    loaded = _loaded(record)
    head = record.head.number if record.head else 0
    if (loaded["revision"], loaded["head"]) != (record.revision, head):
        st.warning(t("registry.stale", who=record.updated_by or t("common.none")))
        if st.button(t("registry.reload_button"), key=f"registry_reload_{record.key}"):
            forget_loaded(record.key)
            st.rerun()
    _upload(reg, record, user)
    _status(reg, record, user)
    _metadata(reg, record, user)
    _restore(reg, record, user)
