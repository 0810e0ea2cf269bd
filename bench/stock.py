"""The stock pm4py pipeline a user would write for a CSV log, each step timed on its own.

    python -m bench.stock FILE.csv [--style de] [--json OUT.json]

Writes the benchmark contract (see ``bench/README.md``) with ``"side": "pm4py"``; without ``--json``
it is printed to stdout. Run it in a process of its own: the peak memory is that of the process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import sys
import time
from pathlib import Path

_STARTED = time.perf_counter()

ANALYSIS_STEPS = (
    "dfg_frequency",
    "dfg_performance",
    "variants",
    "case_durations",
    "inductive_miner",
    "token_replay",
)


def sorted_variants(variants: dict) -> list:
    """pm4py's ``{(activity, ...): count}`` as the contract's list, most frequent first."""
    rows = [[list(trace), int(count)] for trace, count in variants.items()]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def sorted_dfg(dfg: dict) -> list:
    return sorted([source, target, int(count)] for (source, target), count in dfg.items())


# How a pm4py user reads each export style of bench.generate: separator, encoding, columns, format.
READ = {
    "en": ({}, ("case_id", "activity", "timestamp"), "%Y-%m-%d %H:%M:%S"),
    "de": (
        {"sep": ";", "encoding": "utf-8-sig"},
        ("Vorgangsnummer", "Tätigkeit", "Zeitpunkt"),
        "%d.%m.%Y %H:%M:%S",
    ),
}


def run(csv_path: Path, style: str = "en") -> dict:
    steps: dict[str, float] = {}

    def timed(name: str, call):
        started = time.perf_counter()
        value = call()
        steps[name] = time.perf_counter() - started
        return value

    with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the JSON
        pm4py = timed("import", lambda: __import__("pm4py"))
        import pandas as pd

    read_options, (case, activity, timestamp), timest_format = READ[style]
    df = timed("read", lambda: pd.read_csv(csv_path, **read_options))
    df = timed(
        "format",
        lambda: pm4py.format_dataframe(
            df,
            case_id=case,
            activity_key=activity,
            timestamp_key=timestamp,
            timest_format=timest_format,
        ),
    )
    dfg, _start, _end = timed("dfg_frequency", lambda: pm4py.discover_dfg(df))
    timed("dfg_performance", lambda: pm4py.discover_performance_dfg(df))
    variants = timed("variants", lambda: pm4py.get_variants(df))
    durations = timed("case_durations", lambda: pm4py.get_all_case_durations(df))
    net, im, fm = timed("inductive_miner", lambda: pm4py.discover_petri_net_inductive(df))
    fitness = timed("token_replay", lambda: pm4py.fitness_token_based_replay(df, net, im, fm))

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return {
        "side": "pm4py",
        "file": str(csv_path),
        "events": int(len(df)),
        "cases": int(df["case:concept:name"].nunique()),
        "steps": {name: round(seconds, 4) for name, seconds in steps.items()},
        "analysis_s": round(sum(steps[name] for name in ANALYSIS_STEPS), 4),
        "total_s": round(time.perf_counter() - _STARTED, 4),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "results": {
            "variants": sorted_variants(variants),
            "dfg": sorted_dfg(dfg),
            "fitness": float(fitness["log_fitness"]),
            "mean_case_duration_s": float(statistics.fmean(durations)),
            "median_case_duration_s": float(statistics.median(durations)),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stock", description=__doc__.split("\n")[0]
    )
    parser.add_argument("csv", type=Path)
    parser.add_argument("--style", choices=tuple(READ), default="en", help="bench.generate's style")
    parser.add_argument("--json", type=Path, help="write the result here instead of stdout")
    args = parser.parse_args(argv)
    result = json.dumps(run(args.csv, args.style), ensure_ascii=False)
    if args.json:
        args.json.write_text(result + "\n", encoding="utf-8")
    else:
        print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
