"""How long a user waits in the workspace: the actions of issue 18, timed in a real headless
Chromium on the sample portfolio plus a generated 1M-event Wohngeld log.

    python -m bench.workspace [--out bench/results.json] [--runs 3] [--data-dir .bench-data]
    python -m bench.workspace --only recompute report --out /tmp/x.json   # some actions only
    python -m bench.workspace --readme [--out bench/results.json]   # rewrite README's table

Each run starts from a fresh copy of the prepared data folder (`pmo demo`, then the generated log
imported for the process ``wohngeld``, then one ``pmo report``, so the portfolio's analyses are
stored as after earlier use), a fresh server (``pmo app``, as ``make run`` starts it)
and a fresh Chromium, and times the actions in the order a user takes them (see ACTIONS). Times
run from the action until the page is settled (``bench/workspace_browser.py`` says what settled
means). The results go under the key ``workspace`` of the results file; the rest of it is kept.
A missed goal does not fail the benchmark: the table says which goals are met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import traceback
from importlib import metadata
from pathlib import Path

from bench.common import PROJECT, cached_log, machine, shown

__all__ = [
    "ACTIONS",
    "WORKSPACE_LOG_SIZE",
    "main",
    "measure",
    "readme_table",
    "summarize",
    "update_readme",
]

# (key, what the user does, goal in seconds), in the order a run takes them.
ACTIONS: tuple[tuple[str, str, float], ...] = (
    ("overview_first_visit", "Übersicht, first visit after server start", 3.0),
    ("overview_reload", "Übersicht, warm reload", 0.5),
    ("analysis_open", "Analyse opened on the 1M log, map drawn", 2.0),
    ("map_paths", "path slider on the 1M log (analysis cached)", 0.3),
    ("map_labels", "label switch on the 1M log (analysis cached)", 0.3),
    ("date_filter_1m", "date filter on the 1M log", 1.0),
    ("date_filter_16k", "date filter on a 16k-event log", 0.5),
    ("recompute", "„Neu berechnen“ after changing an assumption", 1.0),
    ("report", "create the portfolio report (8 processes)", 2.0),
)
WORKSPACE_LOG_SIZE = 1_000_000
README_START = "<!-- bench.workspace table: start (python -m bench.workspace --readme) -->"
README_END = "<!-- bench.workspace table: end -->"
# The demo's own Wohngeld log (16,034 events), for the date filter on a small log.
SMALL_LOG = "musterstadt-wohngeld"
# Screenshots of failed steps (not in git).
ARTIFACTS = PROJECT / "test-artifacts"
IMPORT_COLUMNS = (
    ("--case", "case_id"),
    ("--activity", "activity"),
    ("--timestamp", "timestamp"),
    ("--resource", "resource"),
    ("--org-unit", "org_unit"),
    ("--attribute", "channel"),
    ("--timestamp-format", "%Y-%m-%d %H:%M:%S"),
)


def summarize(times: list[float | None], goal: float) -> dict:
    """Median and range of the runs that finished, and whether the median meets the goal."""
    done = sorted(t for t in times if t is not None)
    median = statistics.median(done) if done else None
    return {
        "times_s": [None if t is None else round(t, 3) for t in times],
        "median_s": None if median is None else round(median, 3),
        "min_s": round(done[0], 3) if done else None,
        "max_s": round(done[-1], 3) if done else None,
        "goal_s": goal,
        "meets_goal": None if median is None else median <= goal,
    }


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def readme_table(workspace: dict) -> str:
    """The README's Markdown table of a ``workspace`` result."""
    lines = [
        "| action | median | range | goal | met |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in workspace["actions"]:
        if row["min_s"] is None:
            spread = "—"
        else:
            spread = f"{row['min_s']:.1f}–{row['max_s']:.1f} s"
        met = {True: "yes", False: "no", None: "failed"}[row["meets_goal"]]
        lines.append(
            f"| {row['action']} | {_seconds(row['median_s'])} | {spread} "
            f"| ≤ {row['goal_s']:g} s | {met} |"
        )
    return "\n".join(lines)


def update_readme(text: str, table: str) -> str:
    """``text`` with ``table`` between the markers (which must be there, once each)."""
    head, start, rest = text.partition(README_START)
    middle, end, tail = rest.partition(README_END)
    if not start or not end:
        raise ValueError(f"README lacks the markers {README_START!r} … {README_END!r}")
    return f"{head}{README_START}\n{table}\n{README_END}{tail}"


def _pmo(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pmo", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pmo {' '.join(args)} failed:\n{done.stderr or done.stdout}")
    return done.stdout


def prepare(folder: Path, log_csv: Path) -> dict:
    """The data folder of ``make run`` (`pmo db upgrade`, `pmo demo`) plus ``log_csv`` imported
    for the process ``wohngeld``; the imported log's figures."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("PMO_DATABASE_URL", "PMO_USER")}
    env["PMO_DATA_DIR"] = str(folder)
    _pmo(env, "db", "upgrade")
    _pmo(env, "demo")
    columns = [part for pair in IMPORT_COLUMNS for part in pair]
    out = _pmo(env, "log", "import", str(log_csv), "--process", "wohngeld", *columns, "--json")
    imported = json.loads(out)
    # An office restarts a workspace it has used: the portfolio's analyses are on disk by then
    # (issue 18: "a cold Übersicht reuses them"). A log's very first analysis is not a click
    # this table times; bench/README.md gives what it costs.
    _pmo(env, "report", "--format", "json", "-o", str(folder / "portfolio-warmup.json"))
    return {k: imported[k] for k in ("log_id", "cases", "events", "variants")}


def _run(
    folder: Path, log_name: str, number: int, scratch: Path, only: frozenset[str] | None = None
) -> tuple[dict[str, float | None], dict[str, str]]:
    """One run on a fresh server and browser: every action's seconds (None where it failed) and
    the errors of the failed ones; with ``only``, just those actions."""
    from bench.workspace_browser import session

    times: dict[str, float | None] = dict.fromkeys(key for key, _label, _goal in ACTIONS)
    errors: dict[str, str] = {}
    with session(folder, scratch / f"server-{number}.log") as page:
        steps = {
            "overview_first_visit": page.first_visit,
            "overview_reload": page.reload,
            "analysis_open": lambda: page.open_analysis(log_name),
            "map_paths": page.move_path_slider,
            "map_labels": page.switch_labels,
            "date_filter_1m": page.date_filter,
            "date_filter_16k": lambda: (page.choose_log(SMALL_LOG), page.date_filter())[1],
            "recompute": lambda: page.recompute(1600 + 10 * number),
            "report": page.create_report,
        }
        for key, step in steps.items():
            if only is not None and key not in only:
                if key == "overview_first_visit":
                    step()  # the app must be loaded before any page can be opened
                continue
            try:
                times[key] = step()
            except Exception as err:  # noqa: BLE001 - one broken step must not lose the others
                errors[key] = f"{type(err).__name__}: {err}".strip()[:500]
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.driver.save_screenshot(str(ARTIFACTS / f"bench-workspace-{number}-{key}.png"))
                traceback.print_exc(limit=3)
            shown_time = "FAILED" if times[key] is None else f"{times[key]:.2f} s"
            print(f"  run {number}: {key}: {shown_time}", flush=True)
    return times, errors


def _chromium_version() -> str | None:
    binary = shutil.which("chromium")
    if binary is None:
        return None
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or None


def measure(
    log_csv: Path, counts: dict, *, runs: int = 3, only: frozenset[str] | None = None
) -> dict:
    """Prepare the data, time every action (or those in ``only``) ``runs`` times; the
    ``workspace`` result."""
    from bench.workspace_browser import QUIET_S, browser_missing

    missing = browser_missing()
    if missing:
        raise RuntimeError(missing)
    started = dt.datetime.now().isoformat(timespec="seconds")
    per_run: list[tuple[dict[str, float | None], dict[str, str]]] = []
    with tempfile.TemporaryDirectory(prefix="pmo-bench-workspace-") as scratch_name:
        scratch = Path(scratch_name)
        template = scratch / "template"
        log = prepare(template, log_csv)
        print(f"workspace: {log['events']:,} events imported as {log['log_id']}", flush=True)
        for number in range(1, runs + 1):
            folder = scratch / f"run-{number}"
            shutil.copytree(template, folder)
            per_run.append(_run(folder, log_csv.stem, number, scratch, only))
            shutil.rmtree(folder, ignore_errors=True)
    actions = []
    for key, label, goal in ACTIONS:
        if only is not None and key not in only:
            continue
        row = {"key": key, "action": label, **summarize([t[key] for t, _e in per_run], goal)}
        failed = [errors[key] for _t, errors in per_run if key in errors]
        if failed:
            row["errors"] = failed
        actions.append(row)
    info = machine()
    info["chromium"] = _chromium_version()
    info["streamlit"] = metadata.version("streamlit")
    return {
        "started": started,
        "machine": info,
        "runs": runs,
        "quiet_window_s": QUIET_S,
        "log": {"file": shown(log_csv), **counts, "imported": log},
        "actions": actions,
    }


def write_results(out: Path, workspace: dict) -> None:
    """Put ``workspace`` under its key in ``out``, keeping what else the file holds."""
    report = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    report["workspace"] = workspace
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workspace", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "results.json")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--size", type=int, default=WORKSPACE_LOG_SIZE, help="events of the large log"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--data-dir", type=Path, default=PROJECT / ".bench-data", help="cache of generated logs"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[key for key, _label, _goal in ACTIONS],
        help="time only these actions (the others are skipped, e.g. to measure one fix)",
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="only rewrite the table in README.md from the results file",
    )
    args = parser.parse_args(argv)
    if args.readme:
        workspace = json.loads(args.out.read_text(encoding="utf-8")).get("workspace")
        if not workspace:
            parser.error(f"{args.out} has no workspace results; run python -m bench.workspace")
        readme = PROJECT / "README.md"
        table = readme_table(workspace)
        readme.write_text(update_readme(readme.read_text(encoding="utf-8"), table), "utf-8")
        print(table)
        return 0
    log_csv, counts, _seconds_taken = cached_log(args.data_dir, args.size, args.seed)
    workspace = measure(
        log_csv, counts, runs=args.runs, only=frozenset(args.only) if args.only else None
    )
    write_results(args.out, workspace)
    print()
    print(readme_table(workspace))
    print(f"\nResults written to {args.out} (key workspace)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
