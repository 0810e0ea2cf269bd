"""The workspace never serves anything derived from a deleted log from its caches (issue 12.4).

The deletions here go through :class:`LogStore` in this process, as `pmo log delete` in another
process would: nothing tells the workspace's caches that the log is gone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app_pages._auth import User
from mining.ingest.store import LogNotFoundError, LogStore
from process_registry import Database
from tests.app_office import Downloads, make_office, page_analysis, pdf_text, run_page, use_office

CASES = "HST-2024-"  # the case ids of the office's Hundesteuer log


@pytest.fixture
def office_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LogStore:
    office = make_office(tmp_path)
    use_office(monkeypatch, office)
    return LogStore(Database(office.url), office.data_dir)


def _analysis(log_id: str) -> dict:
    return page_analysis(log_id, process_key="hundesteuer-anmeldung", version=1)


def test_a_cached_analysis_of_a_deleted_log_is_never_served(office_store: LogStore) -> None:
    [log] = office_store.list_logs()
    assert CASES in json.dumps(_analysis(log.log_id))  # cached now, example cases and all
    office_store.delete(log.log_id, actor="datenschutz")
    with pytest.raises(LogNotFoundError):
        _analysis(log.log_id)


def test_a_cached_portfolio_is_never_served_once_its_log_is_deleted(
    office_store: LogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log goes between the moment the page lists the logs and the cache lookup."""
    from app_pages import _portfolio
    from mining.digitization import load_assumptions

    user = User("Frau Test", "process_manager", local=True)
    [log] = office_store.list_logs()
    filled = _portfolio.portfolio(user, load_assumptions())
    assert log.log_id in json.dumps(filled) and CASES in json.dumps(filled)

    listed = _portfolio.visible_logs(user)
    calls = []

    def listing_then_deletion(who: User) -> list:
        calls.append(who)
        if len(calls) == 1:
            office_store.delete(log.log_id, actor="datenschutz")
            return listed  # what the page saw a moment before the deletion
        return office_store.list_logs()

    monkeypatch.setattr(_portfolio, "visible_logs", listing_then_deletion)
    served = json.dumps(_portfolio.portfolio(user, load_assumptions()))
    assert log.log_id not in served and CASES not in served


def test_a_report_downloaded_after_its_log_was_deleted_names_no_case(
    office_store: LogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = Downloads(monkeypatch)
    app = run_page("reports")
    app.text_input(key="reports_title").set_value("Vor der Löschung")
    app.button[0].click().run()  # create the report: its downloads are rendered and cached
    assert CASES in downloads.data(app, "JSON").decode()
    [log] = office_store.list_logs()
    office_store.delete(log.log_id, actor="datenschutz")

    app.run()
    assert not app.exception, [e.value for e in app.exception]
    rendered = {
        "JSON": downloads.data(app, "JSON").decode(),
        "HTML": downloads.data(app, "HTML").decode(),
        "PDF": pdf_text(downloads.data(app, "PDF")).replace("\n", " "),
    }
    for label, text in rendered.items():
        assert CASES not in text, label
        assert f"Ereignisprotokoll {log.log_id} am" in text, label
