"""The view's filters in words: a German label per filter (the removable chips of the workspace,
the filter line of ``pmo cases``) and what the chosen period counts.

A period alone ("März 2024") does not say which cases a figure counts: those begun in it, those
completed in it, or every case that ran during it. :func:`describe_period` says it.
"""

from __future__ import annotations

import datetime as dt

from mining.query.view import (
    ActivityPresenceFilter,
    AttributeFilter,
    CaseDurationFilter,
    DirectlyFollowsFilter,
    EndpointsFilter,
    Filter,
    LogView,
    TimeRangeFilter,
    VariantCoverageFilter,
    VariantNumbersFilter,
    VariantsTopKFilter,
)
from process_registry import local, local_text

__all__ = ["describe_filter", "describe_period"]

_MODE_LABELS = {
    "contained": "enthalten",
    "intersecting": "überschneidend",
    "started": "begonnen",
    "completed": "abgeschlossen",
    "trim": "zugeschnitten",
}
# What each mode counts, as a sentence with the window in place of {window}.
_MODE_SENTENCES = {
    "contained": "Fälle, die ganz im Zeitraum {window} liegen (erstes und letztes Ereignis darin)",
    "intersecting": "Fälle, die im Zeitraum {window} liefen (ganz oder teilweise)",
    "started": "Fälle, die im Zeitraum {window} begonnen haben (erstes Ereignis darin)",
    "completed": "Fälle, die im Zeitraum {window} abgeschlossen wurden (letztes Ereignis darin)",
    "trim": "Ereignisse im Zeitraum {window}; Fälle sind auf den Zeitraum zugeschnitten",
}
_COLUMN_LABELS = {"activity": "Aktivität", "org_unit": "Organisationseinheit"}
_MIDNIGHT = dt.time()
_LAST_INSTANT = dt.time(23, 59, 59, 999999)


def describe_filter(item: Filter) -> str:
    """A short German label of one filter, e.g. „Direkt gefolgt: A → B“ or
    „Zeitraum (begonnen): 01.03.2024–31.03.2024“.

    Example::

        [describe_filter(f) for f in view.filters]
    """
    match item:
        case TimeRangeFilter(start=start, end=end, mode=mode):
            return f"Zeitraum ({_MODE_LABELS[mode]}): {_window(start, end)}"
        case VariantsTopKFilter(k=k):
            return f"Häufigste {k} Varianten"
        case VariantCoverageFilter(share=share):
            return f"Häufigste Varianten für {_number(share * 100)} % der Fälle"
        case AttributeFilter(column=column, values=values, keep=keep):
            label = _COLUMN_LABELS.get(column, column)
            return f"{label}{'' if keep else ' nicht'}: {_values(values)}"
        case CaseDurationFilter(min_s=min_s, max_s=max_s):
            return f"Durchlaufzeit: {_duration_range(min_s, max_s)}"
        case ActivityPresenceFilter(activity=activity, present=present):
            return f"{'Mit' if present else 'Ohne'} Aktivität: {activity}"
        case DirectlyFollowsFilter(source=source, target=target, keep=keep):
            return f"{'Direkt gefolgt' if keep else 'Nicht direkt gefolgt'}: {source} → {target}"
        case VariantNumbersFilter(numbers=numbers, keep=keep):
            listed = ", ".join(str(n) for n in numbers) or "keine"
            return f"{'Varianten' if keep else 'Ohne Varianten'}: {listed}"
        case EndpointsFilter(start=starts, end=ends):
            parts = []
            if starts is not None:
                parts.append(f"Beginnt mit: {_values(starts)}")
            if ends is not None:
                parts.append(f"Endet mit: {_values(ends)}")
            return " · ".join(parts) or "Start und Ende: beliebig"
    raise TypeError(f"unknown filter {item!r}")


def describe_period(view: LogView) -> str:
    """What the view's figures count, in one German sentence, e.g. „Fälle, die im Zeitraum
    01.03.2024–31.03.2024 abgeschlossen wurden (letztes Ereignis darin)“; without any filter
    „Alle Fälle des Protokolls (kein Zeitraum gewählt)“. Several time filters are named in
    order; the other filters follow as „eingeschränkt durch N Filter: …“ with their chip
    labels. Reads no data.

    Example::

        st.caption(describe_period(view))
    """
    sentences = [
        _MODE_SENTENCES[f.mode].format(window=_window(f.start, f.end))
        for f in view.filters
        if isinstance(f, TimeRangeFilter)
    ]
    others = [describe_filter(f) for f in view.filters if not isinstance(f, TimeRangeFilter)]
    if not sentences and not others:
        return "Alle Fälle des Protokolls (kein Zeitraum gewählt)"
    counted = (
        "; darunter ".join(sentences)
        if sentences
        else "Fälle aus dem ganzen Protokoll (kein Zeitraum gewählt)"
    )
    if not others:
        return counted
    return f"{counted}, eingeschränkt durch {len(others)} Filter: {' · '.join(others)}"


def _window(start: dt.datetime, end: dt.datetime) -> str:
    """``01.03.2024–31.03.2024`` for whole Berlin days (the windows of ``filter_local_days``),
    with times otherwise; an open side (``local_day_window``'s first or last instant) reads
    „ab …“ / „bis …“."""
    first = None if start.year <= 1 else local(start)
    last = None if end.year >= 9999 else local(end)
    if first is None and last is None:
        return "beliebig"
    # A window ending at midnight ends with the day before (the modes that include their end
    # end one microsecond before midnight instead).
    last_day = None
    if last is not None and last.time() in (_MIDNIGHT, _LAST_INSTANT):
        last_day = last.date() - dt.timedelta(days=1) if last.time() == _MIDNIGHT else last.date()
    whole_days = (first is None or first.time() == _MIDNIGHT) and (
        last is None or (last_day is not None and (first is None or last_day >= first.date()))
    )
    if whole_days:
        from_text = f"{first:%d.%m.%Y}" if first else ""
        to_text = f"{last_day:%d.%m.%Y}" if last_day else ""
    else:
        from_text, to_text = local_text(start), local_text(end)
    if first is None:
        return f"bis {to_text}"
    if last is None:
        return f"ab {from_text}"
    return f"{from_text}–{to_text}"


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "(keine)"


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _duration(seconds: float) -> str:
    """``30 Tage``, ``1,5 Tage``, ``12 Std.``, ``45 Min.``, ``30 s``."""
    for unit, one, many in ((86400, "Tag", "Tage"), (3600, "Std.", "Std."), (60, "Min.", "Min.")):
        if abs(seconds) >= unit:
            amount = seconds / unit
            return f"{_number(amount)} {one if amount == 1 else many}"
    return f"{_number(seconds)} s"


def _duration_range(min_s: float | None, max_s: float | None) -> str:
    if min_s is not None and max_s is not None:
        return f"{_duration(min_s)} bis {_duration(max_s)}"
    if min_s is not None:
        return f"mindestens {_duration(min_s)}"
    if max_s is not None:
        return f"höchstens {_duration(max_s)}"
    return "beliebig"
