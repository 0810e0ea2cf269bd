"""Run the benchmark: pm4py's stock pipeline against pmo on generated logs of growing size.

    python -m bench.run [--sizes 100000,1000000,5000000] [--out bench/results.json]
                        [--skip-stock-at N] [--data-dir .bench-data] [--noisy-size 100000]
                        [--skip-workspace] [--style de]

Per size: generate the clean log (or reuse it from the cache folder), run each side in a process of
its own (peak memory per side; the wall time measured from outside is what a user waits for),
compare their results, and fail with exit code 1 when they differ. At ``--noisy-size`` a log with
10 % corrupted cases is also checked for conformance by pmo; that JSON is recorded as it is.
Then the workspace is timed in Chromium on the 1M log (``bench.workspace``, key ``workspace``);
with ``--skip-workspace`` the file keeps the workspace results it had.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import PROJECT, cached_log, machine, read_through, shown
from bench.compare import compare
from bench.generate import STYLES
from bench.stock import ANALYSIS_STEPS

NOISE = 0.1


def run_side(module: str, csv_path: Path, out: Path, *extra: str) -> tuple[dict | None, float, str]:
    """Run ``python -m module CSV [extra] --json OUT``; the JSON (None on failure), wall s, stderr tail."""
    command = [sys.executable, "-m", module, shown(csv_path), *extra, "--json", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0 or not out.is_file():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        return None, wall, f"{' '.join(command)} failed with exit code {done.returncode}:\n{tail}"
    return json.loads(out.read_text(encoding="utf-8")), wall, ""


def _import_and_analysis(wall: float | None, pmo: dict | None) -> float | None:
    """pmo's wall time without what its side measures after import and analysis (workspace
    actions, the CLI as a command)."""
    return None if wall is None else wall - (pmo or {}).get("afterwards_s", 0.0)


def rows(stock: dict | None, pmo: dict | None, wall: dict) -> list[list]:
    """The table rows of one size: step, pm4py seconds, pmo seconds (None where a side has none)."""
    s_steps = (stock or {}).get("steps", {})
    p_steps = (pmo or {}).get("steps", {})
    load = None if stock is None else s_steps.get("read", 0) + s_steps.get("format", 0)
    table = [
        ["import pm4py", s_steps.get("import"), None],
        ["read_csv + format | pmo log import", load, p_steps.get("import")],
    ]
    table += [[step, s_steps.get(step), p_steps.get(step)] for step in ANALYSIS_STEPS]
    table += [
        [step, None, seconds]
        for step, seconds in p_steps.items()
        if step not in ("import", "analysis", "pmo_analyze_process", *ANALYSIS_STEPS)
    ]
    p_analysis = (pmo or {}).get("analysis_s", p_steps.get("analysis"))
    s_analysis = (stock or {}).get("analysis_s")
    table += [
        ["analysis (sum)", s_analysis, p_analysis],
        # Issue 18's measure: what the log costs from the CSV to the full analysis.
        [
            "import + analysis",
            None if load is None or s_analysis is None else load + s_analysis,
            None
            if p_steps.get("import") is None or p_analysis is None
            else p_steps["import"] + p_analysis,
        ],
        ["total in process", (stock or {}).get("total_s"), (pmo or {}).get("total_s")],
        [
            "wall time (user waits)",
            wall.get("pm4py"),
            _import_and_analysis(wall.get("pmo"), pmo),
        ],
        # What a user waits for once the log is stored: the stock script against `pmo analyze`.
        [
            "stock script | pmo analyze command",
            wall.get("pm4py"),
            p_steps.get("pmo_analyze_process"),
        ],
        ["peak RSS MB", (stock or {}).get("peak_rss_mb"), (pmo or {}).get("peak_rss_mb")],
    ]
    return table


def import_vs_duckdb_scan(pmo: dict | None) -> float | None:
    """pmo's import ÷ DuckDB's scan of the same CSV (issue 18: at most 5)."""
    steps = (pmo or {}).get("steps", {})
    if not steps.get("import") or not steps.get("duckdb_scan"):
        return None
    return round(steps["import"] / steps["duckdb_scan"], 2)


def format_table(runs: list[dict]) -> str:
    header = ["size", "step", "pm4py s", "pmo s", "ratio"]
    lines = [header]
    for run in runs:
        for step, a, b in run["rows"]:
            ratio = f"{a / b:.1f}×" if a is not None and b else ""
            lines.append([f"{run['size']:,}", step, _num(a), _num(b), ratio])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.rjust(w) if i != 1 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    )


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _summary(side: dict | None) -> dict | None:
    """A side's JSON for the results file: the full variant and DFG lists are only counted."""
    if side is None:
        return None
    results = side.get("results", {})
    counted = {key: len(results[key]) for key in ("variants", "dfg") if key in results}
    rest = {key: value for key, value in results.items() if key not in ("variants", "dfg")}
    return {**{k: v for k, v in side.items() if k != "results"}, "results": {**rest, **counted}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", default="100000,1000000,5000000", help="events per log, comma-separated"
    )
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "results.json")
    parser.add_argument(
        "--skip-stock-at", type=int, help="skip pm4py for logs of this many events or more"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=PROJECT / ".bench-data", help="cache of generated logs"
    )
    parser.add_argument(
        "--noisy-size", type=int, default=100_000, help="size of the noisy conformance log"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skip-workspace", action="store_true", help="do not time the workspace in Chromium"
    )
    parser.add_argument(
        "--style", choices=STYLES, default="en", help="en: the English export; de: the German one"
    )
    # Only to test the harness itself with stand-in sides.
    parser.add_argument("--stock-module", default="bench.stock", help=argparse.SUPPRESS)
    parser.add_argument("--pmo-module", default="bench.pmo_side", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, not {args.sizes!r}")

    report: dict = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "seed": args.seed,
        "style": args.style,
        "runs": [],
        "noisy_conformance": None,
    }
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pmo-bench-") as scratch:
        for size in sizes:
            csv_path, counts, gen_s = cached_log(args.data_dir, size, args.seed, style=args.style)
            made = "reused" if gen_s is None else f"generated in {gen_s:.1f} s"
            print(
                f"{size:,} events: {counts['cases']:,} cases, {counts['variants']} variants ({made})",
                flush=True,
            )
            sides: dict[str, dict | None] = {}
            wall: dict[str, float] = {}
            for side, module in (("pm4py", args.stock_module), ("pmo", args.pmo_module)):
                if (
                    side == "pm4py"
                    and args.skip_stock_at is not None
                    and size >= args.skip_stock_at
                ):
                    print(f"  pm4py: skipped (--skip-stock-at {args.skip_stock_at:,})", flush=True)
                    sides[side] = None
                    continue
                out = Path(scratch) / f"{side}-{size}.json"
                read_through(csv_path)
                sides[side], wall[side], error = run_side(
                    module, csv_path, out, "--style", args.style
                )
                print(f"  {side}: {wall[side]:.1f} s" + (" FAILED" if error else ""), flush=True)
                if error:
                    failures.append(f"{size:,} events, {side}: {error}")
            differences = []
            if sides["pm4py"] is not None and sides["pmo"] is not None:
                differences = compare(sides["pm4py"], sides["pmo"])
                failures += [f"{size:,} events, results differ: {line}" for line in differences]
            report["runs"].append(
                {
                    "size": size,
                    "file": shown(csv_path),
                    "log": counts,
                    "generate_s": None if gen_s is None else round(gen_s, 2),
                    "wall_s": {side: round(seconds, 3) for side, seconds in wall.items()},
                    "pm4py": _summary(sides["pm4py"]),
                    "pmo": _summary(sides["pmo"]),
                    "differences": differences,
                    "rows": rows(sides["pm4py"], sides["pmo"], wall),
                    "import_vs_duckdb_scan": import_vs_duckdb_scan(sides["pmo"]),
                }
            )
            if size == args.noisy_size:
                report["noisy_conformance"] = _noisy(args, size, Path(scratch), failures)
    report["workspace"] = _workspace(args, failures)
    report["ok"] = not failures
    print()
    print(format_table(report["runs"]))
    for run in report["runs"]:
        if run["import_vs_duckdb_scan"] is not None:
            print(
                f"{run['size']:,}: import ÷ DuckDB scan of the CSV = {run['import_vs_duckdb_scan']}"
            )
    if report["workspace"] and not args.skip_workspace:
        from bench.workspace import readme_table

        print("\nWorkspace in Chromium (seconds until settled):")
        print(readme_table(report["workspace"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nResults written to {args.out}")
    if failures:
        print("\nBENCHMARK FAILED:", file=sys.stderr)
        for failure in failures:
            print(f"- {failure}", file=sys.stderr)
        return 1
    return 0


def _workspace(args: argparse.Namespace, failures: list[str]) -> dict | None:
    """The workspace timings (bench.workspace), or with --skip-workspace those already stored."""
    if args.skip_workspace:
        try:
            return json.loads(args.out.read_text(encoding="utf-8")).get("workspace")
        except (OSError, ValueError):
            return None
    from bench.workspace import WORKSPACE_LOG_SIZE, measure

    csv_path, counts, _seconds = cached_log(args.data_dir, WORKSPACE_LOG_SIZE, args.seed)
    print(f"\nworkspace in Chromium on the {counts['events']:,}-event log:", flush=True)
    try:
        return measure(csv_path, counts)
    except Exception as err:  # noqa: BLE001 - reported as a failure of the run, with its reason
        failures.append(f"workspace: {type(err).__name__}: {err}")
        return None


def _noisy(args: argparse.Namespace, size: int, scratch: Path, failures: list[str]) -> dict | None:
    csv_path, counts, _seconds = cached_log(args.data_dir, size, args.seed, NOISE, args.style)
    out = scratch / f"pmo-noisy-{size}.json"
    read_through(csv_path)
    result, wall, error = run_side(
        args.pmo_module, csv_path, out, "--conformance-only", "--style", args.style
    )
    print(
        f"  pmo conformance on the {NOISE:.0%} noisy log: {wall:.1f} s"
        + (" FAILED" if error else ""),
        flush=True,
    )
    if error:
        failures.append(f"{size:,} events, noisy conformance: {error}")
    return {
        "size": size,
        "file": shown(csv_path),
        "log": counts,
        "wall_s": round(wall, 3),
        "pmo": result,
    }


if __name__ == "__main__":
    raise SystemExit(main())
