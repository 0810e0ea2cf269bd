"""The case explorer (issue 14): the cases behind a figure, a case's trace, the CSV export,
the cases of a deviation and ``pmo cases`` — checked against pandas and pm4py on real logs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pm4py
import pytest

from mining import (
    ConformanceError,
    ImportOptions,
    LogView,
    LogViewError,
    ProcessContext,
    analyze,
    case_trace,
    cases_csv,
    deviation_cases,
    filter_directly_follows,
    filter_variants,
    get_cases,
    get_variants,
    open_log,
    process_conformance,
)
from mining.ingest import ingest_file
from mining.ingest.privacy import load_or_create_secret
from process_registry import local_text
from process_registry.bpmn import parse_bpmn
from tests.cli_office import office_env, pmo_output, run_pmo
from tests.conftest import PROJECT, TESTS
from tests.municipal_log import SKIPPED_STEP, generate_hundesteuer_log, stored_hundesteuer_log
from tests.test_aggregates import events, read_with_pm4py, write_log

LOGS = TESTS / "data" / "logs"
CASE, ACTIVITY, TIME = "case:concept:name", "concept:name", "time:timestamp"
REAL_LOGS = ["running-example.xes", "08_receipt.xes.gz", "roadtraffic100traces.xes"]

# pm4py's alignments still build numpy.matrix objects.
pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")


@pytest.fixture(scope="module", params=REAL_LOGS, ids=lambda name: name.split(".")[0])
def real(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LogView, pd.DataFrame]]:
    folder = tmp_path_factory.mktemp("cases")
    events_file = folder / "events.parquet"
    ingest_file(
        LOGS / request.param,
        events_file,
        options=ImportOptions(),
        secret=load_or_create_secret(folder),
        source=request.param,
    )
    yield open_log(events_file), read_with_pm4py(LOGS / request.param, folder)


def pandas_cases(frame: pd.DataFrame) -> pd.DataFrame:
    """Per case, with pandas: first and last event, duration (max − min), events, trace."""
    ordered = frame.reset_index(drop=True).sort_values([CASE, TIME], kind="stable")
    grouped = ordered.groupby(CASE, sort=True)
    spans = grouped[TIME].agg(["min", "max", "count"])
    spans["duration_s"] = (spans["max"] - spans["min"]).dt.total_seconds()
    spans["trace"] = grouped[ACTIVITY].agg(tuple)
    spans.index = spans.index.astype(str)
    return spans


def test_case_list_equals_pandas(real: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real
    expected = pandas_cases(frame)
    listed = get_cases(view)
    assert listed.total == len(expected) == len(listed.cases)
    numbers = {acts: n for n, acts in enumerate(get_variants(view)["activities"], start=1)}
    for row in listed.cases:
        theirs = expected.loc[row.case]
        assert row.start == theirs["min"].to_pydatetime()
        assert row.end == theirs["max"].to_pydatetime()
        assert row.duration_s == pytest.approx(theirs["duration_s"], abs=1e-6)
        assert row.events == theirs["count"]
        assert row.variant == numbers[theirs["trace"]]
        assert row.start.utcoffset() is not None and row.start.utcoffset().total_seconds() == 0


def test_case_list_is_ordered_by_duration_then_case(real: tuple[LogView, pd.DataFrame]) -> None:
    view, _ = real
    rows = get_cases(view).cases
    keys = [(-row.duration_s, row.case) for row in rows]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("order", "key"),
    [
        ("events", lambda r: (-r.events, r.case)),
        ("start", lambda r: (r.start, r.case)),
        ("end", lambda r: (r.end, r.case)),
        ("case", lambda r: r.case),
        ("variant", lambda r: (r.variant, r.case)),
    ],
)
def test_other_orders(real: tuple[LogView, pd.DataFrame], order: str, key) -> None:  # type: ignore[no-untyped-def]
    view, _ = real
    rows = get_cases(view, order=order).cases  # type: ignore[arg-type]
    assert list(rows) == sorted(rows, key=key)


def test_limit_lists_the_first_cases_and_counts_all(real: tuple[LogView, pd.DataFrame]) -> None:
    view, _ = real
    everything = get_cases(view)
    first = get_cases(view, limit=3)
    assert first.total == everything.total and first.cases == everything.cases[:3]
    none = get_cases(view, limit=0)
    assert (none.total, none.cases) == (everything.total, ())


def test_cases_of_a_variant_keep_its_number_when_numbered_by_the_shown_view(
    real: tuple[LogView, pd.DataFrame],
) -> None:
    view, _ = real
    narrowed = filter_variants(view, [2])
    assert {row.variant for row in get_cases(narrowed, numbering=view).cases} == {2}
    # Numbered by itself, the only variant of the narrowed view is its first.
    assert {row.variant for row in get_cases(narrowed).cases} == {1}


def test_cases_of_an_edge_equal_pm4py(real: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real
    counts, _, _ = pm4py.discover_dfg(frame)
    source, target = min(counts, key=lambda edge: (-counts[edge], edge))
    listed = get_cases(filter_directly_follows(view, source, target), numbering=view)
    expected = pm4py.filter_directly_follows_relation(frame, [(source, target)])
    assert {row.case for row in listed.cases} == set(expected[CASE].astype(str))
    assert listed.total == expected[CASE].nunique()


def test_trace_equals_the_case_events_with_their_waits(real: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real
    longest = get_cases(view, limit=1).cases[0]
    steps = case_trace(view, longest.case)
    theirs = frame[frame[CASE].astype(str) == longest.case].sort_values(TIME, kind="stable")
    assert [step.activity for step in steps] == list(theirs[ACTIVITY])
    assert [step.timestamp for step in steps] == [t.to_pydatetime() for t in theirs[TIME]]
    waits = theirs[TIME].diff().dt.total_seconds().tolist()
    assert steps[0].wait_s is None
    assert [step.wait_s for step in steps[1:]] == pytest.approx(waits[1:])
    # The resource is the stored pseudonym, never the name in the file.
    recorded = theirs["org:resource"].notna().tolist()
    assert [step.resource is not None for step in steps] == recorded
    names = set(theirs["org:resource"].dropna().astype(str))
    assert not {step.resource for step in steps} & names
    assert len(steps) == longest.events


def test_trace_of_an_unknown_case_is_an_error_naming_it(
    real: tuple[LogView, pd.DataFrame],
) -> None:
    view, _ = real
    with pytest.raises(LogViewError, match="„gibt-es-nicht“"):
        case_trace(view, "gibt-es-nicht")


def test_case_list_record_is_exactly_the_contract(real: tuple[LogView, pd.DataFrame]) -> None:
    view, _ = real
    listed = get_cases(view, limit=2)
    record = json.loads(json.dumps(listed.to_dict()))
    assert set(record) == {"total", "cases"}
    for row, item in zip(listed.cases, record["cases"], strict=True):
        assert set(item) == {"case", "start", "end", "duration_s", "events", "variant"}
        # ISO times with their Berlin offset, the same instant.
        assert datetime.fromisoformat(item["start"]) == row.start
        assert item["start"][-6:] in ("+01:00", "+02:00")


def test_csv_follows_german_excel_conventions(tmp_path: Path) -> None:
    view = write_log(
        tmp_path / "log.parquet",
        [
            *events("=HYPERLINK(1)", ("A", "2024-03-30T22:00"), ("B", "2024-04-01T10:30")),
            *events("F-2", ("A", "2024-01-01T10:00"), ("B", "2024-01-01T16:00")),
        ],
    )
    data = cases_csv(get_cases(view))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, first, second = rows
    assert header[:3] == ["Fall", "Beginn", "Ende"]
    # The longest first; its id would run as a formula without the apostrophe.
    assert first[0] == "'=HYPERLINK(1)"
    # Berlin's clock: 22:00 UTC on 30 March is 23:00 CET, 10:30 UTC on 1 April 12:30 CEST.
    assert first[1:3] == ["30.03.2024 23:00", "01.04.2024 12:30"]
    days = dict(zip(header, second, strict=True))["Durchlaufzeit (Tage)"]
    assert days == "0,25"  # six hours, decimal comma
    assert dict(zip(header, first, strict=True))["Durchlaufzeit (Sekunden)"] == "131400,0"


# -- the cases of a deviation -------------------------------------------------------------------


@pytest.fixture(scope="module")
def hundesteuer(tmp_path_factory: pytest.TempPathFactory) -> tuple[LogView, pd.DataFrame]:
    """The generated Hundesteuer log (25 % skip a mandatory step) stored, and read by pm4py."""
    folder = tmp_path_factory.mktemp("hundesteuer")
    view = open_log(stored_hundesteuer_log(folder))
    frame = pd.read_csv(folder / "hundesteuer.csv", sep=";", encoding="cp1252")
    frame = pd.DataFrame(
        {
            # Python strings: pm4py's variant filter cannot compare pandas' Arrow-backed ones.
            CASE: frame["Aktenzeichen"].astype(object),
            ACTIVITY: frame["Tätigkeit"].astype(object),
            TIME: pd.to_datetime(frame["Zeitpunkt"], format="%d.%m.%Y %H:%M"),
        }
    )
    return view, frame


def test_deviation_cases_are_the_cases_of_its_variants(
    hundesteuer: tuple[LogView, pd.DataFrame],
) -> None:
    view, frame = hundesteuer
    document = parse_bpmn((PROJECT / "bpmn_models" / "hundesteuer-anmeldung.bpmn").read_bytes())
    process = ProcessContext(key="hundesteuer-anmeldung", version=1, document=document)
    record = analyze(view, process=process)["conformance"]
    assert ("skipped", SKIPPED_STEP) in {(d["kind"], d["activity"]) for d in record["deviations"]}
    # The check alone finds the same deviations as the whole analysis.
    alone = process_conformance(view, process, with_precision=False)
    assert [(d["kind"], d["activity"], d["variants"]) for d in alone["deviations"]] == [
        (d["kind"], d["activity"], d["variants"]) for d in record["deviations"]
    ]
    listed = get_variants(view)
    for deviation in record["deviations"]:
        found = deviation_cases(view, record, deviation["kind"], deviation["activity"])
        assert found.total == deviation["cases"]
        assert {row.variant for row in found.cases} == set(deviation["variants"])
        assert set(deviation["example_cases"]) <= {row.case for row in found.cases}
        activities = [listed["activities"][n - 1] for n in deviation["variants"]]
        expected = pm4py.filter_variants(frame, activities)
        assert {row.case for row in found.cases} == set(expected[CASE].astype(str))


def test_an_unknown_deviation_names_the_ones_found(
    hundesteuer: tuple[LogView, pd.DataFrame],
) -> None:
    view, _ = hundesteuer
    record = {"deviations": [{"kind": "skipped", "activity": "A", "variants": [1]}]}
    with pytest.raises(ConformanceError, match="Gefunden: skipped:A"):
        deviation_cases(view, record, "skipped", "B")
    with pytest.raises(ConformanceError, match="Abweichungsart"):
        deviation_cases(view, record, "late", "A")


# -- pmo cases and pmo analyze --filter ---------------------------------------------------------


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str, pd.DataFrame]:
    """An office with the Hundesteuer model and a generated log of 400 cases linked to it."""
    folder = tmp_path_factory.mktemp("office")
    env = office_env(folder)
    pmo_output("demo", "--no-logs", env=env)
    log = generate_hundesteuer_log(folder / "hundesteuer.csv")
    imported = json.loads(
        pmo_output(
            "log",
            "import",
            str(log),
            "--process",
            "hundesteuer-anmeldung",
            "--attribute",
            "Eingangskanal",
            "--json",
            env=env,
        )
    )
    frame = pd.read_csv(log, sep=";", encoding="cp1252")
    # Berlin wall-clock time as the importer reads it: a time in the spring gap moves forward,
    # one in the autumn's double hour is the earlier instant.
    frame["Zeitpunkt"] = pd.to_datetime(frame["Zeitpunkt"], format="%d.%m.%Y %H:%M").dt.tz_localize(
        "Europe/Berlin", ambiguous=np.ones(len(frame), dtype=bool), nonexistent="shift_forward"
    )
    return env, imported["log_id"], frame


def cases_json(env: dict[str, str], log_id: str, *args: str) -> dict:
    return json.loads(pmo_output("cases", log_id, *args, "--json", env=env))


def test_pmo_cases_json_lists_every_case_longest_first(
    office: tuple[dict[str, str], str, pd.DataFrame],
) -> None:
    env, log_id, frame = office
    result = cases_json(env, log_id)
    spans = frame.groupby("Aktenzeichen")["Zeitpunkt"].agg(["min", "max", "count"])
    assert set(result) == {"total", "cases"}
    assert result["total"] == len(spans) == len(result["cases"])
    durations = [row["duration_s"] for row in result["cases"]]
    assert durations == sorted(durations, reverse=True)
    for row in result["cases"]:
        theirs = spans.loc[row["case"]]
        assert row["duration_s"] == (theirs["max"] - theirs["min"]).total_seconds()
        assert row["events"] == theirs["count"]
        assert datetime.fromisoformat(row["start"]) == theirs["min"].to_pydatetime()


def test_pmo_cases_of_an_activity_an_edge_and_a_variant(
    office: tuple[dict[str, str], str, pd.DataFrame],
) -> None:
    env, log_id, frame = office
    traces = frame.groupby("Aktenzeichen", sort=False)["Tätigkeit"].agg(tuple)
    scanned = cases_json(env, log_id, "--activity", "Papieranmeldung scannen")
    assert {row["case"] for row in scanned["cases"]} == {
        case for case, trace in traces.items() if "Papieranmeldung scannen" in trace
    }
    source, target = "Anmeldung prüfen", "Anmeldung prüfen"
    looped = cases_json(env, log_id, "--edge", source, target)
    assert {row["case"] for row in looped["cases"]} == {
        case
        for case, trace in traces.items()
        if any(pair == (source, target) for pair in zip(trace, trace[1:], strict=False))
    }
    second = cases_json(env, log_id, "--variant", "2")
    assert {row["variant"] for row in second["cases"]} == {2}
    counts = traces.value_counts()
    assert second["total"] == sorted(counts, reverse=True)[1]


def test_pmo_cases_of_a_deviation_are_the_cases_that_show_it(
    office: tuple[dict[str, str], str, pd.DataFrame],
) -> None:
    env, log_id, frame = office
    result = cases_json(env, log_id, "--deviation", f"skipped:{SKIPPED_STEP}")
    traces = frame.groupby("Aktenzeichen")["Tätigkeit"].agg(set)
    assert {row["case"] for row in result["cases"]} == {
        case for case, steps in traces.items() if SKIPPED_STEP not in steps
    }
    analysis = json.loads(pmo_output("analyze", log_id, "--json", env=env))
    reported = next(
        d
        for d in analysis["conformance"]["deviations"]
        if (d["kind"], d["activity"]) == ("skipped", SKIPPED_STEP)
    )
    assert result["total"] == reported["cases"]


def test_pmo_cases_writes_the_csv(
    office: tuple[dict[str, str], str, pd.DataFrame], tmp_path: Path
) -> None:
    env, log_id, _ = office
    target = tmp_path / "faelle.csv"
    output = pmo_output("cases", log_id, "--limit", "5", "--csv", str(target), env=env)
    assert "5 Fälle" in output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = data.decode("utf-8-sig").splitlines()
    assert header.split(";")[:2] == ["Fall", "Beginn"] and len(rows) == 5
    assert "," in rows[0].split(";")[3]  # the days, with a decimal comma


def test_pmo_cases_with_filters_in_words(
    office: tuple[dict[str, str], str, pd.DataFrame],
) -> None:
    env, log_id, frame = office
    output = pmo_output(
        "cases",
        log_id,
        "--filter",
        "period:completed:2024-02-01..2024-02-29",
        "--filter",
        "attribute:Eingangskanal=Papier",
        "--limit",
        "3",
        env=env,
    )
    assert output.splitlines()[0].startswith(
        "Fälle, die im Zeitraum 01.02.2024–29.02.2024 abgeschlossen wurden"
    )
    assert "Zeitraum (abgeschlossen): 01.02.2024–29.02.2024 · Eingangskanal: Papier" in output
    last = frame.groupby("Aktenzeichen").agg(
        end=("Zeitpunkt", "max"), channel=("Eingangskanal", "first")
    )
    february = last[
        (last["end"].dt.month == 2) & (last["end"].dt.year == 2024) & (last["channel"] == "Papier")
    ]
    assert f"{len(february)} Fälle" in output
    first_case = output.splitlines()[4].split()[0]  # after period, filters, count, header
    assert first_case in february.index
    assert local_text(february.loc[first_case, "end"].to_pydatetime()) in output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--filter", "dauer:1d"), "--filter „dauer:1d“"),
        (("--filter", "duration:1x..2d"), "Dauer „1x“"),
        (("--filter", "attribute:Farbe=rot"), "Spalte „Farbe“"),
        (("--filter", "period:sometime:2024-01-01..2024-02-01"), "MODUS"),
        (("--filter", "variant:eins"), "ganze Zahlen"),
        (("--deviation", "skipped"), "--deviation „skipped“"),
    ],
)
def test_a_bad_option_is_one_german_line(
    office: tuple[dict[str, str], str, pd.DataFrame], args: tuple[str, ...], fragment: str
) -> None:
    env, log_id, _ = office
    for command in (("cases", log_id, *args), ("analyze", log_id, *args)):
        if command[0] == "analyze" and args[0] == "--deviation":
            continue
        result = run_pmo(*command, env=env)
        message = result.stderr.decode()
        assert result.returncode == 2, message
        assert "Traceback" not in message and message.count("\n") == 1, message
        assert message.startswith("Fehler: ") and fragment in message


def test_pmo_analyze_filter_changes_the_figures(
    office: tuple[dict[str, str], str, pd.DataFrame],
) -> None:
    env, log_id, frame = office
    whole = json.loads(pmo_output("analyze", log_id, "--json", env=env))
    paper = json.loads(
        pmo_output(
            "analyze", log_id, "--filter", "attribute:Eingangskanal=Papier", "--json", env=env
        )
    )
    online = json.loads(
        pmo_output(
            "analyze", log_id, "--filter", "not-activity:Papieranmeldung scannen", "--json", env=env
        )
    )
    channels = frame.groupby("Aktenzeichen")["Eingangskanal"].first()
    assert whole["log"]["cases"] == len(channels)
    assert paper["log"]["cases"] == (channels == "Papier").sum()
    assert online["log"]["cases"] == (channels == "Online").sum()
    assert paper["case_duration_s"] != whole["case_duration_s"]
