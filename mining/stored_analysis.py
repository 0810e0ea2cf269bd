"""An analysis of a stored log computed once and kept (:mod:`mining.cache`), so a restarted
workspace, a recompute with other assumptions and a report all read it instead of the log.

An entry is keyed by everything its figures depend on: the log and its events file (a file put
back from a backup is not the one analysed), the view's filters, the process context (model
version and the models it calls, saved activity mapping, catalogue facts, deadline rule), the
options with the office's calendar and minimum group size, :data:`SCHEMA` and the code. The
assumptions are not part of it: the candidates, the only part they change, are computed from the
stored signals on every call, which takes milliseconds; the two assumptions that say how to read
the log (:data:`mining.analysis.SIGNAL_ASSUMPTIONS`) key the stored signals. Each part of an
analysis (:data:`PARTS`: the figures of the map and the variants, the other figures, the
comparison with the model, the candidates' signals) is an entry of its own: the workspace asks
for what its open tab shows (the comparison can take seconds where the map takes one), a report
for all of it, and what one computed the other reads.

Nothing is read for a log the catalogue no longer has, so a crash between deleting a log and
removing its analyses never serves one; :meth:`mining.LogStore.sweep_orphans` removes them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
from collections.abc import Collection
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from mining.analysis import (
    FLOW_KEYS,
    SIGNAL_ASSUMPTIONS,
    AnalysisOptions,
    ProcessContext,
    analyze,
    detail_figures,
    flow_figures,
    in_order,
    process_conformance,
    signals,
)
from mining.analysis import candidates as recommended
from mining.cache import AnalysisCache, digest
from mining.digitization import ActivitySignals, ProcessFacts, ProcessSignals, load_assumptions
from mining.ingest import LogNotFoundError, LogStore
from mining.query import LogView, analysis_session
from mining.results import AnalysisResult, ConformanceRecord
from process_registry import BpmnDocument

__all__ = ["PARTS", "SCHEMA", "Part", "analyze_stored", "conformance_stored"]

log = logging.getLogger(__name__)

# Bump whenever what analyze computes changes (a new key, another figure): older entries are
# then never read again, and go with their logs. The code's fingerprint below catches a change
# nobody bumped this for, at the price of one recomputation per log after any update.
SCHEMA = "analysis-2"


# The libraries whose results the figures are (conformance is pm4py's replay).
_LIBRARIES = ("duckdb", "numpy", "pandas", "pm4py", "pyarrow")


@functools.cache
def _code_fingerprint() -> str:
    """A digest of the source of the mining package (what computes every figure) and of the
    versions of the libraries it computes them with."""
    root = Path(__file__).resolve().parent
    hashed = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        hashed.update(path.relative_to(root).as_posix().encode())
        hashed.update(path.read_bytes())
    for library in _LIBRARIES:
        try:
            hashed.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            hashed.update(f"{library}=-".encode())
    return hashed.hexdigest()[:16]


# What analyze_stored can be asked for: the figures of a process map and the variants
# (mining.analysis.FLOW_KEYS), the other figures, the comparison with the model, the candidates.
Part = Literal["flow", "details", "conformance", "candidates"]
PARTS: tuple[Part, ...] = ("flow", "details", "conformance", "candidates")


def analyze_stored(
    store: LogStore,
    log_id: str,
    view: LogView,
    *,
    process: ProcessContext | None = None,
    options: AnalysisOptions | None = None,
    parts: Collection[Part] = PARTS,
) -> AnalysisResult:
    """:func:`mining.analyze` of ``view`` (a view of the stored log ``log_id``), read from the
    analyses stored beside the logs when they hold it, else computed and stored; only the
    ``parts`` asked for (each is an entry of its own: the workspace computes what its open tab
    shows, a report all of it). Raises LogNotFoundError for a log that is not (or no longer)
    stored."""
    options = options or AnalysisOptions()
    events = store.events_path(log_id)  # checks the catalogue before anything is read
    if Path(view.path) != events:
        raise ValueError(f"the view is not of the log {log_id}")
    wanted = set(parts) - ({"conformance"} if process is None else set())
    cache = AnalysisCache(store.data_dir)
    try:
        keys = _keys(log_id, events, view, process, options)
    except (TypeError, OSError) as err:
        log.warning("analysis of %s not stored: %s", log_id, err)
        return _only(analyze(view, process=process, options=options), wanted)
    facts = process.facts if process is not None and process.facts else ProcessFacts()
    found: dict[str, Any] = {
        part: cache.read(log_id, getattr(keys, part)) for part in wanted if part != "candidates"
    }
    if "candidates" in wanted:
        found["candidates"] = _signals_from(cache.read(log_id, keys.candidates), facts)
    missing = [part for part in PARTS if part in wanted and found[part] is None]
    if missing:
        with analysis_session(view):  # one read of the file for all that is missing
            for part in missing:
                found[part] = _computed(part, view, process, options)
                stored = _signals_record(found[part]) if part == "candidates" else found[part]
                cache.write(log_id, getattr(keys, part), stored)
        _forget_if_deleted(store, cache, log_id)
    result: dict[str, Any] = {**found.get("flow", {}), **found.get("details", {})}
    if "conformance" in wanted:
        result["conformance"] = found["conformance"]
    if "candidates" in wanted:
        result["candidates"] = recommended(found["candidates"], options)
    return in_order(result)


def _computed(
    part: Part, view: LogView, process: ProcessContext | None, options: AnalysisOptions
) -> Any:
    if part == "flow":
        return flow_figures(view, options)
    if part == "details":
        return detail_figures(view, process, options)
    if part == "conformance":
        assert process is not None  # no part "conformance" is asked for without one
        return process_conformance(view, process, options=options)
    return signals(view, process, options)


def _only(result: AnalysisResult, parts: set[str]) -> AnalysisResult:
    keys = set()
    if "flow" in parts:
        keys |= set(FLOW_KEYS)
    if "details" in parts:
        keys |= set(result) - set(FLOW_KEYS) - {"conformance", "candidates"}
    keys |= parts & {"conformance", "candidates"}
    return in_order({key: value for key, value in result.items() if key in keys})


def conformance_stored(
    store: LogStore,
    log_id: str,
    view: LogView,
    *,
    process: ProcessContext,
    options: AnalysisOptions | None = None,
) -> ConformanceRecord:
    """The ``conformance`` of :func:`analyze_stored` alone. Raises LogNotFoundError for a log
    that is not (or no longer) stored."""
    result = analyze_stored(
        store, log_id, view, process=process, options=options, parts=("conformance",)
    )
    return result["conformance"]


def _forget_if_deleted(store: LogStore, cache: AnalysisCache, log_id: str) -> None:
    try:
        store.get(log_id)
    except LogNotFoundError:
        cache.forget(log_id)  # deleted while it was analysed: nothing outlives it


@dataclasses.dataclass(frozen=True)
class _Keys:
    flow: str
    details: str
    conformance: str
    candidates: str  # the signals the candidates are computed from


def _keys(
    log_id: str,
    events: Path,
    view: LogView,
    process: ProcessContext | None,
    options: AnalysisOptions,
) -> _Keys:
    status = events.stat()
    base = (
        SCHEMA,
        _code_fingerprint(),
        log_id,
        # Not the inode: a backup restored with its times (cp -a, rsync -a) is the same file.
        [status.st_size, status.st_mtime_ns],
        view.filters,
        _process_form(process),
        dataclasses.replace(options, assumptions=None),
    )
    assumptions = options.assumptions or load_assumptions()
    read_by_signals = [assumptions[section][key] for section, key in SIGNAL_ASSUMPTIONS]
    common = digest(*base)
    return _Keys(
        flow=f"a-{digest('flow', common)}",
        details=f"d-{digest('details', common)}",
        conformance=f"c-{digest('conformance', common)}",
        candidates=f"s-{digest('signals', common, read_by_signals)}",
    )


def _process_form(process: ProcessContext | None) -> dict[str, Any] | None:
    """The context as values: its resolver is a function, so the models it resolves stand in."""
    if process is None:
        return None
    form = {
        f.name: getattr(process, f.name)
        for f in dataclasses.fields(process)
        if f.name != "resolve_call"
    }
    form["called"] = _called_models(process)
    return form


def _called_models(process: ProcessContext) -> list[tuple[str, BpmnDocument | None]]:
    if process.resolve_call is None:
        return []
    found: dict[str, BpmnDocument | None] = {}
    todo = [process.document]
    while todo:
        for node in todo.pop().nodes:
            name = node.called_element
            if name and name not in found:
                found[name] = target = process.resolve_call(name)
                if target is not None:
                    todo.append(target)
    return sorted(found.items(), key=lambda item: item[0])


def _signals_record(measured: ProcessSignals) -> dict[str, Any]:
    # The facts come from the process context, which is part of the key: not stored twice.
    record = {
        f.name: getattr(measured, f.name) for f in dataclasses.fields(measured) if f.name != "facts"
    }
    record["activities"] = [dataclasses.asdict(step) for step in measured.activities]
    return record


def _signals_from(record: Any, facts: ProcessFacts) -> ProcessSignals | None:
    if not isinstance(record, dict):
        return None
    try:
        steps = tuple(ActivitySignals(**step) for step in record["activities"])
        return ProcessSignals(**{**record, "facts": facts, "activities": steps})
    except (KeyError, TypeError) as err:
        log.warning("stored signals unreadable, recomputed: %s", err)
        return None
