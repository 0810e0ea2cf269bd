"""The editable main assumptions of the page Digitalisierung: recompute for this session, or save
them as the office's standard (process managers)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._auth import User
from app_pages._i18n import t
from app_pages._portfolio import CHANGES_KEY
from app_pages._shared import ASSUMPTIONS_FILE, office_assumptions
from mining import Assumptions, AssumptionsError, checked_values, save_assumptions
from process_registry import data_dir

__all__ = ["assumption_form"]

# (dotted key, text key, step, format) of the number fields, in page order.
_FIELDS: tuple[tuple[str, str, float, str | None], ...] = (
    ("general.hours_per_fte", "digitization.a_hours_per_fte", 10, None),
    ("rpa.automation_share", "digitization.a_automation_share", 0.05, "%.2f"),
    ("online_service.shift_share", "digitization.a_shift_share", 0.05, "%.2f"),
    ("online_service.pages_per_paper_application", "digitization.a_pages", 0.5, "%.1f"),
    ("online_service.co2_g_per_page", "digitization.a_co2", 0.5, "%.1f"),
    ("general.min_cases", "digitization.a_min_cases", 10, None),
    ("general.benefit_weight", "digitization.a_benefit_weight", 0.05, "%.2f"),
    ("general.effort_weight", "digitization.a_effort_weight", 0.05, "%.2f"),
)
_WIDGET = "digitization_a_"


def _value(assumptions: Assumptions, dotted: str) -> Any:
    section, _, key = dotted.partition(".")
    return assumptions[section][key]


def _field_values(assumptions: Assumptions) -> dict[str, Any]:
    """Widget key → the value it shows for ``assumptions`` (the rate: of the default pay group)."""
    general = assumptions["general"]
    group = general["default_pay_group"]
    values: dict[str, Any] = {
        f"{_WIDGET}pay_group": group,
        f"{_WIDGET}rpa.transfer_verbs": ", ".join(assumptions["rpa"]["transfer_verbs"]),
    }
    rates = assumptions["cost_rates_eur_per_hour"]
    if group in rates:
        values[f"{_WIDGET}rate_{group}"] = float(rates[group])
    for dotted, _label, _step, fmt in _FIELDS:
        value = _value(assumptions, dotted)
        values[f"{_WIDGET}{dotted}"] = (
            int(value) if isinstance(value, int) and fmt is None else float(value)
        )
    return values


def _reset() -> None:
    # Runs before the page is drawn: the fields take these values from the session state and
    # show the office's standard at once (deleting the keys left the old value on screen).
    st.session_state.pop(CHANGES_KEY, None)
    for name in [k for k in st.session_state if str(k).startswith(f"{_WIDGET}rate_")]:
        del st.session_state[name]
    st.session_state.update(_field_values(office_assumptions()))


def _read_fields(current: Assumptions) -> dict[str, Any]:
    """The form's values as ``{"section.key": value}``."""
    values: dict[str, Any] = {}
    # The fields take their values from the session state only, so _reset can set them.
    for key, value in _field_values(current).items():
        st.session_state.setdefault(key, value)
    left, right = st.columns(2)
    rates = current["cost_rates_eur_per_hour"]
    groups = list(rates)
    if st.session_state[f"{_WIDGET}pay_group"] not in groups:
        st.session_state[f"{_WIDGET}pay_group"] = groups[0]
    group = left.selectbox(
        t("digitization.a_pay_group"),
        groups,
        key=f"{_WIDGET}pay_group",
        placeholder=t("common.choose_option"),
    )
    st.session_state.setdefault(f"{_WIDGET}rate_{group}", float(rates[group]))
    values["general.default_pay_group"] = group
    values[f"cost_rates_eur_per_hour.{group}"] = right.number_input(
        t("digitization.a_rate", group=group),
        step=1.0,
        format="%.2f",
        key=f"{_WIDGET}rate_{group}",
    )
    columns = st.columns(2)
    for number, (dotted, label, step, fmt) in enumerate(_FIELDS):
        value = _value(current, dotted)
        is_int = isinstance(value, int) and fmt is None
        values[dotted] = columns[number % 2].number_input(
            t(label),
            step=int(step) if is_int else float(step),
            format=fmt,
            key=f"{_WIDGET}{dotted}",
        )
    # The office extends the lexicon of rule-bound verbs (RPA without start times) here.
    verbs = st.text_area(t("digitization.a_transfer_verbs"), key=f"{_WIDGET}rpa.transfer_verbs")
    values["rpa.transfer_verbs"] = tuple(v.strip() for v in verbs.split(",") if v.strip())
    return values


def assumption_form(user: User, current: Assumptions) -> None:
    """The form; on "Neu berechnen" this session's edits change (the caller recomputes after)."""
    office = office_assumptions()
    st.caption(t("digitization.assumptions_note"))
    values = _read_fields(current)
    changes = {k: v for k, v in values.items() if _value(office, k) != v}
    if "rpa.transfer_verbs" in changes:  # TOML and the loader take a list
        changes["rpa.transfer_verbs"] = list(changes["rpa.transfer_verbs"])
    left, middle, right = st.columns(3)
    recompute = left.button(t("digitization.recompute"), type="primary", key=f"{_WIDGET}go")
    save = (
        right.button(t("digitization.save_default"), key=f"{_WIDGET}save")
        if user.can_edit_registry
        else False
    )
    _act(user, office, changes, recompute=recompute, save=save)
    # Drawn last: a recompute in this very run enables it, not only the next run.
    middle.button(
        t("digitization.reset"),
        key=f"{_WIDGET}reset",
        on_click=_reset,
        disabled=not (changes or st.session_state.get(CHANGES_KEY)),
    )


def _act(
    user: User, office: Assumptions, changes: dict[str, Any], *, recompute: bool, save: bool
) -> None:
    if not (recompute or save):
        return
    try:
        edited = checked_values(office, changes)
    except AssumptionsError as err:
        st.error(t("digitization.assumptions_invalid", error=str(err)))
        return
    if recompute:
        st.session_state[CHANGES_KEY] = changes
        return
    try:
        save_assumptions(data_dir() / ASSUMPTIONS_FILE, edited, actor=user.name)
    except AssumptionsError as err:
        st.error(t("digitization.save_failed", error=str(err)))
        return
    st.session_state.pop(CHANGES_KEY, None)
    st.success(t("digitization.saved"))
