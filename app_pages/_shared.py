"""What every page needs: the user, the registry and log store, and cached, scoped data.

Caching rule (docs/RELIABILITY.md item 27): every ``st.cache_data`` loader takes the user's
``scope`` (``*`` or one department) as an argument and checks it before reading, so a cache entry
filled for one department can never be served to another. What a cached loader returns is checked again
*outside* the cache before it is served, against the catalogue as it is now: a log deleted
meanwhile (by another session or ``pmo log delete``) is never served from memory.

Analyses are kept on disk as well (:func:`mining.analyze_stored`), keyed by log, not by scope: an
analysis of a log is the same whoever asks. The scope is checked before the disk is read and again
before the result is served, and the disk serves only logs the catalogue still has.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import streamlit as st

from app_pages._analysis_filters import apply_filters
from app_pages._auth import User, current_user
from app_pages._i18n import language, t
from mining import (
    PARTS,
    Assumptions,
    LogInfo,
    LogStore,
    LogView,
    Part,
    load_assumptions,
    localized,
)
from process_registry import (
    SETTINGS_FILE,
    Database,
    OfficeSettings,
    ProcessSummary,
    Registry,
    SettingsError,
    data_dir,
    database_url,
    open_database,
    prepared_schema,
)
from process_registry import office_settings as _office_settings

__all__ = [
    "ASSUMPTIONS_FILE",
    "SETTINGS_FILE",
    "analysis_view",
    "cached_analysis",
    "check_database",
    "check_scope",
    "forget_derived_data",
    "log_store",
    "office_assumptions",
    "office_settings",
    "process_state",
    "reference_log_ids",
    "registry",
    "signed_in_user",
    "visible_logs",
    "visible_processes",
]

ASSUMPTIONS_FILE = "annahmen.toml"  # in PMO_DATA_DIR; written by Einstellungen/Digitalisierung


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    # The engine is thread-safe and holds no user data, so one per URL and process is right here.
    # An outdated schema raises SchemaOutdatedError, which is not cached: after `pmo db upgrade`
    # the next page load succeeds without a restart.
    return prepared_schema(open_database(url))


def check_database() -> None:
    """Open the catalogue database once per page run; raises SchemaOutdatedError when it needs
    ``pmo db upgrade`` first (app.py shows that instead of any page)."""
    _database(database_url())


def registry() -> Registry:
    return Registry(_database(database_url()))


def log_store() -> LogStore:
    return LogStore(_database(database_url()), data_dir())


def signed_in_user() -> User:
    """The user of this session; shows the login and stops the page when nobody is signed in."""
    user = current_user()
    if user is None:
        st.title(t("common.login_title"))
        if st.button(t("common.login_button"), type="primary"):
            st.login()
        st.stop()
    return user


def visible_processes(user: User) -> list[ProcessSummary]:
    return [p for p in registry().list_processes() if user.sees_department(p.department)]


def visible_logs(user: User) -> list[LogInfo]:
    department = None if user.scope == "*" else user.scope
    return log_store().list_logs(department=department)


def reference_log_ids() -> frozenset[str]:
    """The logs that speak for their process (Registry.reference_logs), to mark and preselect."""
    return frozenset(ref.log_id for ref in registry().reference_logs().values() if ref.log_id)


def office_settings() -> OfficeSettings:
    """The office settings (minimum group size, working-time calendar, …) in PMO_DATA_DIR; a
    broken file raises SettingsError with a message in the user's language naming the file."""
    try:
        return _office_settings(data_dir())
    except SettingsError as err:
        if err.source is None:  # PMO_RETENTION_DAYS: the message names the variable
            raise
        raise SettingsError(
            t("settings.file_broken", file=SETTINGS_FILE, error=err.reason)
        ) from None


def office_assumptions() -> Assumptions:
    """The office's assumptions file if Einstellungen saved one, else the shipped defaults."""
    path = data_dir() / ASSUMPTIONS_FILE
    return load_assumptions(path if path.is_file() else None)


def process_state(process_key: str | None, version: int | None) -> str | None:
    """What of a process changes its analysis besides the model version: catalogue revision
    (deadline, volume, OZG level) and the saved activity mapping."""
    if not process_key:
        return None
    reg = registry()
    revision = reg.get_process(process_key).revision
    mapping = sorted(reg.activity_mapping(process_key, version).items()) if version else []
    return f"{revision}:{mapping!r}"


def check_scope(log_id: str, scope: str) -> LogInfo:
    """The stored log ``log_id`` if ``scope`` may see it; PermissionError otherwise,
    LogNotFoundError for a log that is not (or no longer) stored."""
    info = log_store().get(log_id)
    if scope != "*" and info.department != scope:
        raise PermissionError(t("common.not_allowed"))
    return info


def analysis_view(
    log_id: str,
    scope: str,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    top_variants: int | None,
    filters: str = "[]",
) -> LogView:
    """The view the Analyse page analyses: the log, its date range (calendar days in Berlin),
    the filter list (``filters``: JSON of the page's filter dicts, see
    :mod:`app_pages._analysis_filters`), then the most frequent variants. Scope-checked."""
    from mining import filter_variants_top_k, open_log
    from pmo import ReportFilters

    check_scope(log_id, scope)
    view = open_log(log_store().events_path(log_id))
    view = ReportFilters(date_from=date_from, date_to=date_to).apply(view)
    view = apply_filters(view, json.loads(filters))
    if top_variants:
        view = filter_variants_top_k(view, top_variants)
    return view


def cached_analysis(
    log_id: str,
    scope: str,
    *,
    process_key: str | None,
    version: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    top_variants: int | None,
    working_time: bool,
    min_group_size: int,
    assumptions_path: str | None,
    assumptions_mtime: float | None,
    process_state: str | None = None,
    filters: str = "[]",
    office: OfficeSettings | None = None,
    parts: tuple[Part, ...] = PARTS,
) -> dict[str, Any]:
    """``analyze`` of a stored log for one scope and one set of filters (cached in memory per
    log version, scope and filter, and on disk per log and filter: :func:`mining.analyze_stored`;
    ``filters`` is the page's filter list as canonical JSON, ``process_state`` from
    :func:`process_state` makes a catalogue edit or a saved activity mapping a new entry). ``parts``: what of the analysis to compute (:data:`mining.PARTS`; the
    Analyse page asks for what its open tab shows). Raises PermissionError outside the scope and
    LogNotFoundError for a log that is not (or no longer) stored, cached or not."""
    result = _analysis(
        log_id,
        scope,
        process_key=process_key,
        version=version,
        date_from=date_from,
        date_to=date_to,
        top_variants=top_variants,
        working_time=working_time,
        min_group_size=min_group_size,
        assumptions_path=assumptions_path,
        assumptions_mtime=assumptions_mtime,
        process_state=process_state,
        filters=filters,
        # By value: a changed Land or office hours on Einstellungen is a new cache entry.
        office=office or office_settings(),
        parts=parts,
    )
    check_scope(log_id, scope)  # after the lookup: a cache hit is checked against now, too
    # Generated texts (notes, reasons) carry both languages; the page shows the reader's.
    return localized(result, language())


def forget_derived_data() -> None:
    """Drop every cached analysis, portfolio and rendered report of this workspace process (after
    a deletion: nothing derived from a deleted log stays in memory)."""
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=64)
def _analysis(
    log_id: str,
    scope: str,
    *,
    process_key: str | None,
    version: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    top_variants: int | None,
    working_time: bool,
    min_group_size: int,
    assumptions_path: str | None,
    assumptions_mtime: float | None,
    process_state: str | None = None,
    filters: str = "[]",
    office: OfficeSettings | None = None,
    parts: tuple[Part, ...] = PARTS,
) -> dict[str, Any]:
    from mining import AnalysisOptions, analyze_stored, office_calendar
    from pmo import process_context

    view = analysis_view(
        log_id,
        scope,
        date_from=date_from,
        date_to=date_to,
        top_variants=top_variants,
        filters=filters,
    )
    calendar = office_calendar(office)
    assumptions = load_assumptions(Path(assumptions_path) if assumptions_path else None)
    context = process_context(registry(), process_key, version) if process_key else None
    options = AnalysisOptions(
        calendar=calendar if working_time else None,
        office=calendar,
        min_group_size=min_group_size,
        assumptions=assumptions,
    )
    # Kept on disk beside the log (mining.cache): a restart or other assumptions reuse it.
    return analyze_stored(log_store(), log_id, view, process=context, options=options, parts=parts)
