"""A stored event log plus filters: "a log in, a log out", without copying a single event.

A :class:`LogView` names the Parquet file of an imported log and the filters applied to it, in
order. Filters only describe what to keep; :mod:`mining.query.queries` compiles them into SQL, so a
chain of filters over five million events costs one query, not one copy per filter::

    view = open_log(store.events_path(log_id))
    recent = filter_time_range(view, datetime(2024, 1, 1), datetime(2025, 1, 1))
    main_flow = filter_variants_top_k(recent, 10)
    get_dfg(main_flow)

Every filter except time-window mode ``"trim"`` keeps or drops whole cases, judged on the events
the view holds at that point of the chain (so the order of filters matters, as in pm4py).

Views are frozen and hashable (a page may cache results keyed by the view).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from numbers import Integral
from pathlib import Path
from typing import Literal, get_args

import pyarrow.parquet as pq

from mining.errors import MiningError
from process_registry import BERLIN, local_day_window

__all__ = [
    "ActivityPresenceFilter",
    "AttributeFilter",
    "CaseDurationFilter",
    "DirectlyFollowsFilter",
    "EndpointsFilter",
    "Filter",
    "LogView",
    "LogViewError",
    "TimeMode",
    "TimeRangeFilter",
    "VariantCoverageFilter",
    "VariantNumbersFilter",
    "VariantsTopKFilter",
    "attribute_columns",
    "checked_attribute",
    "filter_activity_presence",
    "filter_attribute",
    "filter_case_duration",
    "filter_directly_follows",
    "filter_endpoints",
    "filter_local_days",
    "filter_time_range",
    "filter_variant_coverage",
    "filter_variants",
    "filter_variants_top_k",
    "open_log",
]

TimeMode = Literal["contained", "intersecting", "started", "completed", "trim"]

# Columns every imported log has (mining.ingest.normalize.output_schema plus the importer's ``seq``).
REQUIRED_COLUMNS = ("case_id", "activity", "timestamp", "start_timestamp", "seq")
# Never usable as a grouping/filter attribute: identifiers, times, bookkeeping — and ``resource``,
# because grouping or filtering by a person's pseudonym is a per-person view (Personalrat).
NOT_ATTRIBUTES = frozenset({"case_id", "timestamp", "start_timestamp", "resource", "line", "seq"})


class LogViewError(MiningError, ValueError):
    """A view or filter that cannot be built: missing file, unknown column, invalid option."""


@dataclass(frozen=True)
class TimeRangeFilter:
    start: datetime  # timezone-aware
    end: datetime
    mode: TimeMode


@dataclass(frozen=True)
class VariantsTopKFilter:
    k: int


@dataclass(frozen=True)
class VariantCoverageFilter:
    share: float


@dataclass(frozen=True)
class AttributeFilter:
    column: str
    values: tuple[str, ...]
    keep: bool


@dataclass(frozen=True)
class CaseDurationFilter:
    min_s: float | None
    max_s: float | None


@dataclass(frozen=True)
class ActivityPresenceFilter:
    activity: str
    present: bool


@dataclass(frozen=True)
class DirectlyFollowsFilter:
    source: str
    target: str
    keep: bool


@dataclass(frozen=True)
class VariantNumbersFilter:
    numbers: tuple[int, ...]  # 1 = most frequent, as get_variants numbers them at this point
    keep: bool


@dataclass(frozen=True)
class EndpointsFilter:
    start: tuple[str, ...] | None  # None: any first activity
    end: tuple[str, ...] | None


Filter = (
    TimeRangeFilter
    | VariantsTopKFilter
    | VariantCoverageFilter
    | AttributeFilter
    | CaseDurationFilter
    | ActivityPresenceFilter
    | DirectlyFollowsFilter
    | VariantNumbersFilter
    | EndpointsFilter
)


@dataclass(frozen=True)
class LogView:
    """The events of one stored log (``path``, a Parquet file) after ``filters``, in order."""

    path: Path
    filters: tuple[Filter, ...] = ()

    def with_filter(self, new: Filter) -> LogView:
        return LogView(self.path, (*self.filters, new))

    def without_filter(self, position: int) -> LogView:
        """The view without its filter at ``position`` (a removed chip); the filters after it
        then judge the cases the ones before it leave."""
        if not 0 <= position < len(self.filters):
            raise LogViewError(f"Die Ansicht hat keinen Filter an Stelle {position}.")
        return LogView(self.path, self.filters[:position] + self.filters[position + 1 :])

    def columns(self) -> tuple[str, ...]:
        """Column names of the stored file (reads only the Parquet footer)."""
        return tuple(pq.read_schema(self.path).names)


def open_log(path: Path) -> LogView:
    """A view of all events of a stored log.

    Example::

        view = open_log(LogStore(db, data_dir).events_path("L20240101-1a2b3c4d"))
    """
    path = Path(path)
    if not path.is_file():
        raise LogViewError(f"Ereignisdatei nicht gefunden: {path.name}")
    view = LogView(path)
    missing = [name for name in REQUIRED_COLUMNS if name not in view.columns()]
    if missing:
        raise LogViewError(
            f"{path.name} ist keine importierte Ereignisdatei; es fehlen die Spalten "
            + ", ".join(missing)
            + "."
        )
    return view


def attribute_columns(view: LogView) -> tuple[str, ...]:
    """Columns that may be used to filter or group by: ``activity``, ``org_unit``, attributes."""
    return tuple(name for name in view.columns() if name not in NOT_ATTRIBUTES)


def checked_attribute(view: LogView, column: str) -> str:
    """``column`` if it is an attribute column of ``view``; a clear error otherwise."""
    if column == "resource":
        raise LogViewError(
            "Auswertungen nach einzelnen Personen sind nicht vorgesehen; die Spalte „resource“ "
            "kann weder gefiltert noch gruppiert werden."
        )
    allowed = attribute_columns(view)
    if column not in allowed:
        raise LogViewError(
            f"Spalte „{column}“ gibt es in diesem Protokoll nicht als Merkmal. "
            f"Verfügbar: {', '.join(allowed)}."
        )
    return column


def _aware(moment: datetime) -> datetime:
    # Naive times are Berlin wall-clock time, as the importer reads naive timestamps.
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=BERLIN)
    return moment


def filter_time_range(
    view: LogView, start: datetime, end: datetime, *, mode: TimeMode = "intersecting"
) -> LogView:
    """Keep what lies in the window ``start``–``end`` (naive times are Europe/Berlin).

    Modes, with pm4py's boundaries (``pm4py.filter_time_range``):

    * ``"contained"``: cases whose first and last event lie in ``[start, end]``;
    * ``"intersecting"``: cases running during the window: first event ``< end`` and last event
      ``> start`` (strict, as pm4py's ``traces_intersecting``);
    * ``"started"``: cases whose first event lies in ``[start, end]``;
    * ``"completed"``: cases whose last event lies in ``[start, end]`` (``traces_completing_in``);
    * ``"trim"``: the events in ``[start, end]`` — cases are cut, not kept whole.

    Example::

        filter_time_range(view, datetime(2024, 1, 1), datetime(2024, 7, 1), mode="started")
    """
    if mode not in get_args(TimeMode):
        raise LogViewError(f"Unbekannter Modus „{mode}“; erlaubt: {', '.join(get_args(TimeMode))}.")
    start, end = _aware(start), _aware(end)
    if end < start:
        raise LogViewError("Das Ende des Zeitraums liegt vor seinem Beginn.")
    return view.with_filter(TimeRangeFilter(start, end, mode))


def filter_local_days(
    view: LogView, first: date | None, last: date | None, *, mode: TimeMode = "intersecting"
) -> LogView:
    """Keep what :func:`filter_time_range` keeps in ``mode`` for the Berlin calendar days
    ``first`` to ``last`` (both inclusive; ``None`` leaves a side open). The default, the cases
    with events on those days, is what ``--from``/``--to`` and the date fields of the workspace
    and of reports mean. Without either day the view is returned as it is.

    Example::

        filter_local_days(view, date(2024, 1, 1), date(2024, 6, 30))
        filter_local_days(view, date(2024, 3, 1), date(2024, 3, 31), mode="completed")
    """
    if first is None and last is None:
        return view
    start, end = local_day_window(first, last)
    if last is not None and mode != "intersecting":
        # The window ends at the next midnight; the other modes include their end, so they end
        # one microsecond (the resolution of stored times) before it, on the last day itself.
        end -= timedelta(microseconds=1)
    return filter_time_range(view, start, end, mode=mode)


def filter_variants_top_k(view: LogView, k: int) -> LogView:
    """Keep the cases of the ``k`` most frequent variants (ties in :func:`get_variants` order).

    Example::

        filter_variants_top_k(view, 5)
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise LogViewError("k muss eine ganze Zahl ≥ 0 sein.")
    return view.with_filter(VariantsTopKFilter(k))


def filter_variant_coverage(view: LogView, share: float) -> LogView:
    """Keep the most frequent variants, in :func:`get_variants` order, until they cover at
    least ``share`` (0–1) of the cases.

    Example::

        filter_variant_coverage(view, 0.8)  # the variants that make up 80 % of the cases
    """
    if not (isinstance(share, int | float) and 0.0 <= share <= 1.0):
        raise LogViewError("Der Anteil muss zwischen 0 und 1 liegen.")
    return view.with_filter(VariantCoverageFilter(float(share)))


def filter_attribute(
    view: LogView, column: str, values: Collection[str], *, keep: bool = True
) -> LogView:
    """Keep (or with ``keep=False`` drop) the cases in which any event has one of ``values``
    in ``column`` (``activity``, ``org_unit`` or an attribute such as ``Kanal``).

    Example::

        filter_attribute(view, "Kanal", ["Papier"])
    """
    if isinstance(values, str):
        raise LogViewError("values ist eine Sammlung von Werten, nicht ein einzelner Text.")
    column = checked_attribute(view, column)
    return view.with_filter(AttributeFilter(column, tuple(sorted(set(values))), keep))


def filter_case_duration(
    view: LogView, *, min_s: float | None = None, max_s: float | None = None
) -> LogView:
    """Keep cases whose duration (last − first event, seconds) lies in ``[min_s, max_s]``.

    Example::

        filter_case_duration(view, min_s=30 * 86400)  # cases that took a month or longer
    """
    for bound in (min_s, max_s):
        if bound is not None and (not isinstance(bound, int | float) or math.isnan(bound)):
            raise LogViewError("Die Grenzen der Falldauer sind Sekunden (Zahlen).")
    if min_s is not None and max_s is not None and max_s < min_s:
        raise LogViewError("Die höchste Falldauer liegt unter der niedrigsten.")
    return view.with_filter(CaseDurationFilter(min_s, max_s))


def filter_activity_presence(view: LogView, activity: str, *, present: bool = True) -> LogView:
    """Keep the cases that contain ``activity`` (or, with ``present=False``, those that don't).

    Example::

        filter_activity_presence(view, "Nachforderung Unterlagen", present=False)
    """
    return view.with_filter(ActivityPresenceFilter(activity, present))


def filter_directly_follows(
    view: LogView, source: str, target: str, *, keep: bool = True
) -> LogView:
    """Keep (or with ``keep=False`` drop) the cases in which ``target`` directly follows
    ``source`` somewhere, in pm4py's event order (``pm4py.filter_directly_follows_relation``):
    the cases behind an edge of the process map.

    Example::

        filter_directly_follows(view, "Hundesteuer berechnen", "Steuerbescheid erstellen")
    """
    if not (isinstance(source, str) and isinstance(target, str)):
        raise LogViewError("Eine direkte Folge verbindet zwei Aktivitäten (Texte).")
    return view.with_filter(DirectlyFollowsFilter(source, target, keep))


def filter_variants(view: LogView, numbers: Collection[int], *, keep: bool = True) -> LogView:
    """Keep (or with ``keep=False`` drop) the cases of the variants ``numbers``, numbered as
    :func:`get_variants` lists them for the view at this point (1 = most frequent). A number
    beyond the last variant keeps nothing.

    Example::

        filter_variants(view, [1, 2])  # the two most frequent variants
    """
    # numbers.Integral admits numpy's integers, which a page reads from a DataFrame.
    if isinstance(numbers, Integral | str) or any(
        isinstance(n, bool) or not isinstance(n, Integral) or n < 1 for n in numbers
    ):
        raise LogViewError("Variantennummern sind ganze Zahlen ab 1 (1 = häufigste Variante).")
    return view.with_filter(VariantNumbersFilter(tuple(sorted({int(n) for n in numbers})), keep))


def filter_endpoints(
    view: LogView,
    *,
    start: Collection[str] | None = None,
    end: Collection[str] | None = None,
) -> LogView:
    """Keep the cases whose first activity is one of ``start`` and whose last is one of ``end``
    (``None`` leaves that end free), as ``pm4py.filter_start_activities`` and
    ``filter_end_activities``.

    Example::

        filter_endpoints(view, end=["Bescheid versenden"])  # cases that reached the end
    """
    ends = []
    for values in (start, end):
        if isinstance(values, str):
            raise LogViewError("Start- und Endaktivitäten sind Sammlungen, nicht ein Text.")
        ends.append(None if values is None else tuple(sorted(set(values))))
    return view.with_filter(EndpointsFilter(ends[0], ends[1]))
