"""Glue for ``pmo analyze``: find the log (stored or a file), the process context, and run it."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from mining import (
    AnalysisOptions,
    AnalysisResult,
    EventLogError,
    ImportOptions,
    LogStore,
    LogView,
    VariantCount,
    analyze,
    discover_bpmn,
    filter_local_days,
    filter_variants_top_k,
    get_variants,
    ingest_file,
    load_or_create_secret,
    office_calendar,
    open_log,
    write_bpmn,
)
from pmo.cli._filters import apply_filter_options
from pmo.context import process_context
from process_registry import OfficeSettings, Registry, regular_file_problem

__all__ = [
    "apply_filters",
    "discovered_model",
    "process_context",
    "run_analysis",
    "stored_or_ingested",
]


@contextmanager
def stored_or_ingested(
    store: LogStore, target: str, options: ImportOptions
) -> Iterator[tuple[LogView, str | None]]:
    """A view of the stored log ``target``, or of the file ``target`` ingested into a temp folder.

    Yields the view and the registered process key the stored log is linked to (None for files).
    """
    path = Path(target)
    if path.exists():
        # Named a path, not a log id: a device, pipe or folder is refused as such, unread.
        problem = regular_file_problem(path)
        if problem is not None:
            raise EventLogError(problem, source=target)
        secret = load_or_create_secret(store.data_dir)
        with tempfile.TemporaryDirectory(prefix="pmo-analyze-") as folder:
            events = Path(folder) / "events.parquet"
            ingest_file(path, events, options=options, secret=secret, source=path.name)
            yield open_log(events), None
        return
    info = store.get(target)
    yield open_log(store.events_path(target)), info.process


def run_analysis(
    view: LogView,
    *,
    registry: Registry,
    process_key: str | None,
    version: int | None,
    working_time: bool,
    alignments: bool,
    min_group_size: int,
    office: OfficeSettings | None = None,
) -> AnalysisResult:
    # The office's calendar ends legal deadlines on its Land's holidays even in clock time.
    calendar = office_calendar(office)
    context = process_context(registry, process_key, version) if process_key else None
    options = AnalysisOptions(
        calendar=calendar if working_time else None,
        office=calendar,
        min_group_size=min_group_size,
        conformance_method="alignments" if alignments else "token_replay",
    )
    return analyze(view, process=context, options=options)


def apply_filters(
    view: LogView,
    *,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    top_variants: int | None,
    filters: Sequence[str] = (),
) -> LogView:
    """The command line's filters; ``--from``/``--to`` are Berlin calendar days, as in reports,
    then the ``--filter`` texts in order, then ``--top-variants``."""
    view = filter_local_days(
        view,
        date_from.date() if date_from is not None else None,
        date_to.date() if date_to is not None else None,
    )
    view = apply_filter_options(view, filters)
    if top_variants is not None:
        view = filter_variants_top_k(view, top_variants)
    return view


def discovered_model(view: LogView, *, noise_threshold: float) -> bytes:
    """The log's process discovered by the inductive miner, as BPMN with diagram layout."""
    variants = get_variants(view)
    counted = [VariantCount(tuple(row.activities), int(row.cases)) for row in variants.itertuples()]
    return write_bpmn(discover_bpmn(counted, noise_threshold=noise_threshold))
