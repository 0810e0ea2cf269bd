"""Einstellungen: the language of the workspace for everyone; the office-wide settings and the
hourly rates per pay group for process managers (read-only for everyone else)."""

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
from process_registry import PERSONALRAT_THRESHOLD, SettingsError, data_dir, save_office_settings

RATES = "cost_rates_eur_per_hour"

user = signed_in_user()


def _apply_language() -> None:
    code = st.session_state["settings_language"]
    set_language(code)
    # Keeps the sidebar's switch (app.py) in step; a callback may still change its state.
    st.session_state["pmo_language_choice"] = code


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
                ],
                t("settings.col_value"): [
                    fmt.integer(settings.min_group_size),
                    t("settings.yes") if settings.working_time else t("settings.no"),
                ],
            }
        ),
        hide_index=True,
    )
else:
    with st.form("settings_office"):
        min_group_size = st.number_input(
            t("settings.min_group_size"),
            value=settings.min_group_size,
            step=1,
            help=t("settings.min_group_size_help"),
            key="settings_min_group_size",
        )
        working_time = st.toggle(
            t("settings.working_time"),
            value=settings.working_time,
            help=t("settings.working_time_help"),
            key="settings_working_time",
        )
        if st.form_submit_button(t("settings.save"), key="settings_save_office"):
            try:
                settings = save_office_settings(
                    min_group_size, working_time, folder=data_dir(), actor=user.name
                )
            except SettingsError as err:
                st.error(t("settings.not_saved", error=str(err)))
            else:
                st.success(t("settings.saved"))
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
