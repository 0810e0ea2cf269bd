"""The benchmark harness: the generated log has the behaviour it claims, the comparison catches
every kind of difference, the stock pipeline writes the contract, and the runner fails loudly."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from bench.compare import compare
from bench.generate import ORG_UNITS, generate_log, german_holidays
from bench.run import main as run_main
from bench.stock import ANALYSIS_STEPS

PROJECT = Path(__file__).parent.parent
STATEMENTS = ("Stellungnahme Meldebehörde einholen", "Stellungnahme Jobcenter einholen")
REWORK = ("Antrag prüfen", "Unterlagen nachfordern", "Unterlagen eingegangen", "Antrag prüfen")


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    clean, noisy = folder / "clean.csv", folder / "noisy.csv"
    return {
        "clean": clean,
        "noisy": noisy,
        "clean_counts": generate_log(clean, events=5000),
        "noisy_counts": generate_log(noisy, events=5000, noise=0.1),
    }


def traces(path: Path) -> dict[str, tuple[str, ...]]:
    # The file is in time order and keeps the order of same-second steps, as pm4py reads it.
    return pd.read_csv(path).groupby("case_id", sort=False)["activity"].agg(tuple).to_dict()


def contains(trace: tuple[str, ...], steps: tuple[str, ...]) -> bool:
    return any(trace[i : i + len(steps)] == steps for i in range(len(trace)))


def test_generator_is_deterministic_for_a_seed(logs: dict, tmp_path: Path) -> None:
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    assert generate_log(again, events=5000) == logs["clean_counts"]
    assert again.read_bytes() == logs["clean"].read_bytes()
    generate_log(other, events=5000, seed=8)
    assert other.read_bytes() != logs["clean"].read_bytes()


def test_log_has_the_columns_and_about_the_events_asked_for(logs: dict) -> None:
    df = pd.read_csv(logs["clean"])
    counts = logs["clean_counts"]
    assert list(df.columns) == [
        "case_id",
        "activity",
        "timestamp",
        "resource",
        "org_unit",
        "channel",
    ]
    assert len(df) == counts["events"] and 4950 < counts["events"] <= 5000
    assert df["case_id"].nunique() == counts["cases"]
    assert len(set(traces(logs["clean"]).values())) == counts["variants"]
    assert df["resource"].nunique() == 40 and set(df["org_unit"]) == set(ORG_UNITS)
    assert set(df["channel"]) == {"Papier", "Online", "E-Mail"}
    assert df.groupby("case_id")["channel"].nunique().max() == 1
    assert df.groupby("resource")["org_unit"].nunique().max() == 1  # each clerk in one team


def test_log_has_rework_parallel_branch_and_exclusive_choices(logs: dict) -> None:
    cases = traces(logs["clean"]).values()
    assert any(contains(trace, REWORK) for trace in cases)
    assert any(contains(trace, STATEMENTS) for trace in cases)
    assert any(contains(trace, STATEMENTS[::-1]) for trace in cases)
    granted = {trace for trace in cases if "Bewilligungsbescheid erstellen" in trace}
    refused = {trace for trace in cases if "Ablehnungsbescheid erstellen" in trace}
    assert granted and refused and not granted & refused


def test_some_cases_log_two_steps_in_the_same_second(logs: dict) -> None:
    df = pd.read_csv(logs["clean"])
    same_second = df[df.duplicated(["case_id", "timestamp"], keep=False)]
    assert 0 < same_second["case_id"].nunique() < df["case_id"].nunique()


def test_timestamps_lie_in_working_hours_only(logs: dict) -> None:
    stamps = pd.to_datetime(pd.read_csv(logs["clean"])["timestamp"], format="%Y-%m-%d %H:%M:%S")
    assert (stamps.dt.day_of_week < 5).all()
    assert stamps.dt.hour.between(8, 15).all()
    holidays = set(german_holidays(range(2024, 2027)).astype("datetime64[D]").tolist())
    assert not set(stamps.dt.date) & holidays
    assert stamps.is_monotonic_increasing  # exported in time order


def test_noise_corrupts_a_tenth_of_the_cases(logs: dict) -> None:
    clean, noisy = traces(logs["clean"]), traces(logs["noisy"])
    assert clean.keys() == noisy.keys()
    differing = [case for case in clean if clean[case] != noisy[case]]
    assert len(differing) == round(0.1 * len(clean)) == logs["noisy_counts"]["noisy_cases"]
    assert len(set(noisy.values())) == logs["noisy_counts"]["variants"]


def result(**changes) -> dict:
    base = {
        "side": "pm4py",
        "events": 7,
        "cases": 2,
        "results": {
            "variants": [[["a", "b", "c", "d"], 1], [["a", "c"], 1]],
            "dfg": [["a", "b", 1], ["a", "c", 1], ["b", "c", 1], ["c", "d", 1]],
            "fitness": 0.95,
            "mean_case_duration_s": 3600.0,
            "median_case_duration_s": 3600.0,
        },
    }
    base["results"].update(changes)
    return base


def test_compare_accepts_identical_results_in_any_order() -> None:
    pmo = result(variants=result()["results"]["variants"][::-1], fitness=0.95 + 1e-7)
    assert compare(result(), pmo) == []


def test_compare_finds_a_changed_count_and_a_missing_variant() -> None:
    changed = result(dfg=[["a", "b", 2], ["a", "c", 1], ["b", "c", 1], ["c", "d", 1]])
    assert compare(result(), changed) == ["dfg edge a → b: pm4py 1, pmo 2"]
    missing = result(variants=[[["a", "b", "c", "d"], 1]])
    assert compare(result(), missing) == ["variant a → c: pm4py 1, missing in pmo"]


def test_compare_finds_a_fitness_difference_of_1e_5_and_a_duration_difference() -> None:
    assert compare(result(), result(fitness=0.95 + 1e-5)) == [
        f"fitness: pm4py 0.95, pmo {0.95 + 1e-5}"
    ]
    later = compare(result(), result(median_case_duration_s=3600.01))
    assert later == ["median_case_duration_s: pm4py 3600.0, pmo 3600.01"]


def test_stock_pipeline_writes_the_contract(logs: dict, tmp_path: Path) -> None:
    tiny, out = tmp_path / "tiny.csv", tmp_path / "stock.json"
    counts = generate_log(tiny, events=600)
    subprocess.run(
        [sys.executable, "-m", "bench.stock", str(tiny), "--json", str(out)],
        cwd=PROJECT,
        check=True,
        capture_output=True,
    )
    stock = json.loads(out.read_text(encoding="utf-8"))
    assert stock["side"] == "pm4py"
    assert (stock["events"], stock["cases"]) == (counts["events"], counts["cases"])
    assert list(stock["steps"]) == ["import", "read", "format", *ANALYSIS_STEPS]
    assert stock["analysis_s"] == pytest.approx(
        sum(stock["steps"][s] for s in ANALYSIS_STEPS), abs=1e-3
    )
    assert stock["total_s"] >= sum(stock["steps"].values()) - 1e-3 and stock["peak_rss_mb"] > 0
    results = stock["results"]
    expected = pd.Series(list(traces(tiny).values())).value_counts()
    assert {tuple(acts): n for acts, n in results["variants"]} == expected.to_dict()
    assert results["variants"] == sorted(results["variants"], key=lambda row: (-row[1], row[0]))
    assert sum(n for *_edge, n in results["dfg"]) == counts["events"] - counts["cases"]
    assert results["fitness"] == 1.0  # the inductive miner's net fits the log it was mined from
    assert 0 < results["median_case_duration_s"] and 0 < results["mean_case_duration_s"]
    assert compare(stock, {**stock, "side": "pmo"}) == []


STUB = """
import json, sys, os
args = sys.argv[1:]
out = args[args.index("--json") + 1]
fitness = 0.5 if "{side}" == "pmo" and os.environ.get("BENCH_STUB_DIFFERS") else 1.0
steps = {{"import": 0.5, "analysis": 1.0}} if "{side}" == "pmo" else {{"import": 1.0, "read": 1.0, "format": 1.0}}
result = {{"side": "{side}", "file": args[0], "events": 2, "cases": 1, "steps": steps,
          "analysis_s": 1.0, "total_s": 3.0, "peak_rss_mb": 10.0,
          "results": {{"variants": [[["a", "b"], 1]], "dfg": [["a", "b", 1]], "fitness": fitness,
                      "mean_case_duration_s": 60.0, "median_case_duration_s": 60.0}}}}
if "--conformance-only" in args:
    result = {{"side": "{side}", "conformance": {{"method": "stub"}}}}
json.dump(result, open(out, "w"))
"""


@pytest.mark.parametrize("differs", [False, True])
def test_runner_records_both_sides_and_fails_loudly_on_a_difference(
    differs: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    for side in ("pm4py", "pmo"):
        (tmp_path / f"stub_{side}.py").write_text(textwrap.dedent(STUB.format(side=side)))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    if differs:
        monkeypatch.setenv("BENCH_STUB_DIFFERS", "1")
    out = tmp_path / "results.json"
    # The workspace timings of an earlier run stay when this one skips them.
    out.write_text(json.dumps({"workspace": {"actions": ["earlier"]}}), encoding="utf-8")
    code = run_main(
        ["--sizes", "300", "--noisy-size", "300", "--data-dir", str(tmp_path / "data")]
        + ["--out", str(out), "--stock-module", "stub_pm4py", "--pmo-module", "stub_pmo"]
        + ["--skip-workspace"]
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    printed = capsys.readouterr()
    assert report["machine"]["cpu_count"] and report["machine"]["pm4py"]
    assert report["workspace"] == {"actions": ["earlier"]}
    assert report["noisy_conformance"]["pmo"] == {"side": "pmo", "conformance": {"method": "stub"}}
    assert report["noisy_conformance"]["log"]["noisy_cases"] > 0
    run = report["runs"][0]
    assert ["read_csv + format | pmo log import", 2.0, 0.5] in run["rows"]
    assert "4.0×" in printed.out  # the load row: pm4py 2.0 s against pmo 0.5 s
    if differs:
        assert code == 1 and report["ok"] is False
        assert run["differences"] == ["fitness: pm4py 1.0, pmo 0.5"]
        assert "fitness: pm4py 1.0, pmo 0.5" in printed.err
    else:
        assert code == 0 and report["ok"] is True and run["differences"] == []
    assert run["wall_s"]["pm4py"] > 0 and run["wall_s"]["pmo"] > 0
