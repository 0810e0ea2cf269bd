"""The portfolio of the processes a user may see, analysed once and cached per scope.

Computing it runs :func:`pmo.build_report`, which analyses every process's reference log, so it
is cached. The cache key is the user's ``scope``, the visible processes (with their version count
and last change, which choosing a reference log is), the visible log ids (a new upload may become
a reference by default) and the assumptions' content: a department
user's portfolio only covers that department's processes, and the cached function checks the
scope again before it reads anything (docs/RELIABILITY.md item 27).
"""

from __future__ import annotations

import json
import re
from types import MappingProxyType
from typing import Any

import streamlit as st

from app_pages import _formats
from app_pages._auth import User
from app_pages._i18n import language, t
from app_pages._shared import (
    log_store,
    office_assumptions,
    office_settings,
    registry,
    visible_logs,
    visible_processes,
)
from mining import (
    RECOMMENDATION_NAMES,
    Assumptions,
    AssumptionsError,
    MiningError,
    checked_values,
    localized,
)
from pmo import build_report
from process_registry import OfficeSettings, RegistryError, SettingsError, database_url

__all__ = [
    "CHANGES_KEY",
    "activity_text",
    "computed_portfolio",
    "flags_text",
    "md",
    "number",
    "portfolio",
    "recommendation_label",
    "session_assumptions",
    "stop_if_no_processes",
]

CHANGES_KEY = "digitization_changes"  # this session's edited assumptions (page Digitalisierung)
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def session_assumptions() -> tuple[Assumptions, bool]:
    """The office's assumptions with this session's edits laid over them, and whether there are
    edits. Edits that no longer fit (the office file changed meanwhile) are dropped."""
    office = office_assumptions()
    changes = st.session_state.get(CHANGES_KEY) or {}
    if not changes:
        return office, False
    try:
        return checked_values(office, changes), True
    except AssumptionsError:
        st.session_state.pop(CHANGES_KEY, None)
        return office, False


def portfolio(user: User, assumptions: Assumptions) -> dict[str, Any] | None:
    """The report snapshot (not stored) of every process ``user`` may see; None without any.

    A cached portfolio is served only if every log it rests on is still stored when it is
    served; one deleted meanwhile makes it a new computation (docs/RELIABILITY.md item 38)."""
    processes = visible_processes(user)
    if not processes:
        return None  # build_report would take "no keys" as "every process"
    stamp = tuple(sorted((p.key, p.versions, p.updated_at.isoformat()) for p in processes))
    sections = json.dumps(
        {name: dict(values) for name, values in assumptions.sections.items()}, ensure_ascii=False
    )
    settings = office_settings()
    logs = tuple(sorted(info.log_id for info in visible_logs(user)))
    for _attempt in range(3):
        result = _portfolio(
            user.scope,
            stamp,
            logs,
            sections,
            assumptions.source,
            settings.min_group_size,
            database_url(),
            settings.working_time,
            settings,
            language(),
        )
        stored = tuple(sorted(info.log_id for info in visible_logs(user)))
        if _rests_on(result) <= set(stored):
            return result
        logs = stored
    raise MiningError(t("overview.logs_changed"))


def _rests_on(snapshot: dict[str, Any]) -> set[str]:
    return {
        process["log"]["log_id"]
        for process in snapshot.get("processes") or []
        if process.get("log") and process["log"].get("log_id")
    }


def stop_if_no_processes(user: User, processes: list[Any]) -> None:
    """Übersicht and Digitalisierung without a process to show: say what to do, and stop."""
    if processes:
        return
    st.info(
        t("overview.empty")
        if user.scope == "*"
        else t("overview.empty_department", department=user.scope)
    )
    st.stop()


def computed_portfolio(user: User, assumptions: Assumptions) -> dict[str, Any] | None:
    """:func:`portfolio` behind a spinner; a failure becomes one message and stops the page."""
    try:
        with st.spinner(t("overview.computing")):
            return portfolio(user, assumptions)
    except (RegistryError, MiningError, PermissionError, SettingsError) as err:
        st.error(str(err))
        st.stop()


@st.cache_data(show_spinner=False, max_entries=32)
def _portfolio(
    scope: str,
    processes: tuple[tuple[str, int, str], ...],
    log_ids: tuple[str, ...],
    sections: str,
    source: str,
    min_group_size: int,
    database: str,
    working_time: bool = False,
    office: OfficeSettings | None = None,  # by value: a changed Land is a new cache entry
    lang: str = "de",
) -> dict[str, Any]:
    # Generated texts (reasons, notes) carry both languages; the page shows one. Picked here,
    # once per entry: walking the whole snapshot took a fifth of every Übersicht's script.
    reg = registry()
    keys = [key for key, _versions, _changed in processes]
    for key in keys:
        if scope != "*" and reg.get_process(key).department != scope:
            raise PermissionError(t("common.not_allowed"))
    loaded = json.loads(sections)
    assumptions = Assumptions(
        MappingProxyType({name: MappingProxyType(values) for name, values in loaded.items()}),
        source,
    )
    report = build_report(
        reg,
        log_store(),
        keys=keys,
        assumptions=assumptions,
        min_group_size=min_group_size,
        working_time=working_time,
        actor="",
    )
    return localized(report, lang)


def recommendation_label(kind: str | None) -> str:
    """The name from the vocabulary the reports use too (:data:`mining.RECOMMENDATION_NAMES`)."""
    names = RECOMMENDATION_NAMES.get(kind or "")
    return names[language()] if names else (kind or t("common.none"))


def activity_text(candidate: dict[str, Any]) -> str:
    activity = candidate.get("activity")
    return t("digitization.whole_process") if activity is None else str(activity)


def flags_text(candidate: dict[str, Any]) -> str:
    flags = []
    if candidate.get("low_evidence"):
        flags.append(t("digitization.flag_low_evidence"))
    if candidate.get("decides"):
        flags.append(t("digitization.flag_35a"))
    return ", ".join(flags)


def number(value: float | int | None, decimals: int = 0) -> str:
    """A figure in the user's language: ``1.234,5`` in German, ``1,234.5`` in English."""
    return _formats.number(value, decimals)


def md(text: object) -> str:
    """``text`` (e.g. an activity name from an upload) shown literally inside Markdown."""
    return _MARKDOWN.sub(r"\\\1", str(text))
