"""Page "Digitalisierung" with FIM activity-group types: the type reaches the page as a reason.

The registry import (issue 16) fills ``ProcessFacts.fim_types``; here the facts are wrapped so the
sample's fee step is typed as a FIM decision, which the log alone would give a robot."""

from __future__ import annotations

import dataclasses

import pytest
import streamlit as st

import pmo.context
import pmo.report
from tests.app_office import Office, make_office, run_page, table, use_office

FEE_STEP = "Hundesteuer berechnen"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("digitization_fim"))


@pytest.fixture
def typed_as_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    original = pmo.context.process_facts

    def with_fim_types(*args: object, **kwargs: object) -> object:
        facts = original(*args, **kwargs)  # type: ignore[arg-type]
        return dataclasses.replace(facts, fim_types={FEE_STEP: "Entscheidung"})

    monkeypatch.setattr(pmo.context, "process_facts", with_fim_types)
    monkeypatch.setattr(pmo.report, "process_facts", with_fim_types)
    st.cache_data.clear()  # the portfolio is cached by its inputs, which do not hold the facts
    yield
    st.cache_data.clear()


@pytest.mark.parametrize(
    ("language", "label"),
    [("de", "KI-Assistenz bei Entscheidungen"), ("en", "AI assistance for decisions")],
)
def test_a_fim_decision_shows_as_assistance_with_its_reason(
    office: Office,
    monkeypatch: pytest.MonkeyPatch,
    typed_as_decision: None,
    language: str,
    label: str,
) -> None:
    use_office(monkeypatch, office)
    app = run_page("digitization", language=language)
    frame = table(app, "Euro/Jahr" if language == "de" else "Euros/year")
    step_col, kind_col = frame.columns[2], frame.columns[3]
    fee = frame[frame[step_col] == FEE_STEP]
    assert list(fee[kind_col]) == [label]
    detail = app.selectbox(key="digitization_detail")
    [index] = [i for i, option in enumerate(detail.options) if FEE_STEP in option]
    detail.select_index(index).run()
    assert not app.exception
    details = " ".join(m.value for m in app.markdown).replace("\\", "")
    # The reason reads in the page's language (issue 17: English pages showed it in German).
    group = "FIM-Aktivitätengruppe" if language == "de" else "FIM activity group"
    assert f"{group} „Entscheidung“" in details
    assert "§ 35a VwVfG" in details
