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
from mining.texts import Text, bi, join, pick
from process_registry import local, local_text

__all__ = ["describe_filter", "describe_period"]

_MODE_LABELS = {
    "contained": bi("enthalten", "contained"),
    "intersecting": bi("überschneidend", "intersecting"),
    "started": bi("begonnen", "started"),
    "completed": bi("abgeschlossen", "completed"),
    "trim": bi("zugeschnitten", "trimmed"),
}
# What each mode counts, as a sentence with the window in place of {window}.
_MODE_SENTENCES = {
    "contained": bi(
        "Fälle, die ganz im Zeitraum {window} liegen (erstes und letztes Ereignis darin)",
        "cases entirely within {window} (first and last event in it)",
    ),
    "intersecting": bi(
        "Fälle, die im Zeitraum {window} liefen (ganz oder teilweise)",
        "cases that ran during {window} (entirely or in part)",
    ),
    "started": bi(
        "Fälle, die im Zeitraum {window} begonnen haben (erstes Ereignis darin)",
        "cases started within {window} (first event in it)",
    ),
    "completed": bi(
        "Fälle, die im Zeitraum {window} abgeschlossen wurden (letztes Ereignis darin)",
        "cases completed within {window} (last event in it)",
    ),
    "trim": bi(
        "Ereignisse im Zeitraum {window}; Fälle sind auf den Zeitraum zugeschnitten",
        "events within {window}; cases are trimmed to the period",
    ),
}
_COLUMN_LABELS = {
    "activity": bi("Aktivität", "Activity"),
    "org_unit": bi("Organisationseinheit", "Organisational unit"),
}
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
            window, label = _window(start, end), _MODE_LABELS[mode]
            return bi(f"Zeitraum ({label}): {window}", f"Period ({label.en}): {window.en}")
        case VariantsTopKFilter(k=k):
            return bi(f"Häufigste {k} Varianten", f"Top {k} variants")
        case VariantCoverageFilter(share=share):
            share_text = _number(share * 100)
            return bi(
                f"Häufigste Varianten für {share_text} % der Fälle",
                f"Most frequent variants covering {share_text} % of cases",
            )
        case AttributeFilter(column=column, values=values, keep=keep):
            label = _COLUMN_LABELS.get(column, column)
            return bi(
                f"{label}{'' if keep else ' nicht'}: {_values(values)}",
                f"{pick(label, 'en')}{'' if keep else ' not'}: {_values(values)}",
            )
        case CaseDurationFilter(min_s=min_s, max_s=max_s):
            span = _duration_range(min_s, max_s)
            return bi(f"Durchlaufzeit: {span}", f"Throughput time: {pick(span, 'en')}")
        case ActivityPresenceFilter(activity=activity, present=present):
            return bi(
                f"{'Mit' if present else 'Ohne'} Aktivität: {activity}",
                f"{'With' if present else 'Without'} activity: {activity}",
            )
        case DirectlyFollowsFilter(source=source, target=target, keep=keep):
            return bi(
                f"{'Direkt gefolgt' if keep else 'Nicht direkt gefolgt'}: {source} → {target}",
                f"{'Directly followed' if keep else 'Not directly followed'}: {source} → {target}",
            )
        case VariantNumbersFilter(numbers=numbers, keep=keep):
            listed = ", ".join(str(n) for n in numbers)
            return bi(
                f"{'Varianten' if keep else 'Ohne Varianten'}: {listed or 'keine'}",
                f"{'Variants' if keep else 'Without variants'}: {listed or 'none'}",
            )
        case EndpointsFilter(start=starts, end=ends):
            parts = []
            if starts is not None:
                parts.append(
                    bi(f"Beginnt mit: {_values(starts)}", f"Starts with: {_values(starts)}")
                )
            if ends is not None:
                parts.append(bi(f"Endet mit: {_values(ends)}", f"Ends with: {_values(ends)}"))
            return (
                join(" · ", parts)
                if parts
                else bi("Start und Ende: beliebig", "Start and end: any")
            )
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
        _sentence(f.mode, _window(f.start, f.end))
        for f in view.filters
        if isinstance(f, TimeRangeFilter)
    ]
    others = [describe_filter(f) for f in view.filters if not isinstance(f, TimeRangeFilter)]
    if not sentences and not others:
        return bi(
            "Alle Fälle des Protokolls (kein Zeitraum gewählt)",
            "All cases of the log (no period chosen)",
        )
    counted = (
        bi(
            "; darunter ".join(sentences),
            "; among them ".join(s.en for s in sentences),
        )
        if sentences
        else bi(
            "Fälle aus dem ganzen Protokoll (kein Zeitraum gewählt)",
            "Cases from the whole log (no period chosen)",
        )
    )
    if not others:
        return counted
    listed = join(" · ", others)
    return bi(
        f"{counted}, eingeschränkt durch {len(others)} Filter: {listed}",
        f"{counted.en}, narrowed by {len(others)} filter(s): {listed.en}",
    )


def _sentence(mode: str, window: Text) -> Text:
    template = _MODE_SENTENCES[mode]
    return bi(template.format(window=window), template.en.format(window=window.en))


def _window(start: dt.datetime, end: dt.datetime) -> Text:
    """``01.03.2024–31.03.2024`` for whole Berlin days (the windows of ``filter_local_days``),
    with times otherwise; an open side (``local_day_window``'s first or last instant) reads
    „ab …“ / „bis …“."""
    first = None if start.year <= 1 else local(start)
    last = None if end.year >= 9999 else local(end)
    if first is None and last is None:
        return bi("beliebig", "any")
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
        return bi(f"bis {to_text}", f"until {to_text}")
    if last is None:
        return bi(f"ab {from_text}", f"from {from_text}")
    return bi(f"{from_text}–{to_text}", f"{from_text}–{to_text}")


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "(keine)"


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _duration(seconds: float) -> Text:
    """``30 Tage``, ``1,5 Tage``, ``12 Std.``, ``45 Min.``, ``30 s`` (English: days, h, min)."""
    units = (
        (86400, bi("Tag", "day"), bi("Tage", "days")),
        (3600, bi("Std.", "h"), bi("Std.", "h")),
        (60, bi("Min.", "min"), bi("Min.", "min")),
    )
    for unit, one, many in units:
        if abs(seconds) >= unit:
            amount = seconds / unit
            name = one if amount == 1 else many
            return bi(f"{_number(amount)} {name}", f"{_number(amount)} {name.en}")
    return bi(f"{_number(seconds)} s", f"{_number(seconds)} s")


def _duration_range(min_s: float | None, max_s: float | None) -> Text:
    if min_s is not None and max_s is not None:
        low, high = _duration(min_s), _duration(max_s)
        return bi(f"{low} bis {high}", f"{low.en} to {high.en}")
    if min_s is not None:
        low = _duration(min_s)
        return bi(f"mindestens {low}", f"at least {low.en}")
    if max_s is not None:
        high = _duration(max_s)
        return bi(f"höchstens {high}", f"at most {high.en}")
    return bi("beliebig", "any")
