"""One upload → one Parquet file of canonical events: read, map, normalize, check, summarise.

No database here: :class:`mining.ingest.store.LogStore` catalogues the result, ``pmo analyze FILE``
analyses it in a temporary folder. The target file is complete when this returns; on any error the
caller deletes it.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa

from mining.errors import EventLogError, MiningError, StorageError
from mining.ingest.checks import ranked_activities
from mining.ingest.columns import ColumnMapping, resolve_mapping
from mining.ingest.normalize import NormalizeOptions, Normalizer, NormalizeReport, dropped_columns
from mining.ingest.privacy import Pseudonymizer, SecretKey, read_role_map
from mining.ingest.read import Detected, ReadOptions, TableReader, open_table
from mining.ingest.timestamps import BERLIN, TimestampPolicy
from mining.query import LogStats, arranged_log_stats, write_arranged
from process_registry import os_error_reason

__all__ = ["ImportOptions", "Ingested", "ingest_file"]

# How many offending line numbers a message lists before it says "und N weitere".
_LINES_SHOWN = 10


@dataclass(frozen=True)
class ImportOptions:
    """How to read and map one upload. Unset columns are suggested from the header."""

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    start_timestamp: str | None = None
    resource: str | None = None
    org_unit: str | None = None
    attributes: tuple[str, ...] = ()
    # Columns never kept (the explicit drop wins over --attribute and over a recognized channel).
    drop_attributes: tuple[str, ...] = ()
    read: ReadOptions = field(default_factory=ReadOptions)
    timestamp_format: str | None = None
    process_key: str | None = None
    department: str | None = None
    surrogate_case_ids: bool = False
    resource_map: Path | None = None
    drop_resources: bool = False
    retention_days: int | None = None
    # False: an optional column (start, resource, org unit) the user left unmapped stays unmapped
    # instead of being filled from the header suggestions (the wizard's "– keine –").
    fill_optional: bool = True
    # Zone of naive timestamps: local time in Berlin unless a system exports UTC (or another zone).
    timezone: str = BERLIN

    def __post_init__(self) -> None:
        if self.retention_days is not None and self.retention_days < 0:
            raise MiningError(
                f"Die Aufbewahrungsfrist darf nicht negativ sein (angegeben: {self.retention_days} "
                "Tage). 0 heißt: am Tag des Imports zur Löschung fällig."
            )


@dataclass(frozen=True)
class Ingested:
    detected: Detected
    mapping: ColumnMapping
    report: NormalizeReport
    summary: LogStats
    activities: tuple[str, ...]  # most frequent first (the import checks compare them)
    dropped: tuple[str, ...]
    messages: tuple[str, ...]


def ingest_file(
    path: Path, target: Path, *, options: ImportOptions, secret: SecretKey, source: str
) -> Ingested:
    """Write the canonical events of ``path`` to ``target`` (Parquet) or raise naming the lines."""
    _check_timezone(options.timezone, source)
    with open_table(path, options=options.read, display_name=source) as reader:
        mapping = resolve_mapping(
            reader.detected.columns,
            case=options.case,
            activity=options.activity,
            timestamp=options.timestamp,
            start_timestamp=options.start_timestamp,
            resource=options.resource,
            org_unit=options.org_unit,
            attributes=options.attributes,
            drop=options.drop_attributes,
            source=source,
            fill_optional=options.fill_optional,
        )
        normalizer = Normalizer(_normalize_options(mapping, options, secret), source=source)
        # Held in memory as it streams in (text dictionary-encoded by the normalizer), then
        # sorted by case and written once (mining.query.layout): every later analysis reads the
        # cases' events contiguous and in order.
        try:
            events = _collect(normalizer, reader, source)
            _reject_invalid_rows(normalizer.report(), source)
            # Channel columns whose values look like personal data never reach the stored log.
            withheld = tuple(name for name, _ in normalizer.report().withheld_channels)
            with _storing(target):
                events = write_arranged(events, target, drop=withheld)
        except MemoryError:
            # The log's columns are held in memory once; a log too large for this machine is
            # refused with that reason, and nothing is stored.
            raise EventLogError(
                f"Die Datei ist mit {normalizer.report().rows_out:,} Ereignissen zu groß, um "
                "sie im Arbeitsspeicher dieses Rechners nach Fällen zu ordnen; nichts wurde "
                "importiert. Bitte in kleineren Zeiträumen hochladen.".replace(",", "."),
                source=source,
            ) from None
        seen = reader.seen_columns()
        # Final only now: a CSV that looked like UTF-8 at first may have turned out cp1252.
        detected = reader.detected
    report = normalizer.report()
    if withheld:
        mapping = replace(
            mapping,
            attributes=tuple(name for name in mapping.attributes if name not in withheld),
            channels=tuple(name for name in mapping.channels if name not in withheld),
        )
    summary = arranged_log_stats(events)
    activities = ranked_activities(events["activity"])
    if summary.events == 0:
        raise EventLogError("Die Datei enthält keine gültigen Ereignisse.", source=source)
    dropped = dropped_columns(seen, mapping)
    messages = list(report.messages())
    if dropped:
        messages.append("Nicht übernommene Spalten (Datenminimierung): " + ", ".join(dropped) + ".")
    return Ingested(detected, mapping, report, summary, activities, dropped, tuple(messages))


def _check_timezone(name: str, source: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise EventLogError(
            f"unbekannte Zeitzone „{name}“ (z. B. Europe/Berlin oder UTC).", source=source
        ) from None


def _normalize_options(
    mapping: ColumnMapping, options: ImportOptions, secret: SecretKey
) -> NormalizeOptions:
    resources = None
    if mapping.resource and not options.drop_resources:
        role_map = read_role_map(options.resource_map) if options.resource_map else None
        resources = Pseudonymizer(secret, prefix="P-", role_map=role_map)
    cases = Pseudonymizer(secret, prefix="F-") if options.surrogate_case_ids else None
    return NormalizeOptions(
        mapping=mapping,
        timestamp_format=options.timestamp_format,
        policy=TimestampPolicy(format=options.timestamp_format, timezone=options.timezone),
        resource_pseudonymizer=resources,
        case_pseudonymizer=cases,
    )


def _collect(normalizer: Normalizer, reader: TableReader, source: str) -> pa.Table:
    parts: list[pa.RecordBatch] = []
    sequence = 0
    batches = _read_ahead(reader.batches()) if reader.streams_on_worker else reader.batches()
    try:
        for raw in batches:
            batch = normalizer.normalize(raw)
            # File order is the tie-breaker for equal timestamps, as in pm4py's stable sort.
            seq = pa.array(np.arange(sequence, sequence + batch.num_rows, dtype=np.int64))
            sequence += batch.num_rows
            parts.append(batch.append_column("seq", seq))
    finally:
        if isinstance(batches, Generator):
            batches.close()  # waits for the worker: the reader is closed only after it
    if not parts:
        raise EventLogError("Die Datei enthält keine Datenzeilen.", source=source)
    return pa.Table.from_batches(parts)


def _read_ahead(batches: Iterator[pa.RecordBatch]) -> Generator[pa.RecordBatch]:
    """``batches`` in order, the next one read on a worker thread while the caller normalizes
    this one: reading and normalizing each take about half of an import, and both run mostly
    in pyarrow without the GIL. An error of the reader is raised here, at its place in order."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmo-read") as pool:
        ahead = pool.submit(next, batches, None)
        while (batch := ahead.result()) is not None:
            ahead = pool.submit(next, batches, None)
            yield batch


@contextmanager
def _storing(target: Path) -> Iterator[None]:
    """Turn a failed write of the events file into one message naming the folder and the reason."""
    try:
        yield
    except StorageError:
        raise
    except OSError as err:
        raise StorageError(
            f"Die Ereignisdatei kann in {target.parent} nicht geschrieben werden "
            f"({os_error_reason(err)}); nichts wurde importiert."
        ) from None


def _reject_invalid_rows(report: NormalizeReport, source: str) -> None:
    if not report.invalid_timestamps:
        return
    lines = [line for line, _ in report.invalid_timestamps]
    first_line, first_reason = report.invalid_timestamps[0]
    raise EventLogError(
        f"{len(lines)} Zeile(n) mit ungültigem Zeitstempel ({first_reason}); nichts wurde "
        f"importiert. Betroffene Zeilen: {_listed(lines)}. Zeitformat angeben "
        "(Kommandozeile: --timestamp-format) oder die Zeilen korrigieren.",
        source=source,
        line=first_line,
        lines=tuple(lines),
    )


def _listed(lines: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:_LINES_SHOWN])
    rest = len(lines) - _LINES_SHOWN
    return shown + (f" und {rest} weitere" if rest > 0 else "")
