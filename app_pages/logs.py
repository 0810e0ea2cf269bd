"""Ereignisprotokolle: the logs a user may see, deletion, and the upload wizard.

Process managers see and delete every log; a department sees its own logs and links uploads to
its own processes only; leadership cannot open the page.
"""

import pandas as pd
import streamlit as st

from app_pages._auth import User, require
from app_pages._i18n import t
from app_pages._logs_import import check_step, privacy_step
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
from app_pages._shared import forget_derived_data, log_store, signed_in_user, visible_logs
from mining import LogInfo, MiningError
from process_registry import RegistryError, local_date_text, local_text

CONFIRM = "logs_confirm_delete"
DELETED = "logs_deleted"
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".csv.gz")

user = signed_in_user()
require(user, ("process_manager", "department"))

st.title(t("logs.title"))
st.caption(t("logs.caption"))


def _period(info: LogInfo) -> str:
    if info.first_event is None or info.last_event is None:
        return t("common.none")
    return f"{local_date_text(info.first_event)} – {local_date_text(info.last_event)}"


def _table(logs: list[LogInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("logs.col_log_id"): [i.log_id for i in logs],
            t("logs.col_process"): [i.process or t("logs.no_process") for i in logs],
            t("logs.col_source"): [i.source_name for i in logs],
            t("logs.col_cases"): [i.cases for i in logs],
            t("logs.col_events"): [i.events for i in logs],
            t("logs.col_period"): [_period(i) for i in logs],
            t("logs.col_uploaded_at"): [local_text(i.uploaded_at) for i in logs],
            t("logs.col_uploaded_by"): [i.uploaded_by for i in logs],
            t("logs.col_delete_after"): [f"{i.delete_after:%d.%m.%Y}" for i in logs],
        }
    )


def _delete(user: User, log_id: str) -> None:
    st.session_state.pop(CONFIRM, None)
    # Checked again at the click: the list may have changed since it was drawn.
    if not user.can_edit_registry or log_id not in {i.log_id for i in visible_logs(user)}:
        st.session_state[DELETED] = ("error", t("common.not_allowed"))
        return
    try:
        log_store().delete(log_id, actor=user.name, reason=t("logs.delete_reason"))
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
    st.dataframe(_table(logs), hide_index=True, width="stretch", key="logs_table")
    if not user.can_edit_registry:
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
    )
    right.button(t("logs.delete_button"), on_click=_ask, args=(chosen,), key="logs_delete")


def show_wizard(user: User) -> None:
    st.subheader(t("logs.wizard_header"))
    result = st.session_state.get(RESULT)
    if result is not None:
        st.success(t("logs.imported", **{k: v for k, v in result.items() if k != "messages"}))
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
