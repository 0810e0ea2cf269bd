"""Upload wizard, second half: validation report (dry run), privacy notice, import.

The validation runs the same ``ingest_file`` the import runs, into a temporary folder and with a
throw-away pseudonymization key, so the report shows exactly what the import would do (rows,
rejected lines, detected timestamp format, clock-change rows, columns dropped) while nothing is
stored and the office's key is neither read nor created. It also runs the import checks
(``LogStore.review_upload``): how many activities map to the linked model, whether the file was
uploaded before, whether it is small — warnings, never a refusal — and, without a linked process,
suggests the one whose model fits best.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from app_pages._auth import User
from app_pages._i18n import t
from app_pages._logs_wizard import (
    CHECK,
    MAPPING,
    RESULT,
    ROLES,
    ROUND,
    go_to,
    md,
    read_options,
    reset_wizard,
    role_labels,
    upload_path,
)
from app_pages._shared import log_store, registry, visible_processes
from mining import (
    MIN_MODEL_SHARE,
    ActivityOverlap,
    ImportOptions,
    MiningError,
    SecretKey,
    activity_names,
    describe_format,
    file_sha256,
    ingest_file,
)
from pmo import model_review
from process_registry import RegistryError, clock, local_text, retention_days

_LINES_SHOWN = 20


def import_options(user: User, *, drop_resources: bool = False, surrogate: bool = False):  # noqa: ANN201
    """The wizard's choices as the library's ``ImportOptions``."""
    chosen = st.session_state[MAPPING]
    selected = list(chosen.get("attributes", ()))
    # A preselected channel column is left to the library, which keeps it only if all its values
    # look like channels; a recognized one the user deselected (or that looked personal in the
    # preview) must not come back by recognition.
    suggested = chosen.get("channels", [])
    recognized = [*suggested, *(column for column, _ in chosen.get("withheld", []))]
    return ImportOptions(
        **{role: chosen.get(role) for role in ROLES},
        attributes=tuple(c for c in selected if c not in suggested),
        drop_attributes=tuple(c for c in recognized if c not in selected),
        read=read_options(),
        timestamp_format=chosen.get("timestamp_format") or None,
        process_key=chosen.get("process"),
        # A department's log belongs to the department even when it is linked to no process.
        department=None if user.scope == "*" else user.scope,
        # The library fills roles left empty from its suggestions; "no resource column" must
        # still mean that no resource is stored.
        drop_resources=drop_resources or not chosen.get("resource"),
        surrogate_case_ids=surrogate,
    )


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:_LINES_SHOWN])
    return shown + (f" … (+{len(lines) - _LINES_SHOWN})" if len(lines) > _LINES_SHOWN else "")


def review(user: User):  # noqa: ANN201
    """The model check of this user's uploads: a suggestion names only processes they may see."""
    return model_review(registry(), keys=[p.key for p in visible_processes(user)])


def dry_run(
    upload: dict[str, Any], options: ImportOptions, user: User | None = None
) -> dict[str, Any]:
    """What the import would do, or the error it would stop with."""
    key = SecretKey(value=secrets.token_bytes(32), created=False, origin="Probelauf")
    try:
        with upload_path(upload) as path:
            staged = path.with_name("events.parquet")
            ingested = ingest_file(path, staged, options=options, secret=key, source=upload["name"])
            checked = log_store().review_upload(
                sha256=file_sha256(path),
                cases=ingested.summary.cases,
                activities=activity_names(staged),
                process_key=options.process_key,
                review=review(user) if user is not None else None,
            )
    except (MiningError, RegistryError) as err:
        return {"error": str(err), "lines": list(getattr(err, "lines", ()) or ())}
    report, summary = ingested.report, ingested.summary
    return {
        "error": None,
        "rows_in": report.rows_in,
        "events": summary.events,
        "cases": summary.cases,
        "activities": summary.activities,
        "start": summary.start,
        "end": summary.end,
        "dropped_empty": list(report.dropped_empty),
        "timestamp_format": report.timestamp_format,
        "start_format": report.start_timestamp_format,
        "dst_shifted": list(report.dst_shifted),
        "dst_ambiguous": list(report.dst_ambiguous),
        "mapping": asdict(ingested.mapping),
        "dropped": list(ingested.dropped),
        "channels": list(report.channels),
        "withheld_channels": [list(pair) for pair in report.withheld_channels],
        "messages": list(ingested.messages),
        "checks": [check.to_dict() for check in checked.checks],
        "overlap": checked.overlap,
        "suggestion": checked.suggestion,
    }


def _when(moment: dt.datetime | None) -> str:
    return local_text(moment, missing=t("common.none"))


def check_step(user: User, upload: dict[str, Any]) -> None:
    options = import_options(user)
    check = st.session_state.get(CHECK)
    if check is None or check["key"] != (upload["file_id"], options):
        with st.spinner(t("logs.checking")):
            check = {**dry_run(upload, options, user), "key": (upload["file_id"], options)}
        st.session_state[CHECK] = check
    if check["error"]:
        st.error(md(check["error"]))
        if len(check["lines"]) > 1:
            with st.expander(t("logs.affected_lines", count=len(check["lines"]))):
                st.dataframe(pd.DataFrame({"Zeile": check["lines"]}), hide_index=True)
        st.info(t("logs.check_failed"))
        st.button(t("logs.back"), on_click=go_to, args=(2,), key="logs_back_mapping")
        return
    st.success(t("logs.check_ok"))
    cols = st.columns(5)
    cols[0].metric(t("logs.metric_rows"), check["rows_in"])
    cols[1].metric(t("logs.metric_events"), check["events"])
    cols[2].metric(t("logs.metric_cases"), check["cases"])
    cols[3].metric(t("logs.metric_activities"), check["activities"])
    cols[4].metric(t("logs.metric_rejected"), len(check["dropped_empty"]))
    st.write(t("logs.period", start=_when(check["start"]), end=_when(check["end"])))
    if check["timestamp_format"]:
        st.write(t("logs.ts_format", format=describe_format(check["timestamp_format"])))
    if check["start_format"]:
        st.write(t("logs.ts_start_format", format=describe_format(check["start_format"])))
    if check["dropped_empty"]:
        st.warning(t("logs.rejected_lines", lines=_lines(check["dropped_empty"])))
    if check["dst_shifted"]:
        st.info(t("logs.dst_shifted", lines=_lines(check["dst_shifted"])))
    if check["dst_ambiguous"]:
        st.info(t("logs.dst_ambiguous", lines=_lines(check["dst_ambiguous"])))
    if not (check["dst_shifted"] or check["dst_ambiguous"]):
        st.caption(t("logs.no_dst"))
    _mapping_table(check["mapping"])
    show_checks(check["checks"], check["overlap"])
    if check["suggestion"] is not None:
        _suggest(check["suggestion"])
    with st.expander(t("logs.library_messages")):
        for message in check["messages"]:
            st.text(message)
    back, forward = st.columns(2)
    back.button(t("logs.back"), on_click=go_to, args=(2,), key="logs_back_mapping")
    forward.button(t("logs.next"), type="primary", on_click=go_to, args=(4,), key="logs_to_privacy")


def _percent(share: float) -> int:
    return round(share * 100)


def check_text(check: dict[str, Any], overlap: ActivityOverlap | None = None) -> str:
    """One import warning in the user's language (the stored message is German only)."""
    kind = check.get("check")
    if kind == "overlap":
        return t(
            "logs.check_overlap",
            mapped=check.get("mapped"),
            activities=check.get("activities"),
            share=_percent(check.get("share") or 0.0),
            process=md(overlap.process_name if overlap else check.get("process")),
            min_share=_percent(check.get("min_share") or MIN_MODEL_SHARE),
        )
    if kind == "duplicate":
        return t("logs.check_duplicate", logs=", ".join(check.get("same_as") or ()))
    if kind == "small":
        return t("logs.check_small", cases=check.get("cases"), min_cases=check.get("min_cases"))
    return md(check.get("message", ""))


def show_checks(checks: list[dict[str, Any]], overlap: ActivityOverlap | None) -> None:
    """The import checks of an upload: the model overlap, then each warning."""
    if overlap is not None:
        st.caption(
            t(
                "logs.check_model",
                mapped=overlap.mapped,
                activities=overlap.activities,
                share=_percent(overlap.share),
                process=md(overlap.process_name),
            )
        )
    for check in checks:
        st.warning(check_text(check, overlap))
    if checks:
        st.caption(t("logs.check_warnings_note"))


def _link(process_key: str) -> None:
    st.session_state[MAPPING] = {**st.session_state[MAPPING], "process": process_key}
    st.session_state.pop(CHECK, None)  # checked again, now against that process's model


def _suggest(suggestion: ActivityOverlap) -> None:
    st.info(
        t(
            "logs.suggestion",
            process=md(suggestion.process_name),
            mapped=suggestion.mapped,
            activities=suggestion.activities,
            share=_percent(suggestion.share),
        )
    )
    st.button(
        t("logs.suggestion_link", process=md(suggestion.process_name)),
        on_click=_link,
        args=(suggestion.process_key,),
        key="logs_link_suggestion",
    )


def _mapping_table(used: dict[str, Any]) -> None:
    """The mapping the library applied; it fills optional roles the user left empty."""
    labels = role_labels()
    chosen = st.session_state[MAPPING]
    used = {**used, "resource": used.get("resource") if chosen.get("resource") else None}
    rows = [(labels[r], used[r]) for r in ROLES if used.get(r)]
    rows += [(t("logs.attribute_role"), name) for name in used.get("attributes", ())]
    st.markdown(f"**{t('logs.used_mapping')}**")
    st.dataframe(
        pd.DataFrame(rows, columns=[t("logs.mapping_role"), t("logs.mapping_column")]),
        hide_index=True,
    )
    added = [used[r] for r in ROLES if used.get(r) and not chosen.get(r)]
    if added:
        st.warning(t("logs.mapping_differs", columns=", ".join(f"„{md(c)}“" for c in added)))


def privacy_step(user: User, upload: dict[str, Any]) -> None:
    check = st.session_state.get(CHECK)
    if not check or check["error"]:
        go_to(3)
        st.rerun()
    used = dict(check["mapping"])
    dropped = list(check["dropped"])
    if used.get("resource") and not st.session_state[MAPPING].get("resource"):
        dropped.append(used.pop("resource"))  # filled in by the library, not stored (see above)
    st.write(t("logs.privacy_intro"))
    drop = False
    if used.get("resource"):
        drop = st.checkbox(t("logs.drop_resources"), key="logs_drop_resources")
    surrogate = st.checkbox(t("logs.surrogate_cases"), key="logs_surrogate")
    notes = []
    if not used.get("resource"):
        notes.append(t("logs.privacy_no_resource"))
    elif drop:
        notes.append(t("logs.privacy_resource_dropped"))
    else:
        notes.append(t("logs.privacy_resource", column=f"„{md(used['resource'])}“"))
    notes.append(t("logs.privacy_cases_surrogate" if surrogate else "logs.privacy_cases_kept"))
    kept = [f"„{md(used[r])}“" for r in ROLES if used.get(r) and r != "resource"]
    if used.get("resource") and not drop:
        kept.append(t("logs.pseudonymized_column", column=f"„{md(used['resource'])}“"))
    channels = check.get("channels", [])
    kept += [
        t("logs.channel_column", column=f"„{md(c)}“") if c in channels else f"„{md(c)}“"
        for c in used.get("attributes", ())
    ]
    notes.append(t("logs.privacy_kept", columns=", ".join(kept)))
    # Withheld over the whole file by the library, or already by the preview in the mapping step.
    withheld = dict(check.get("withheld_channels", []))
    for column, reason in st.session_state[MAPPING].get("withheld", []):
        if column not in used.get("attributes", ()):
            withheld.setdefault(column, reason)
    notes += [
        t("logs.privacy_channel_withheld", column=f"„{md(c)}“", reason=md(reason))
        for c, reason in withheld.items()
    ]
    if dropped:
        listed = ", ".join(f"„{md(c)}“" for c in dropped)
        notes.append(t("logs.privacy_dropped", columns=listed))
    else:
        notes.append(t("logs.privacy_nothing_dropped"))
    try:
        days = retention_days()
    except RegistryError as err:
        st.error(md(err))  # messages quote file and column names
        return
    date = clock.today() + dt.timedelta(days=days)
    notes.append(t("logs.privacy_retention", date=f"{date:%d.%m.%Y}", days=days))
    st.info("\n\n".join(f"- {note}" for note in notes))
    agreed = st.checkbox(t("logs.privacy_ack"), key="logs_privacy_ack")
    back, forward = st.columns(2)
    back.button(t("logs.back"), on_click=go_to, args=(3,), key="logs_back_check")
    if forward.button(
        t("logs.import_button"), type="primary", disabled=not agreed, key="logs_import"
    ):
        options = import_options(user, drop_resources=drop, surrogate=surrogate)
        run_import(user, upload, options)


def run_import(user: User, upload: dict[str, Any], options: ImportOptions) -> None:
    """Import with a progress bar; on success start a fresh wizard and show the result."""
    allowed = {p.key for p in visible_processes(user)}
    if options.process_key is not None and options.process_key not in allowed:
        st.error(t("common.not_allowed"))
        return
    bar = st.progress(0.1, text=t("logs.progress_saving"))
    try:
        with upload_path(upload) as path:
            bar.progress(0.3, text=t("logs.progress_importing"))
            result = log_store().import_file(
                path,
                uploader=user.name,
                options=options,
                display_name=upload["name"],
                review=review(user),
            )
    except (MiningError, RegistryError) as err:
        bar.empty()
        st.error(md(err))  # messages quote file and column names
        return
    bar.progress(1.0, text=t("logs.progress_done"))
    st.session_state[RESULT] = {
        "log_id": result.log_id,
        "cases": result.cases,
        "events": result.events,
        "activities": result.activities,
        "rejected": result.rejected_rows,
        "date": f"{result.delete_after:%d.%m.%Y}",
        "messages": list(result.messages),
        "checks": [check.to_dict() for check in result.checks],
        "overlap": result.model_overlap,
        "suggestion": result.suggestion,
    }
    reset_wizard()
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.rerun()
