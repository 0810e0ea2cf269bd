"""Streamlit entry point of the pmo workspace: the router only; pages live in app_pages/."""

import streamlit as st

from app_pages._i18n import LANGUAGES, german_widgets, language, set_language, t
from app_pages._shared import check_database, signed_in_user
from process_registry import SchemaOutdatedError

st.set_page_config(page_title="pmo – Prozessmanagement", layout="wide")

user = signed_in_user()
german_widgets()

try:
    check_database()
except SchemaOutdatedError as err:
    # Every page would fail on its first query, each in its own way; say once what to do.
    st.title(t("common.schema_outdated_title"))
    st.error(t("common.schema_outdated", current=err.current or "–", expected=err.expected))
    st.stop()

with st.sidebar:
    st.session_state.setdefault("pmo_language_choice", language())
    choice = st.selectbox(
        t("common.language"),
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key="pmo_language_choice",
        placeholder=t("common.choose_option"),
    )
    if choice != language():
        set_language(choice)
        st.rerun()
    st.caption(t("common.signed_in_as", name=user.name, role=user.role_label))
    if user.local:
        st.caption(t("common.local_mode"))
    elif st.button(t("common.logout_button")):
        st.logout()


def page(path: str, key: str, icon: str, *, default: bool = False) -> st.Page:
    return st.Page(
        f"app_pages/{path}", title=t(f"common.nav_{key}"), icon=icon, url_path=key, default=default
    )


# Which pages a role sees; a page checks the role again before it shows or changes anything.
pages = {
    t("common.section_portfolio"): [
        page("overview.py", "overview", ":material/dashboard:", default=True),
        page("digitization.py", "digitization", ":material/rocket_launch:"),
        page("reports.py", "reports", ":material/description:"),
    ],
    t("common.section_work"): [
        page("registry.py", "registry", ":material/account_tree:"),
        *([page("logs.py", "logs", ":material/upload_file:")] if user.can_upload else []),
        page("analysis.py", "analysis", ":material/insights:"),
    ],
    t("common.section_admin"): [page("settings.py", "settings", ":material/settings:")],
}
st.navigation(pages).run()
