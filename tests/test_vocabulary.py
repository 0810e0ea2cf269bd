"""One vocabulary for the recommendations: the workspace and the report name a kind alike, in
both languages (users found "Ablauf neu ordnen" on the page and "Prozess neu ordnen" in the PDF)."""

from __future__ import annotations

import pytest
import streamlit as st

from app_pages._portfolio import recommendation_label as page_label
from mining import RECOMMENDATION_NAMES, render_report
from mining.digitization import RECOMMENDATION_LABELS
from mining.report import labels
from tests.report_fixture import make_snapshot


@pytest.mark.parametrize("code", ["de", "en"])
def test_the_page_names_every_kind_from_the_one_table(code: str) -> None:
    st.session_state["pmo_language"] = code
    try:
        for kind, names in RECOMMENDATION_NAMES.items():
            assert page_label(kind) == names[code], kind
    finally:
        st.session_state.pop("pmo_language", None)


def test_the_report_and_the_cli_name_every_kind_as_the_german_page_does() -> None:
    for kind, names in RECOMMENDATION_NAMES.items():
        assert labels.recommendation_label({"recommendation": kind}) == names["de"], kind
        assert RECOMMENDATION_LABELS[kind] == names["de"], kind
    assert RECOMMENDATION_NAMES["process_redesign"]["de"] == "Ablauf neu ordnen"


def test_an_older_snapshot_with_another_wording_renders_in_todays_vocabulary() -> None:
    snapshot = make_snapshot()
    for candidate in snapshot["candidates"]:
        if candidate["recommendation"] == "process_redesign":
            candidate["recommendation_label"] = "Prozess neu ordnen"
    html = render_report(snapshot, "html").decode()
    assert "Ablauf neu ordnen" in html
    assert "Prozess neu ordnen" not in html
