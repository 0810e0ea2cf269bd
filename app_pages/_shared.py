"""What every page needs: the registry handle (one engine per database URL, sessions per call)."""

import streamlit as st

from process_registry import Database, Registry, open_database, upgrade_schema
from process_registry.settings import database_url


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    # The engine is thread-safe and holds no user data, so one per URL and process is right here.
    db = open_database(url)
    if not db.has_schema():
        upgrade_schema(db)
    return db


def registry() -> Registry:
    return Registry(_database(database_url()))
