"""Ereignisprotokolle: the logs a user may see, deletion, the reference log of each process, and
the upload wizard.

Process managers see and delete every log and choose which log speaks for a process; a department
sees its own logs (with their import warnings and which one speaks for its process), links
uploads to its own processes only and deletes the logs stored for it (its uploads, the logs of its
processes: the logs it sees), on the same audited path that redacts reports built on them;
leadership cannot open the page.
"""

import pandas as pd
import streamlit as st

from app_pages import _formats as fmt
from app_pages._auth import User, require
from app_pages._i18n import t
from app_pages._logs_import import check_step, privacy_step, show_checks
from app_pages._logs_wizard import (
    RESULT,
    STEP,
    detection_step,
    load_preview,
    mapping_step,
    md,
    read_overrides,
    show_uploader,
    step_names,
)
from app_pages._shared import (
    forget_derived_data,
    log_store,
    registry,
    signed_in_user,
    visible_logs,
    visible_processes,
)
from mining import LogInfo, MiningError
from process_registry import ReferenceLog, RegistryError, local_date_text, local_text

CONFIRM = "logs_confirm_delete"
DELETED = "logs_deleted"
REFERENCE_SAVED = "logs_reference_saved"
_AUTO = ""  # the select's option for "no choice: the default rule" (AppTest cannot pick None)
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".csv.gz")

user = signed_in_user()
require(user, ("process_manager", "department"))

st.title(t("logs.title"))
st.caption(t("logs.caption"))


def _period(info: LogInfo) -> str:
    if info.first_event is None or info.last_event is None:
        return t("common.none")
    return f"{local_date_text(info.first_event)} – {local_date_text(info.last_event)}"


def _warnings(info: LogInfo) -> str:
    return ", ".join(t(f"logs.warn_{c.get('check')}") for c in info.checks)


def _table(logs: list[LogInfo], references: set[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("logs.col_log_id"): [i.log_id for i in logs],
            t("logs.col_process"): [i.process or t("logs.no_process") for i in logs],
            t("logs.col_reference"): [
                t("logs.reference_mark") if i.log_id in references else "" for i in logs
            ],
            t("logs.col_warnings"): [_warnings(i) for i in logs],
            t("logs.col_source"): [i.source_name for i in logs],
            t("logs.col_cases"): [fmt.integer(i.cases) for i in logs],
            t("logs.col_events"): [fmt.integer(i.events) for i in logs],
            t("logs.col_period"): [_period(i) for i in logs],
            t("logs.col_uploaded_at"): [local_text(i.uploaded_at) for i in logs],
            t("logs.col_uploaded_by"): [i.uploaded_by for i in logs],
            t("logs.col_delete_after"): [fmt.date(i.delete_after) for i in logs],
        }
    )


def _delete(user: User, log_id: str) -> None:
    st.session_state.pop(CONFIRM, None)
    # Checked again at the click: the list may have changed since it was drawn.
    if not user.can_delete_logs or log_id not in {i.log_id for i in visible_logs(user)}:
        st.session_state[DELETED] = ("error", t("common.not_allowed"))
        return
    # The audit names the actor; a department's deletion also names the department it acted for.
    reason = (
        t("logs.delete_reason")
        if user.scope == "*"
        else t("logs.delete_reason_department", department=user.scope)
    )
    try:
        log_store().delete(log_id, actor=user.name, reason=reason)
    except (MiningError, RegistryError) as err:
        st.session_state[DELETED] = ("error", str(err))
        return
    forget_derived_data()
    st.session_state[DELETED] = ("success", t("logs.deleted", log_id=log_id))


def _ask(log_id: str) -> None:
    st.session_state[CONFIRM] = log_id


def show_logs(user: User) -> None:
    st.subheader(t("logs.list_header"))
    outcome = st.session_state.pop(DELETED, None)
    if outcome is not None:
        (st.error if outcome[0] == "error" else st.success)(md(outcome[1]))
    try:
        logs = visible_logs(user)
    except (MiningError, RegistryError) as err:
        st.error(md(err))  # messages quote file and column names
        return
    if not logs:
        st.info(t("logs.list_empty"))
        return
    try:
        references = registry().reference_logs()
    except RegistryError as err:
        st.error(md(err))
        return
    speaking = {ref.log_id for ref in references.values() if ref.log_id}
    figure = st.column_config.TextColumn(alignment="right")
    st.dataframe(
        fmt.shown(_table(logs, speaking)),
        hide_index=True,
        width="stretch",
        key="logs_table",
        column_config={t("logs.col_cases"): figure, t("logs.col_events"): figure},
    )
    if user.can_edit_registry:
        show_reference_choice(user, logs, references)
    if not user.can_delete_logs:
        return
    by_id = {i.log_id: i for i in logs}
    pending = st.session_state.get(CONFIRM)
    if pending in by_id:
        info = by_id[pending]
        st.warning(
            t(
                "logs.delete_confirm",
                log_id=pending,
                source=md(info.source_name),
                events=info.events,
            )
        )
        yes, no = st.columns(2)
        yes.button(
            t("logs.delete_yes"),
            type="primary",
            on_click=_delete,
            args=(user, pending),
            key="logs_delete_yes",
        )
        no.button(t("logs.delete_cancel"), on_click=_ask, args=(None,), key="logs_delete_no")
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        t("logs.delete_select"),
        list(by_id),
        format_func=lambda k: f"{k} – {by_id[k].source_name}",
        key="logs_delete_choice",
        placeholder=t("common.choose_option"),
    )
    right.button(t("logs.delete_button"), on_click=_ask, args=(chosen,), key="logs_delete")


def _choose_reference(user: User, key: str, log_id: str, revision: int) -> None:
    # Checked again at the click: the role, and that the log is still one of the process's.
    if not user.can_edit_registry:
        st.session_state[REFERENCE_SAVED] = ("error", t("common.not_allowed"))
        return
    try:
        registry().set_reference_log(
            key, log_id or None, expected_revision=revision, actor=user.name
        )
    except RegistryError as err:  # a conflict names who changed the process meanwhile
        st.session_state[REFERENCE_SAVED] = ("error", str(err))
        return
    forget_derived_data()  # the overview's portfolio rests on the reference logs
    st.session_state[REFERENCE_SAVED] = ("success", t("logs.reference_saved", process=key))


def _reason(reference: ReferenceLog) -> str:
    return t(f"logs.reason_{reference.reason}")


def show_reference_choice(
    user: User, logs: list[LogInfo], references: dict[str, ReferenceLog]
) -> None:
    """The process manager's control: which log speaks for a process on the overview and in the
    report (audited; refused when the process changed since this page was drawn)."""
    st.markdown(f"**{t('logs.reference_header')}**")
    st.caption(t("logs.reference_intro"))
    outcome = st.session_state.pop(REFERENCE_SAVED, None)
    if outcome is not None:
        (st.error if outcome[0] == "error" else st.success)(md(outcome[1]))
    by_process: dict[str, list[LogInfo]] = {}
    for info in logs:
        if info.process is not None:
            by_process.setdefault(info.process, []).append(info)
    names = {p.key: p.name for p in visible_processes(user) if p.key in by_process}
    if not names:
        return
    key = st.selectbox(
        t("logs.reference_process"),
        list(names),
        format_func=lambda k: f"{names[k]} ({k})",
        key="logs_reference_process",
        placeholder=t("common.choose_option"),
    )
    reference = references.get(key)
    if reference is not None and reference.log is not None:
        st.caption(
            t(
                "logs.reference_current",
                log_id=reference.log_id,
                source=md(reference.log.source_name),
                reason=_reason(reference),
            )
        )
    try:
        record = registry().get_process(key)
    except RegistryError as err:
        st.error(md(err))
        return
    own = {info.log_id: info for info in by_process[key]}
    options = [_AUTO, *own]
    current = record.reference_log_id if record.reference_log_id in own else _AUTO

    def label(log_id: str) -> str:
        if log_id == _AUTO:
            return t("logs.reference_auto")
        info = own[log_id]
        warned = _warnings(info)
        return t(
            "logs.reference_option",
            log_id=log_id,
            source=info.source_name,
            cases=info.cases,
            uploaded=local_date_text(info.uploaded_at),
            warnings=f" ⚠ {warned}" if warned else "",
        )

    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        t("logs.reference_select"),
        options,
        index=options.index(current),
        format_func=label,
        # Per process and revision: after a save the select shows the stored choice again.
        key=f"logs_reference_{key}_{record.revision}",
        placeholder=t("common.choose_option"),
    )
    right.button(
        t("logs.reference_save"),
        on_click=_choose_reference,
        args=(user, key, chosen, record.revision),
        disabled=chosen == current,
        key="logs_reference_save",
    )


def show_wizard(user: User) -> None:
    st.subheader(t("logs.wizard_header"))
    result = st.session_state.get(RESULT)
    if result is not None:
        shown = ("log_id", "cases", "events", "activities", "rejected", "date")
        st.success(t("logs.imported", **{k: result[k] for k in shown}))
        show_checks(result.get("checks", []), result.get("overlap"))
        if result.get("suggestion") is not None:
            st.info(
                t(
                    "logs.suggestion",
                    process=md(result["suggestion"].process_name),
                    mapped=result["suggestion"].mapped,
                    activities=result["suggestion"].activities,
                    share=round(result["suggestion"].share * 100),
                )
            )
        for message in result["messages"]:
            st.caption(md(message))
    upload = show_uploader()
    step = st.session_state.get(STEP, 0) if upload is not None else 0
    st.caption(t("logs.step_label", number=step + 1, name=step_names()[step]))
    if upload is None:
        return
    if step in (1, 2):
        try:
            detected, frame = load_preview(upload)
        except MiningError as err:
            st.error(md(err))  # messages quote file and column names
            if upload["name"].lower().endswith(_TEXT_SUFFIXES):
                read_overrides()  # a wrong separator or encoding can be corrected here
            return
        if step == 1:
            detection_step(detected, frame)
        else:
            mapping_step(user, frame)
    elif step == 3:
        check_step(user, upload)
    else:
        privacy_step(user, upload)


show_logs(user)
st.divider()
show_wizard(user)
