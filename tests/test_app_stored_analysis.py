"""The workspace reads the analyses kept on disk (issue 18): a restarted server shows the
Übersicht, a "Neu berechnen" and the Analyse page without analysing a log again, and the disk
never hands a department another department's analysis (docs/RELIABILITY.md item 27)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st

import mining.analysis as analysis
import mining.stored_analysis as stored
from app_pages._portfolio import CHANGES_KEY
from tests.app_office import (
    OTHER_DEPARTMENT,
    Office,
    make_office,
    page_analysis,
    run_page,
    table,
    use_office,
)
from tests.test_stored_analysis import ANALYSING


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("stored"))


def _refuse_analysing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the log was analysed again")

    # Both ways in: the stored analysis and a plain mining.analyze.
    for module in (stored, analysis):
        for name in (*ANALYSING, "aggregates"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)


def _analysis(log_id: str, scope: str) -> dict:
    return page_analysis(log_id, scope, process_key="hundesteuer-anmeldung")


def test_a_restarted_workspace_shows_the_overview_and_recomputes_from_disk(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    computed = table(run_page("overview"), "Wichtigster Grund")
    st.cache_data.clear()  # a server restart: nothing in memory, the data folder as it was
    _refuse_analysing(monkeypatch)
    assert table(run_page("overview"), "Wichtigster Grund").equals(computed)
    # "Neu berechnen" with another hourly rate: the candidates change, the log is not read.
    before = run_page("digitization")
    after = run_page("digitization", state={CHANGES_KEY: {"cost_rates_eur_per_hour.E9b": 20.0}})
    euros = [m.value for m in before.metric], [m.value for m in after.metric]
    assert euros[0] != euros[1]


def test_the_stored_analysis_is_served_only_within_the_scope(
    office: Office, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_office(monkeypatch, office)
    from app_pages._shared import log_store

    [log] = log_store().list_logs()
    assert _analysis(log.log_id, office.hundesteuer_department)["log"]["cases"] > 0
    st.cache_data.clear()
    _refuse_analysing(monkeypatch)
    # Read from disk for the owner and the office; another department is refused before that.
    assert _analysis(log.log_id, "*")["log"]["cases"] > 0
    with pytest.raises(PermissionError):
        _analysis(log.log_id, OTHER_DEPARTMENT)
