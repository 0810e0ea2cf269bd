"""Upload wizard of the Ereignisprotokolle page, first half: file, detection, column mapping.

Streamlit forgets a widget's value once a run does not render it, so every step copies its
choices into plain session keys (``logs_read``, ``logs_mapping``) and later steps read those.
The uploaded bytes live in ``logs_upload``; each step that needs a file writes them to a private
temporary folder and removes it again (the library reads paths, and a session that is simply
closed must not leave an upload on disk).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages._auth import User
from app_pages._i18n import t, uploader_note
from app_pages._shared import visible_processes
from mining import (
    OPTIONAL_ROLES,
    REQUIRED_ROLES,
    SUPPORTED_FORMATS,
    Detected,
    ReadOptions,
    preview_table,
    suggest_mapping,
)

STEP = "logs_step"
UPLOAD = "logs_upload"
ROUND = "logs_upload_round"  # part of the uploader's key: a new round empties the uploader
READ = "logs_read"
PREVIEW = "logs_preview"
MAPPING = "logs_mapping"
CHECK = "logs_check"
RESULT = "logs_result"
ROLES = REQUIRED_ROLES + OPTIONAL_ROLES
# st.file_uploader checks the last suffix only: ".gz" covers .xes.gz and .csv.gz.
ACCEPTED_TYPES = ["csv", "txt", "tsv", "gz", "xes", "xlsx", "parquet", "zip"]
# "" stands for "as detected" / "none" in selects (AppTest cannot choose a None option).
ENCODINGS = ("", "utf-8", "utf-8-sig", "cp1252", "iso-8859-1")
SEPARATORS = ("", ";", ",", "\t", "|")
PREVIEW_ROWS = 20
_MD_SPECIAL = "\\`*_[]<>!~$|#"


def md(text: object) -> str:
    """Text from an upload, safe inside Markdown (no links, images, formulas or emphasis)."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in str(text))


def role_labels() -> dict[str, str]:
    return {
        "case": t("logs.role_case"),
        "activity": t("logs.role_activity"),
        "timestamp": t("logs.role_timestamp"),
        "start_timestamp": t("logs.role_start_timestamp"),
        "resource": t("logs.role_resource"),
        "org_unit": t("logs.role_org_unit"),
    }


def step_names() -> list[str]:
    return [
        t("logs.step_file"),
        t("logs.step_detect"),
        t("logs.step_mapping"),
        t("logs.step_check"),
        t("logs.step_privacy"),
    ]


def go_to(step: int) -> None:
    st.session_state[STEP] = step


def reset_wizard() -> None:
    for key in (STEP, UPLOAD, READ, PREVIEW, MAPPING, CHECK):
        st.session_state.pop(key, None)


@contextmanager
def upload_path(upload: dict[str, Any]) -> Iterator[Path]:
    """The uploaded bytes as a file in a private temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="pmo-upload-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(upload["data"])
        yield path


def read_options() -> ReadOptions:
    read = st.session_state.get(READ, {})
    return ReadOptions(sep=read.get("sep"), encoding=read.get("encoding"))


def show_uploader() -> dict[str, Any] | None:
    """The file step; returns the current upload (name, bytes, id) or None."""
    round_ = st.session_state.setdefault(ROUND, 0)
    file = st.file_uploader(
        t("logs.uploader"),
        type=ACCEPTED_TYPES,
        key=f"logs_file_{round_}",
        help=t("logs.uploader_help", formats=", ".join(SUPPORTED_FORMATS)),
    )
    uploader_note(ACCEPTED_TYPES)
    if file is None:
        reset_wizard()
        return None
    upload = st.session_state.get(UPLOAD)
    if upload is None or upload["file_id"] != file.file_id:
        reset_wizard()
        st.session_state.pop(RESULT, None)
        # Only the base name: the browser's name is shown in messages and kept as source.
        name = Path(file.name.replace("\\", "/")).name or "upload"
        upload = {"file_id": file.file_id, "name": name, "data": file.getvalue()}
        st.session_state[UPLOAD] = upload
        st.session_state[STEP] = 1
    return upload


def load_preview(upload: dict[str, Any]) -> tuple[Detected, pd.DataFrame]:
    """Detection and the first rows, read once per file and reading options.

    Raises ``MiningError`` (the caller shows it)."""
    options = read_options()
    key = (upload["file_id"], options.sep, options.encoding)
    cached = st.session_state.get(PREVIEW)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    with upload_path(upload) as path:
        detected, frame = preview_table(
            path, options=options, display_name=upload["name"], rows=PREVIEW_ROWS
        )
    st.session_state[PREVIEW] = (key, detected, frame)
    return detected, frame


def show_preview(frame: pd.DataFrame) -> None:
    st.caption(t("logs.preview"))
    st.dataframe(frame.rename_axis(t("logs.line")), width="stretch")


def _separator_label(sep: str | None) -> str:
    labels = {
        "": t("logs.as_detected"),
        ";": t("logs.sep_semicolon"),
        ",": t("logs.sep_comma"),
        "\t": t("logs.sep_tab"),
        "|": t("logs.sep_pipe"),
    }
    return labels.get(sep, repr(sep))


def _store_read() -> None:
    st.session_state[READ] = {
        "sep": st.session_state.get("logs_sep") or None,
        "encoding": st.session_state.get("logs_encoding") or None,
    }
    st.session_state.pop(MAPPING, None)  # other columns may appear: suggest again


def read_overrides() -> None:
    """Separator and encoding selects; a change takes effect on the next run (callback)."""
    read = st.session_state.get(READ, {})
    left, right = st.columns(2)
    left.selectbox(
        t("logs.override_encoding"),
        ENCODINGS,
        index=ENCODINGS.index(read.get("encoding") or ""),
        format_func=lambda e: e or t("logs.as_detected"),
        key="logs_encoding",
        on_change=_store_read,
        placeholder=t("common.choose_option"),
    )
    right.selectbox(
        t("logs.override_separator"),
        SEPARATORS,
        index=SEPARATORS.index(read.get("sep") or ""),
        format_func=_separator_label,
        key="logs_sep",
        on_change=_store_read,
        placeholder=t("common.choose_option"),
    )


def detection_step(detected: Detected, frame: pd.DataFrame) -> None:
    cols = st.columns(4)
    cols[0].metric(t("logs.detected_format"), detected.format)
    cols[1].metric(t("logs.detected_encoding"), detected.encoding or t("common.none"))
    symbols = {"\t": t("logs.sep_tab_short"), None: t("common.none")}
    cols[2].metric(
        t("logs.detected_separator"), symbols.get(detected.separator, detected.separator)
    )
    cols[3].metric(t("logs.detected_columns"), len(frame.columns))
    if detected.separator is not None:
        read_overrides()
    show_preview(frame)
    st.button(t("logs.next"), type="primary", on_click=go_to, args=(2,), key="logs_to_mapping")


def _defaults(columns: list[str], frame: pd.DataFrame) -> dict[str, Any]:
    stored = st.session_state.get(MAPPING)
    if stored is not None:
        return stored
    suggestion = suggest_mapping(columns, frame)
    # Intake-channel columns are preselected: they describe the application, not a person.
    channels = {
        "attributes": list(suggestion.channels),
        "channels": list(suggestion.channels),
        "withheld": [list(pair) for pair in suggestion.withheld],
    }
    chosen: dict[str, Any] = {}
    if suggestion.mapping is not None:
        chosen = {role: suggestion.mapping.role(role) for role in ROLES}
    else:  # partial: take the best candidate of every role found, one role per column
        used: set[str] = set()
        for role in ROLES:
            free = [c for c in suggestion.candidates.get(role, ()) if c not in used]
            chosen[role] = free[0] if free else None
            used.update(free[:1])
    return {**chosen, **channels, "timestamp_format": "", "process": None}


def _save_mapping(defaults: dict[str, Any]) -> None:
    state = st.session_state
    st.session_state[MAPPING] = {
        "channels": defaults.get("channels", []),
        "withheld": defaults.get("withheld", []),
        **{role: state.get(f"logs_map_{role}") or None for role in ROLES},
        "attributes": list(state.get("logs_map_attributes", [])),
        "timestamp_format": (state.get("logs_tsformat") or "").strip(),
        "process": state.get("logs_process") or None,
    }
    st.session_state.pop(CHECK, None)
    go_to(3)


def mapping_step(user: User, frame: pd.DataFrame) -> None:
    columns = [str(c) for c in frame.columns]
    defaults = _defaults(columns, frame)
    labels = role_labels()
    show_preview(frame.head(10))
    left, right = st.columns(2)
    for number, role in enumerate(ROLES):
        target = left if number < len(REQUIRED_ROLES) else right
        options = list(columns) if role in REQUIRED_ROLES else ["", *columns]
        default = defaults.get(role) or ""
        target.selectbox(
            labels[role],
            options,
            index=options.index(default) if default in options else None,
            format_func=lambda c: c or t("logs.not_mapped"),
            placeholder=t("logs.choose_column"),
            key=f"logs_map_{role}",
        )
    st.multiselect(
        t("logs.attributes"),
        columns,
        default=[c for c in defaults.get("attributes", []) if c in columns],
        help=t("logs.attributes_help"),
        placeholder=t("logs.choose_columns"),
        key="logs_map_attributes",
    )
    if defaults.get("channels"):
        listed = ", ".join(f"„{md(c)}“" for c in defaults["channels"])
        st.caption(t("logs.channels_preselected", columns=listed))
    for column, reason in defaults.get("withheld", []):
        st.caption(t("logs.channel_withheld", column=f"„{md(column)}“", reason=md(reason)))
    st.text_input(
        t("logs.timestamp_format"),
        value=defaults.get("timestamp_format", ""),
        help=t("logs.timestamp_format_help"),
        key="logs_tsformat",
    )
    processes = {p.key: p for p in visible_processes(user)}
    keys = ["", *processes]
    st.selectbox(
        t("logs.link_process"),
        keys,
        index=keys.index(process) if (process := defaults.get("process") or "") in keys else 0,
        format_func=lambda k: (
            f"{processes[k].name} ({k}) – {processes[k].department}" if k else t("logs.no_process")
        ),
        help=t("logs.link_process_help"),
        key="logs_process",
        placeholder=t("common.choose_option"),
    )
    problem = _mapping_problem(labels)
    if problem:
        st.warning(problem)
    back, forward = st.columns(2)
    back.button(t("logs.back"), on_click=go_to, args=(1,), key="logs_back_detect")
    forward.button(
        t("logs.check_button"),
        type="primary",
        disabled=bool(problem),
        on_click=_save_mapping,
        args=(defaults,),
        key="logs_to_check",
    )


def _mapping_problem(labels: dict[str, str]) -> str | None:
    state = st.session_state
    missing = [labels[r] for r in REQUIRED_ROLES if not state.get(f"logs_map_{r}")]
    if missing:
        return t("logs.missing_roles", roles=", ".join(missing))
    chosen = [state.get(f"logs_map_{r}") for r in ROLES if state.get(f"logs_map_{r}")]
    twice = sorted({c for c in chosen if chosen.count(c) > 1})
    if twice:
        return t("logs.duplicate_roles", columns=", ".join(f"„{md(c)}“" for c in twice))
    return None
