"""Einstellungen: the language of the workspace for everyone; the office-wide settings and the
hourly rates per pay group for process managers (read-only for everyone else)."""

import os

import pandas as pd
import streamlit as st

from app_pages import _formats as fmt
from app_pages._i18n import LANGUAGES, language, set_language, t
from app_pages._shared import (
    ASSUMPTIONS_FILE,
    office_assumptions,
    office_settings,
    signed_in_user,
)
from mining import AssumptionsError, checked_values, save_assumptions
from process_registry import (
    LANDS,
    PERSONALRAT_THRESHOLD,
    OfficeSettings,
    SettingsError,
    data_dir,
    save_office_settings,
)

RATES = "cost_rates_eur_per_hour"

user = signed_in_user()


def _apply_language() -> None:
    code = st.session_state["settings_language"]
    set_language(code)
    # Keeps the sidebar's switch (app.py) in step; a callback may still change its state.
    st.session_state["pmo_language_choice"] = code


def _day_names() -> list[str]:
    return [t(f"settings.day_{number}") for number in range(7)]


# Widget key → the value it shows for a set of settings. The widgets take their values from the
# session state alone, so "Auf Standard zurücksetzen" can put the defaults there before they are
# drawn (in its callback) and they show at once.
def _field_values(values: OfficeSettings) -> dict[str, object]:
    return {
        "settings_min_group_size": values.min_group_size,
        "settings_working_time": values.working_time,
        "settings_holiday_calendar": values.holiday_calendar,
        "settings_office_start": values.office_start,
        "settings_office_end": values.office_end,
        "settings_working_days": list(values.working_days),
        "settings_retention_days": values.retention_days,
        "settings_data_age_warning_days": values.data_age_warning_days,
    }


def _reset_office_fields() -> None:
    defaults = _field_values(OfficeSettings())
    if os.environ.get("PMO_RETENTION_DAYS"):
        del defaults["settings_retention_days"]  # the variable's value stays shown: it applies
    st.session_state.update(defaults)
    st.session_state["settings_office_reset"] = True


def _office_form(current: OfficeSettings) -> OfficeSettings:
    """The office settings for process managers, saved only on "Einstellungen speichern"; returns
    the settings now in force."""
    for key, value in _field_values(current).items():
        st.session_state.setdefault(key, value)
    retention_from_env = bool(os.environ.get("PMO_RETENTION_DAYS"))
    with st.form("settings_office"):
        min_group_size = st.number_input(
            t("settings.min_group_size"),
            step=1,
            help=t("settings.min_group_size_help"),
            key="settings_min_group_size",
        )
        working_time = st.toggle(
            t("settings.working_time"),
            help=t("settings.working_time_help"),
            key="settings_working_time",
        )
        land = st.selectbox(
            t("settings.holiday_calendar"),
            list(LANDS),
            format_func=LANDS.__getitem__,
            help=t("settings.holiday_calendar_help"),
            key="settings_holiday_calendar",
        )
        start_column, end_column = st.columns(2)
        office_start = start_column.time_input(
            t("settings.office_start"), step=900, key="settings_office_start"
        )
        office_end = end_column.time_input(
            t("settings.office_end"), step=900, key="settings_office_end"
        )
        names = _day_names()
        working_days = st.multiselect(
            t("settings.working_days"),
            list(range(7)),
            format_func=names.__getitem__,
            key="settings_working_days",
        )
        retention = st.number_input(
            t("settings.retention_days"),
            min_value=0,
            step=30,
            help=t("settings.retention_days_help"),
            disabled=retention_from_env,
            key="settings_retention_days",
        )
        if retention_from_env:
            st.caption(t("settings.retention_from_env"))
        data_age_warning_days = st.number_input(
            t("settings.data_age_warning_days"),
            min_value=1,
            step=1,
            help=t("settings.data_age_warning_days_help"),
            key="settings_data_age_warning_days",
        )
        save_column, reset_column = st.columns(2)
        save = save_column.form_submit_button(
            t("settings.save"), type="primary", key="settings_save_office"
        )
        reset_column.form_submit_button(
            t("settings.reset"), on_click=_reset_office_fields, key="settings_reset_office"
        )
    if st.session_state.pop("settings_office_reset", False):
        st.info(t("settings.reset_note"))
    if not save:
        return current
    calendar_changed = (land, office_start, office_end, tuple(sorted(working_days))) != (
        current.holiday_calendar,
        current.office_start,
        current.office_end,
        current.working_days,
    )
    try:
        saved = save_office_settings(
            min_group_size,
            working_time,
            folder=data_dir(),
            actor=user.name,
            # Unchanged values stay out of the file: a later change of a default reaches them.
            retention_days=None
            if retention_from_env or retention == current.retention_days
            else int(retention),
            data_age_warning_days=None
            if data_age_warning_days == current.data_age_warning_days
            else int(data_age_warning_days),
            holiday_calendar=land if calendar_changed else None,
            office_start=office_start if calendar_changed else None,
            office_end=office_end if calendar_changed else None,
            working_days=working_days if calendar_changed else None,
        )
    except SettingsError as err:
        st.error(t("settings.not_saved", error=str(err)))
        return current
    st.success(t("settings.saved"))
    return saved


st.title(t("settings.title"))

st.subheader(t("settings.language_heading"))
if st.session_state.get("settings_language") != language():
    st.session_state["settings_language"] = language()
st.radio(
    t("common.language"),
    list(LANGUAGES),
    format_func=LANGUAGES.__getitem__,
    key="settings_language",
    on_change=_apply_language,
    horizontal=True,
)

try:
    settings = office_settings()
    assumptions = office_assumptions()
except (SettingsError, AssumptionsError) as err:
    st.error(str(err))
    st.stop()

st.subheader(t("settings.office_heading"))
if not user.can_edit_registry:
    st.caption(t("settings.read_only"))
    st.dataframe(
        pd.DataFrame(
            {
                t("settings.col_setting"): [
                    t("settings.min_group_size"),
                    t("settings.working_time"),
                    t("settings.data_age_warning_days"),
                    t("settings.holiday_calendar"),
                    t("settings.office_hours"),
                    t("settings.working_days"),
                    t("settings.retention_days"),
                ],
                t("settings.col_value"): [
                    fmt.integer(settings.min_group_size),
                    t("settings.yes") if settings.working_time else t("settings.no"),
                    str(settings.data_age_warning_days),
                    LANDS[settings.holiday_calendar],
                    f"{settings.office_start:%H:%M}–{settings.office_end:%H:%M}",
                    ", ".join(_day_names()[day] for day in settings.working_days),
                    str(settings.retention_days),
                ],
            }
        ),
        hide_index=True,
    )
else:
    settings = _office_form(settings)
if settings.min_group_size < PERSONALRAT_THRESHOLD:
    st.warning(
        t(
            "settings.personalrat",
            size=settings.min_group_size,
            threshold=PERSONALRAT_THRESHOLD,
        )
    )

st.subheader(t("settings.rates_heading"))
st.caption(t("settings.rates_note"))
rates = dict(assumptions[RATES])
if not user.can_edit_registry:
    st.dataframe(
        pd.DataFrame(
            {
                t("settings.col_pay_group"): list(rates),
                t("settings.col_rate"): [fmt.currency(rate, 2) for rate in rates.values()],
            }
        ),
        hide_index=True,
        column_config={
            t("settings.col_rate"): st.column_config.TextColumn(alignment="right"),
        },
    )
else:
    with st.form("settings_rates"):
        columns = st.columns(4)
        edited = {
            group: columns[number % 4].number_input(
                group, value=float(rate), step=1.0, format="%.2f", key=f"settings_rate_{group}"
            )
            for number, (group, rate) in enumerate(rates.items())
        }
        if st.form_submit_button(t("settings.save_rates"), key="settings_save_rates"):
            changes = {f"{RATES}.{g}": v for g, v in edited.items() if v != rates[g]}
            try:
                updated = checked_values(assumptions, changes)
                save_assumptions(data_dir() / ASSUMPTIONS_FILE, updated, actor=user.name)
            except AssumptionsError as err:
                st.error(t("settings.not_saved", error=str(err)))
            else:
                st.success(t("settings.rates_saved", count=len(changes)))
