"""pmo's side of the benchmark: import the CSV once, then the full analysis from the stored log.

``python -m bench.pmo_side FILE.csv --json OUT.json`` writes the JSON contract of
``bench/README.md`` (``"side": "pmo"``): the same ``results`` keys as ``bench.stock``, so
``bench.compare`` can hold them side by side. ``--conformance-only`` instead measures conformance
on a (noisy) log: alignments on unique variants against the model the inductive miner finds,
with a time budget, reporting the method and any approximation.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_T0 = time.perf_counter()

OPTIONS = {
    "case": "case_id",
    "activity": "activity",
    "timestamp": "timestamp",
    "resource": "resource",
    "org_unit": "org_unit",
    "attributes": ("channel",),
    "timestamp_format": "%Y-%m-%d %H:%M:%S",
    # The benchmark's timestamps carry no zone and pm4py reads them as such: take them as UTC so
    # no case gains or loses the hour of a clock change (pmo's default reads them as Berlin time).
    "timezone": "UTC",
}
# The German export is imported as a user would: columns and format from the importer's own
# suggestions (Vorgangsnummer, Tätigkeit, Zeitpunkt …; the intake channel is kept by itself).
OPTIONS_BY_STYLE = {"en": OPTIONS, "de": {"timezone": "UTC"}}


def _timed(steps: dict[str, float], name: str, function, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = function(*args, **kwargs)
    steps[name] = time.perf_counter() - start
    return value


def _import(csv: Path, folder: Path, steps: dict[str, float], style: str = "en") -> Path:
    from mining import ImportOptions, LogStore
    from process_registry import open_database, upgrade_schema

    db = open_database(f"sqlite:///{folder / 'pmo.sqlite3'}")
    upgrade_schema(db)
    store = LogStore(db, folder / "daten")
    result = _timed(
        steps,
        "import",
        store.import_file,
        csv,
        uploader="bench",
        options=ImportOptions(**OPTIONS_BY_STYLE[style]),
    )
    return store.events_path(result.log_id)


def _discovered_model(counted: list, steps: dict[str, float], *, noise: float):  # type: ignore[no-untyped-def]
    """The inductive miner's model as pmo's conformance checker takes it."""
    from mining import ConvertedModel, discover_process_tree

    tree = _timed(steps, "inductive_miner", discover_process_tree, counted, noise_threshold=noise)
    start = time.perf_counter()
    from pm4py.objects.conversion.process_tree import converter

    net, initial, final = converter.apply(tree)
    labels = frozenset(t.label for t in net.transitions if t.label is not None)
    model = ConvertedModel(net, initial, final, labels, "discovered", ())
    steps["to_petri_net"] = time.perf_counter() - start
    return model


def _counted(variants) -> list:  # type: ignore[no-untyped-def]
    from mining import VariantCount

    return [VariantCount(tuple(r.activities), int(r.cases)) for r in variants.itertuples()]


def full_analysis(events: Path, steps: dict[str, float]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The analysis result and the comparable ``results`` of the contract."""
    from mining import AnalysisOptions, analyze, check_conformance, map_activities, open_log

    view = open_log(events)
    # Timed apart and left out of the analysis, as on the stock side: the discovery and replay
    # below need pm4py, and its import alone takes seconds.
    _timed(steps, "import_pm4py", __import__, "pm4py")
    start = time.perf_counter()
    result = _timed(steps, "analyze", analyze, view, options=AnalysisOptions(max_variants=10**9))
    from mining import VariantCount

    counted = [VariantCount(tuple(v["activities"]), v["cases"]) for v in result["variants"]]
    model = _discovered_model(counted, steps, noise=0.0)
    mapping = map_activities(sorted(model.labels), model.labels)
    # Fitness only, as the stock pipeline computes; precision is a question of its own.
    checked = _timed(
        steps,
        "token_replay",
        check_conformance,
        counted,
        model,
        mapping,
        method="token_replay",
        with_precision=False,
    )
    steps["analysis"] = time.perf_counter() - start
    return result, {
        "variants": sorted(
            ([v["activities"], v["cases"]] for v in result["variants"]),
            key=lambda item: (-item[1], item[0]),
        ),
        "dfg": sorted([e["source"], e["target"], e["count"]] for e in result["dfg"]),
        "fitness": checked.fitness,
        "mean_case_duration_s": result["case_duration_s"]["mean"],
        "median_case_duration_s": result["case_duration_s"]["median"],
    }


def _workspace_steps(view, result: dict[str, Any], steps: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    """What a user of the workspace waits for, besides the first analysis: moving the process
    map's sliders (the cached DFG filtered in pandas, DOT built) and choosing another date range
    (a new, uncached analysis of the filtered log)."""
    import pandas as pd

    from mining import AnalysisOptions, analyze, filter_time_range, map_dot, reduce_map

    start = time.perf_counter()
    dfg = pd.DataFrame(result["dfg"])
    counts = {row["activity"]: row["events"] for row in result["activity_times"]}
    activities, edges = reduce_map(dfg, counts, activity_share=0.6, path_share=0.5)
    map_dot(activities, edges, measure="frequency", format_wait=lambda s: f"{s / 86400:.1f} d")
    steps["workspace_map_slider"] = time.perf_counter() - start

    first, last = pd.Timestamp(result["log"]["start"]), pd.Timestamp(result["log"]["end"])
    middle = first + (last - first) / 2
    start = time.perf_counter()
    analyze(filter_time_range(view, first, middle, mode="intersecting"), options=AnalysisOptions())
    steps["workspace_date_filter"] = time.perf_counter() - start


def duckdb_scan(csv: Path, steps: dict[str, float]) -> int:
    """The yardstick of the import: DuckDB reads the whole CSV into an Arrow table, every column
    materialized, separator, header and timestamp format sniffed by DuckDB itself."""
    import duckdb

    start = time.perf_counter()
    with duckdb.connect() as con:
        table = con.sql("SELECT * FROM read_csv(?)", params=[str(csv)]).to_arrow_table()
    steps["duckdb_scan"] = time.perf_counter() - start
    return table.num_rows


def _analyze_as_a_process(events: Path, folder: Path, steps: dict[str, float]) -> None:
    """``pmo analyze LOG_ID --json`` timed as the command a user runs (Python start, imports)."""
    import os
    import subprocess

    from mining import LogStore
    from process_registry import open_database

    store = LogStore(open_database(f"sqlite:///{folder / 'pmo.sqlite3'}"), folder / "daten")
    [info] = store.list_logs()
    env = {
        **os.environ,
        "PMO_DATABASE_URL": f"sqlite:///{folder / 'pmo.sqlite3'}",
        "PMO_DATA_DIR": str(folder / "daten"),
    }
    # Three runs, the median counts: a single start of a process varies by a tenth of a second
    # with what the machine does at that moment.
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pmo", "analyze", info.log_id, "--json"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        runs.append(time.perf_counter() - start)
    steps["pmo_analyze_process"] = sorted(runs)[1]


def conformance_only(
    events: Path, steps: dict[str, float], *, budget: float, method: str = "token_replay"
) -> dict[str, Any]:
    from mining import check_conformance, get_variants, map_activities, open_log

    start = time.perf_counter()
    counted = _counted(_timed(steps, "variants", get_variants, open_log(events), examples=0))
    # The reference model: what IMf finds with its default noise filter, as a process office
    # would register it; the noisy cases then deviate from it.
    model = _discovered_model(counted, steps, noise=0.2)
    mapping = map_activities(sorted({a for v in counted for a in v.activities}), model.labels)
    # Token replay on every unique variant gives the fitness; alignments, within the budget,
    # confirm the deviations it finds (the default method of `pmo analyze`). Precision is a
    # question of its own and not part of this measurement.
    checked = _timed(
        steps,
        "token_replay_and_alignments",
        check_conformance,
        counted,
        model,
        mapping,
        method=method,
        time_budget_s=budget,
        with_precision=False,
    )
    steps["conformance"] = time.perf_counter() - start
    summary = checked.to_dict()
    return {
        "method": summary.get("method"),
        "partial": summary.get("partial"),
        "checked_cases_share": summary.get("checked_cases_share"),
        "fitness": summary.get("fitness"),
        "fitting_cases_share": summary.get("fitting_cases_share"),
        "variants": len(counted),
        "notes": list(checked.notes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--style", choices=tuple(OPTIONS_BY_STYLE), default="en")
    parser.add_argument("--conformance-only", action="store_true")
    parser.add_argument("--time-budget", type=float, default=4.0)
    parser.add_argument("--method", choices=("token_replay", "alignments"), default="token_replay")
    args = parser.parse_args(argv)
    steps: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pmo-bench-") as folder:
        events = _import(args.csv, Path(folder), steps, args.style)
        from mining import get_log_stats, open_log

        stats = get_log_stats(open_log(events))
        if args.conformance_only:
            results = conformance_only(events, steps, budget=args.time_budget, method=args.method)
        else:
            analysis, results = full_analysis(events, steps)
        # Import and analysis end here; what follows is measured apart, so the peak memory and
        # the total are those of import plus analysis, as on the stock side.
        total_s = time.perf_counter() - _T0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        afterwards = time.perf_counter()
        if not args.conformance_only:
            _workspace_steps(open_log(events), analysis, steps)
            _analyze_as_a_process(events, Path(folder), steps)
            duckdb_scan(args.csv, steps)
        afterwards_s = time.perf_counter() - afterwards
    out = {
        "side": "pmo",
        "file": str(args.csv),
        "events": stats.events,
        "cases": stats.cases,
        "steps": steps,
        "analysis_s": steps.get("analysis", steps.get("conformance")),
        "total_s": total_s,
        # Time spent on the measurements after import and analysis (bench.run subtracts it).
        "afterwards_s": afterwards_s,
        "peak_rss_mb": peak_mb,
        "peak_rss_mb_with_workspace_steps": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        / 1024,
        "results": results,
    }
    args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
