"""The portfolio (``build_report`` over every process, as the Übersicht and a report compute it)
without and with the analyses kept on disk (issue 18), each in a fresh process like a restarted
workspace: ``uncached`` analyses every reference log as before, ``cold`` starts from an empty
``PMO_DATA_DIR/analyses``, ``warm`` reads what ``cold`` stored. Each then builds the portfolio
again with another assumption ("Neu berechnen").

Run on an office whose environment names it, e.g. after ``pmo demo`` plus a large log::

    .venv/bin/python -m bench.generate --events 1000000 -o /tmp/w1m.csv
    pmo log import /tmp/w1m.csv --process wohngeld
    pmo registry edit wohngeld --reference-log LOG_ID
    .venv/bin/python -m bench.stored_analyses
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time

MODES = ("uncached", "cold", "warm")


def measure(mode: str) -> dict[str, float]:
    """Seconds of the first portfolio and of one with a changed assumption, in this process."""
    import pmo.report as report
    from mining import LogStore, analyze, checked_values, load_assumptions
    from process_registry import (
        Registry,
        data_dir,
        database_url,
        open_database,
        prepared_schema,
    )

    if mode == "uncached":

        def plain(_store, _log_id, view, *, process, options):  # type: ignore[no-untyped-def]
            return analyze(view, process=process, options=options)

        report.analyze_stored = plain  # type: ignore[assignment]
    elif mode == "cold":
        shutil.rmtree(data_dir() / "analyses", ignore_errors=True)
    database = prepared_schema(open_database(database_url()))
    registry, store = Registry(database), LogStore(database, data_dir())
    standard = load_assumptions()
    started = time.perf_counter()
    report.build_report(registry, store, assumptions=standard, actor="bench")
    first = time.perf_counter() - started
    changed = checked_values(standard, {"rpa.automation_share": 0.5})
    started = time.perf_counter()
    report.build_report(registry, store, assumptions=changed, actor="bench")
    return {
        "first_s": round(first, 2),
        "changed_assumption_s": round(time.perf_counter() - started, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=MODES, help="one measurement in this process")
    parser.add_argument("--runs", type=int, default=1, help="rounds of all three modes")
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(measure(args.mode)))
        return
    for _round in range(args.runs):
        for mode in MODES:
            out = subprocess.run(
                [sys.executable, "-m", "bench.stored_analyses", "--mode", mode],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            print(
                f"{mode:9s} portfolio {figures['first_s']:6.2f} s, "
                f"after another assumption {figures['changed_assumption_s']:6.2f} s"
            )


if __name__ == "__main__":
    main()
