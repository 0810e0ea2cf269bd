"""Working sessions per activity: the same resource did the case's previous event moments before.
Counted in one session of the view (numpy over the layout), as the window over each case did."""

from __future__ import annotations

import pytest

from mining.ingest.pipeline import ImportOptions, ingest_file
from mining.ingest.privacy import load_or_create_secret
from mining.query import query_resource_continuity
from mining.query.session import analysis_session
from mining.query.view import LogView, open_log

# Case B's first event directly follows case A's last in the file: a different case, no session.
ROWS = """case;activity;time;resource
A;Eingang;2024-03-04 09:00;Frau Koch
A;Prüfen;2024-03-04 09:05;Frau Koch
A;Notiz;2024-03-04 09:06;
A;Bescheid;2024-03-04 09:07;Frau Koch
B;Eingang;2024-03-04 09:08;Frau Koch
B;Prüfen;2024-03-04 09:09;Herr Ritter
B;Bescheid;2024-03-04 11:09;Herr Ritter
"""


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> LogView:
    folder = tmp_path_factory.mktemp("continuity")
    source = folder / "log.csv"
    source.write_text(ROWS, encoding="utf-8")
    events = folder / "events.parquet"
    options = ImportOptions(case="case", activity="activity", timestamp="time", resource="resource")
    ingest_file(
        source, events, options=options, secret=load_or_create_secret(folder), source="log.csv"
    )
    return open_log(events)


def _counts(view: LogView) -> dict[str, tuple[int, int]]:
    frame = query_resource_continuity(view, session_s=15 * 60, system_pattern="nie")
    return {row.activity: (row.with_resource, row.same_session) for row in frame.itertuples()}


def test_a_session_needs_the_same_resource_in_the_same_case_within_the_time(view: LogView) -> None:
    assert _counts(view) == {
        "Bescheid": (2, 0),  # A: the step before has no resource; B: two hours later
        "Eingang": (2, 0),  # first steps; B's follows A's last event, of another case
        "Notiz": (0, 0),
        "Prüfen": (2, 1),  # A: Frau Koch again after five minutes; B: another resource
    }


def test_inside_an_analysis_session_the_counts_are_the_same(view: LogView) -> None:
    alone = _counts(view)
    with analysis_session(view):
        assert _counts(view) == alone
