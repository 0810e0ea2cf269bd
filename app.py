"""Streamlit entry point of the pmo workspace: the router only; pages live in app_pages/."""

import streamlit as st

st.set_page_config(page_title="pmo – Prozessmanagement", layout="wide")

pages = {
    "Prozessregister": [
        st.Page(
            "app_pages/registry.py",
            title="Prozessregister",
            icon=":material/account_tree:",
            default=True,
        ),
    ],
}
st.navigation(pages).run()
