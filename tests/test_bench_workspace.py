"""The workspace benchmark's bookkeeping: medians, ranges and goals as the README reports them,
the README table kept between its markers, and the results file keeping the analysis runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.workspace import (
    ACTIONS,
    README_END,
    README_START,
    readme_table,
    summarize,
    update_readme,
    write_results,
)

PROJECT = Path(__file__).parent.parent


def test_summary_gives_median_range_and_whether_the_goal_is_met() -> None:
    row = summarize([1.24, 0.9, 3.0], goal=1.0)
    assert row["median_s"] == 1.24
    assert (row["min_s"], row["max_s"]) == (0.9, 3.0)
    assert row["times_s"] == [1.24, 0.9, 3.0]
    assert row["meets_goal"] is False
    assert summarize([0.2, 0.3, 0.25], goal=0.3)["meets_goal"] is True
    # Equal to the goal meets it ("≤ 0.3 s").
    assert summarize([0.3, 0.3, 0.3], goal=0.3)["meets_goal"] is True


def test_summary_of_failed_runs_counts_only_the_finished_ones() -> None:
    row = summarize([None, 2.0, 4.0], goal=1.0)
    assert row["times_s"] == [None, 2.0, 4.0]
    assert row["median_s"] == 3.0
    assert (row["min_s"], row["max_s"]) == (2.0, 4.0)
    failed = summarize([None, None, None], goal=1.0)
    assert failed["median_s"] is None and failed["meets_goal"] is None


def _workspace() -> dict:
    actions = [
        {"key": key, "action": label, **summarize([goal * 2, goal * 3, goal], goal)}
        for key, label, goal in ACTIONS
    ]
    actions[-1] = {**actions[-1], **summarize([None, None, None], ACTIONS[-1][2])}
    return {"actions": actions}


def test_readme_table_lists_every_action_with_median_range_goal() -> None:
    table = readme_table(_workspace()).splitlines()
    assert table[0] == "| action | median | range | goal | met |"
    assert len(table) == 2 + len(ACTIONS)
    assert (
        table[2] == "| Übersicht, first visit after server start | 6.0 s | 3.0–9.0 s | ≤ 3 s | no |"
    )
    assert table[-1].endswith("| — | — | ≤ 2 s | failed |")


def test_readme_table_is_replaced_between_the_markers_only() -> None:
    text = f"# pmo\n\nbefore\n{README_START}\nold table\n{README_END}\nafter\n"
    updated = update_readme(text, "| new |")
    assert updated == f"# pmo\n\nbefore\n{README_START}\n| new |\n{README_END}\nafter\n"
    assert update_readme(updated, "| new |") == updated
    with pytest.raises(ValueError, match="markers"):
        update_readme("# pmo without markers\n", "| new |")


def test_the_project_readme_carries_the_markers() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert readme.count(README_START) == 1 and readme.count(README_END) == 1
    assert readme.index(README_START) < readme.index(README_END)


def test_results_keep_the_analysis_runs_beside_the_workspace(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"runs": [{"size": 100000}], "ok": True}), encoding="utf-8")
    write_results(out, {"actions": []})
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == {"runs": [{"size": 100000}], "ok": True, "workspace": {"actions": []}}


def test_only_times_the_chosen_actions_after_loading_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    import bench.workspace_browser
    from bench.workspace import _run

    done: list[str] = []

    class Page:
        def __getattr__(self, name: str):  # noqa: ANN204
            return lambda *args: done.append(name) or 1.0

    @contextmanager
    def session(*_args):  # noqa: ANN002, ANN202
        yield Page()

    monkeypatch.setattr(bench.workspace_browser, "session", session)
    times, errors = _run(tmp_path, "log", 1, tmp_path, frozenset({"recompute", "report"}))
    assert done == ["first_visit", "recompute", "create_report"]
    assert {key for key, seconds in times.items() if seconds is not None} == {"recompute", "report"}
    assert errors == {}
