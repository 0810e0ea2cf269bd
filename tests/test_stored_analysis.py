"""Analyses that outlive a process (issue 18): kept beside the log, reused, removed with it.

Built on the Hundesteuer sample log of the demo (1,150 cases) and its registered model. A stored
analysis must read back as what was computed (texts in both languages), must never be served for
other inputs (filters, model, settings, a replaced events file) or for a deleted log, and a
change of the assumptions recomputes only the candidates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import mining.analysis as analysis
import mining.stored_analysis as stored
from mining import (
    AnalysisCache,
    AnalysisOptions,
    LogNotFoundError,
    LogStore,
    LogView,
    Text,
    WorkingCalendar,
    analyze,
    analyze_stored,
    checked_values,
    filter_variants_top_k,
    load_assumptions,
    open_log,
)
from mining.cache import digest, dumps, loads
from pmo import build_report, model_review, process_context
from pmo._sample_logs import FOLDER, sample_options, samples
from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.conftest import SAMPLE_MODELS

HUNDESTEUER = "hundesteuer-anmeldung"
SAMPLE = {s.key: s for s in samples()}[HUNDESTEUER]
# What computes a part of a stored analysis (mining.stored_analysis.PARTS) from the log.
ANALYSING = ("flow_figures", "detail_figures", "process_conformance", "signals")


@pytest.fixture
def office(sqlite_url: str, tmp_path: Path) -> tuple[Registry, LogStore, str]:
    database = Database(sqlite_url)
    upgrade_schema(database)
    registry = Registry(database)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    store = LogStore(database, tmp_path / "daten")
    imported = store.import_file(
        FOLDER / SAMPLE.file_name,
        uploader="fd-steuern",
        options=sample_options(HUNDESTEUER),
        review=model_review(registry),
    )
    return registry, store, imported.log_id


def _entries(store: LogStore, log_id: str, kind: str = "a") -> set[str]:
    folder = AnalysisCache(store.data_dir).folder / log_id
    return {p.name for p in folder.glob(f"{kind}-*.json")} if folder.is_dir() else set()


def _analyse(registry: Registry, store: LogStore, log_id: str, **options: object) -> dict:
    view = open_log(store.events_path(log_id))
    context = process_context(registry, HUNDESTEUER)
    return analyze_stored(store, log_id, view, process=context, options=AnalysisOptions(**options))


def test_the_encoding_reads_back_texts_tuples_and_odd_keys() -> None:
    value = {
        "reasons": [Text("Fälle warten", "cases wait"), "plain"],
        "pair": ("A", "B"),
        "counts": {1: "one", ("A", "B"): 2},
        "tagged": {"__pmo__": "not a tag"},
        "figures": [1.5, math.inf, None, True, 0],
    }
    back = loads(dumps(value))
    assert back == value
    [reason, plain] = back["reasons"]
    assert type(reason) is Text and reason.en == "cases wait"
    assert type(plain) is str
    assert math.isnan(loads(dumps([math.nan]))[0])
    with pytest.raises(TypeError):
        dumps({"frame": object()})


def test_a_stored_analysis_equals_the_computed_one_and_keeps_both_languages(
    office: tuple[Registry, LogStore, str],
) -> None:
    registry, store, log_id = office
    view = open_log(store.events_path(log_id))
    computed = analyze(view, process=process_context(registry, HUNDESTEUER))
    first = _analyse(registry, store, log_id)  # computed and written
    again = _analyse(registry, store, log_id)  # read back
    assert first == computed
    assert again == computed
    assert list(again) == list(computed)  # the keys in the order of the JSON contract
    notes = [n for n in again["conformance"]["notes"] if isinstance(n, Text)]
    reasons = [r for c in again["candidates"] for r in c["reasons"]]
    assert reasons and all(type(r) is Text and r.en for r in reasons)
    assert all(n.en for n in notes)
    assert len(_entries(store, log_id)) == 1


def test_each_part_is_computed_when_asked_for_and_kept_for_all_who_ask(
    office: tuple[Registry, LogStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry, store, log_id = office
    view = open_log(store.events_path(log_id))
    context = process_context(registry, HUNDESTEUER)
    computed = analyze(view, process=context)
    compared: list[int] = []
    original = analysis._conformance

    def counted(*args, **kwargs):
        compared.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(analysis, "_conformance", counted)
    flow = analyze_stored(store, log_id, view, process=context, parts=("flow",))
    assert list(flow) == [k for k in computed if k in analysis.FLOW_KEYS]  # what a map needs
    assert not _entries(store, log_id, "d")  # the other figures wait until they are asked for
    figures = analyze_stored(store, log_id, view, process=context, parts=("flow", "details"))
    assert not compared  # what the map needs is there without replaying a single trace
    assert "conformance" not in figures and "candidates" not in figures
    assert figures == {k: v for k, v in computed.items() if k not in ("conformance", "candidates")}
    record = stored.conformance_stored(store, log_id, view, process=context)
    assert record == computed["conformance"] and len(compared) == 1
    whole = analyze_stored(store, log_id, view, process=context)  # as a report asks for it
    assert whole == computed and list(whole) == list(computed)
    assert len(compared) == 1  # the comparison stored once, read by both


def test_every_input_of_the_figures_is_its_own_entry(
    office: tuple[Registry, LogStore, str],
) -> None:
    registry, store, log_id = office
    context = process_context(registry, HUNDESTEUER)
    events = store.events_path(log_id)

    def run(view=None, process=context, **options: object) -> dict:
        view = view or open_log(events)
        chosen = AnalysisOptions(**options)
        result = analyze_stored(store, log_id, view, process=process, options=chosen)
        # Each entry holds the figures of its own inputs, not those of an earlier one.
        assert result == analyze(view, process=process, options=chosen)
        return result

    whole = run()
    top = run(filter_variants_top_k(open_log(events), 1))
    assert top["log"]["cases"] < whole["log"]["cases"]
    run(process=dataclasses.replace(context, version=context.version + 1))
    run(
        process=dataclasses.replace(
            context, saved_mapping={"Telefonische Rückfrage": "Anmeldung prüfen"}
        )
    )
    run(process=dataclasses.replace(context, legal_deadline_days=5))
    run(process=None)
    run(min_group_size=20)
    run(calendar=WorkingCalendar())
    run(office=WorkingCalendar(land="BY"))
    assert len(_entries(store, log_id)) == 9
    run(process=None)  # asked again: read, not another entry
    assert len(_entries(store, log_id)) == 9


def test_a_replaced_events_file_is_analysed_again(office: tuple[Registry, LogStore, str]) -> None:
    registry, store, log_id = office
    before = _analyse(registry, store, log_id)
    # The file put back from another state (a restored backup) under the same log id.
    events = store.events_path(log_id)
    table = pq.read_table(events)
    first_cases = pc.unique(table["case_id"])[:100]
    pq.write_table(table.filter(pc.is_in(table["case_id"], value_set=first_cases)), events)
    after = _analyse(registry, store, log_id)
    assert before["log"]["cases"] == 1150
    assert after["log"]["cases"] == 100


def test_a_data_folder_copied_with_its_times_keeps_its_analyses(
    office: tuple[Registry, LogStore, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup restored with ``cp -a`` / ``rsync -a`` (new inodes, same times and sizes) serves
    what was stored, as the workspace benchmark's copied folders do."""
    registry, store, log_id = office
    before = _analyse(registry, store, log_id)
    copy = LogStore(store.db, shutil.copytree(store.data_dir, tmp_path / "kopie"))

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("analysed again although the copy holds the stored analysis")

    for name in ANALYSING:
        monkeypatch.setattr(stored, name, refuse)
    assert _analyse(registry, copy, log_id) == before


def test_other_assumptions_recompute_only_the_candidates(
    office: tuple[Registry, LogStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry, store, log_id = office
    standard = load_assumptions()
    first = _analyse(registry, store, log_id, assumptions=standard)
    calls = {"flow_figures": 0, "detail_figures": 0, "signals": 0}

    def counted(name: str):
        original = getattr(stored, name)

        def run(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        return run

    monkeypatch.setattr(stored, "flow_figures", counted("flow_figures"))
    monkeypatch.setattr(stored, "detail_figures", counted("detail_figures"))
    monkeypatch.setattr(stored, "signals", counted("signals"))
    cheaper = checked_values(standard, {"cost_rates_eur_per_hour.E9b": 20.0})
    changed = _analyse(registry, store, log_id, assumptions=cheaper)
    assert calls == {"flow_figures": 0, "detail_figures": 0, "signals": 0}
    assert changed["candidates"] != first["candidates"]
    assert {k: v for k, v in changed.items() if k != "candidates"} == {
        k: v for k, v in first.items() if k != "candidates"
    }
    fresh = analyze(
        open_log(store.events_path(log_id)),
        process=process_context(registry, HUNDESTEUER),
        options=AnalysisOptions(assumptions=cheaper),
    )
    assert changed == fresh
    # The two assumptions that say how the log is read measure the signals again, once.
    sessions = checked_values(standard, {"rpa.session_minutes": 5})
    _analyse(registry, store, log_id, assumptions=sessions)
    _analyse(registry, store, log_id, assumptions=sessions)
    assert calls == {"flow_figures": 0, "detail_figures": 0, "signals": 1}


def test_an_unreadable_entry_is_computed_again(office: tuple[Registry, LogStore, str]) -> None:
    registry, store, log_id = office
    computed = _analyse(registry, store, log_id)
    folder = AnalysisCache(store.data_dir).folder / log_id
    for entry in folder.glob("*.json"):
        entry.write_bytes(entry.read_bytes()[:100])  # cut off, as by a full disk
    assert _analyse(registry, store, log_id) == computed
    assert _analyse(registry, store, log_id) == computed  # and written whole again
    assert not list(folder.glob("*.tmp"))


def test_deleting_a_log_deletes_its_analyses(office: tuple[Registry, LogStore, str]) -> None:
    registry, store, log_id = office
    _analyse(registry, store, log_id)
    assert _entries(store, log_id)
    store.delete(log_id, actor="test")
    assert not (AnalysisCache(store.data_dir).folder / log_id).exists()


def test_the_retention_purge_deletes_the_analyses(office: tuple[Registry, LogStore, str]) -> None:
    registry, store, log_id = office
    _analyse(registry, store, log_id)
    due = store.get(log_id).delete_after
    assert store.purge_expired(today=due + dt.timedelta(days=1)) == [log_id]
    assert not (AnalysisCache(store.data_dir).folder / log_id).exists()


def test_analyses_left_by_a_crash_are_never_served_and_swept(
    office: tuple[Registry, LogStore, str],
) -> None:
    registry, store, log_id = office
    _analyse(registry, store, log_id)
    folder = AnalysisCache(store.data_dir).folder / log_id
    events = store.events_path(log_id)
    kept = {p: p.read_bytes() for p in folder.iterdir()}
    store.delete(log_id, actor="test")
    # A crash after the row went and before the files did: put them back.
    events.write_bytes(b"")
    folder.mkdir(parents=True)
    for path, data in kept.items():
        path.write_bytes(data)
    with pytest.raises(LogNotFoundError):
        analyze_stored(store, log_id, LogView(events))
    store.sweep_orphans()
    assert not folder.exists()


def test_a_report_reads_the_stored_analyses_and_is_the_same(
    office: tuple[Registry, LogStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry, store, _log_id = office
    now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    computed = build_report(registry, store, actor="test", now=now)

    def refuse(*_args, **_kwargs):
        raise AssertionError("analysed the log again")

    for module in (stored, analysis):  # neither the stored analysis nor a plain analyze
        for name in (*ANALYSING, "aggregates"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)
    assert build_report(registry, store, actor="test", now=now) == computed


def test_keys_do_not_depend_on_the_interpreter_run() -> None:
    # A frozenset's order follows the hash seed; the key must not.
    assert digest(frozenset({"b", "a", "c"})) == digest(frozenset({"c", "b", "a"}))
    assert digest({"x": 1, "y": 2}) == digest({"y": 2, "x": 1})
    assert digest(("a", 1)) != digest(("a", "1"))
    with pytest.raises(TypeError):
        digest(object())


def test_concurrent_writers_leave_one_whole_entry(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cache = AnalysisCache(tmp_path)
    value = {"rows": [{"activity": Text("Prüfen", "Check"), "n": n} for n in range(5000)]}
    seen: list[object] = []

    def write_and_read(_: int) -> None:
        cache.write("L1", "a-key", value)
        seen.append(cache.read("L1", "a-key"))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write_and_read, range(32)))
    assert all(entry == value for entry in seen)
    assert [p.name for p in (cache.folder / "L1").iterdir()] == ["a-key.json"]


def test_the_store_refuses_what_it_cannot_keep_and_names_that_are_no_ids(tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path)
    assert cache.write("L1", "a-key", {"frame": object()}) is False
    assert cache.read("L1", "a-key") is None
    with pytest.raises(ValueError):
        cache.write(f"{os.pardir}/L1", "a-key", {})  # a log id that climbs out of the folder
    cache.forget("..")  # never a path outside the folder
    assert tmp_path.exists()
