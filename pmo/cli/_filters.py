"""``--filter`` of ``pmo analyze`` and ``pmo cases``: Disco's filters as one text each.

Forms (README, "Filters")::

    attribute:SPALTE=WERT[,WERT…]   not-attribute:SPALTE=WERT[,WERT…]
    activity:A                      not-activity:A
    follows:A>B                     not-follows:A>B
    variant:1[,2…]                  not-variant:1[,2…]
    duration:VON..BIS               (1d..30d, ..12h, 2w..; Einheiten s, min, h, d, w)
    start:A[,B…]                    end:A[,B…]
    period:MODUS:VON..BIS           (contained, intersecting, started, completed, trim;
                                     Tage JJJJ-MM-TT oder TT.MM.JJJJ, eine Seite darf fehlen)

Filters apply in the order given; each judges the cases the filters before it left (variant
numbers count the variants at that point). A comma inside a value is written ``\\,``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

import click

from mining import (
    LogView,
    LogViewError,
    filter_activity_presence,
    filter_attribute,
    filter_case_duration,
    filter_directly_follows,
    filter_endpoints,
    filter_local_days,
    filter_variants,
)

__all__ = ["FILTER_FORMS", "OptionError", "apply_filter_options", "filter_option"]

FILTER_FORMS = (
    "attribute:SPALTE=WERT[,WERT…]",
    "not-attribute:SPALTE=WERT[,WERT…]",
    "activity:A",
    "not-activity:A",
    "follows:A>B",
    "not-follows:A>B",
    "variant:N[,N…]",
    "not-variant:N[,N…]",
    "duration:VON..BIS",
    "start:A[,A…]",
    "end:A[,A…]",
    "period:MODUS:VON..BIS",
)

_MODES = {
    "contained": "contained",
    "intersecting": "intersecting",
    "started": "started",
    "completed": "completed",
    "trim": "trim",
    "enthalten": "contained",
    "überschneidend": "intersecting",
    "begonnen": "started",
    "abgeschlossen": "completed",
    "zugeschnitten": "trim",
}
_UNITS = {"s": 1, "min": 60, "h": 3600, "std": 3600, "d": 86400, "t": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z]+)\s*$")


class OptionError(click.UsageError):
    """An option that cannot be read or applied (a ``--filter``, ``--deviation``): one German
    line naming it, exit code 2 — not click's usage block, which a script's log would show as
    several lines."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Fehler: {self.format_message()}", err=True, file=file)


def filter_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--filter",
        "filters",
        multiple=True,
        metavar="ART:WERT",
        help="Filter wie in Disco, mehrfach möglich und in dieser Reihenfolge angewandt: "
        + ", ".join(FILTER_FORMS)
        + " (README, Abschnitt „Filters“).",
    )(command)


def apply_filter_options(view: LogView, texts: Iterable[str]) -> LogView:
    """``view`` with the ``--filter`` texts applied in order; a bad one is an error naming it."""
    for text in texts:
        try:
            view = _apply(view, text)
        except (LogViewError, _Unreadable) as err:
            raise OptionError(f"--filter „{text}“: {err}") from None
    return view


class _Unreadable(ValueError):
    pass


def _apply(view: LogView, text: str) -> LogView:
    kind, separator, rest = text.partition(":")
    kind = kind.strip().lower()
    keep = not kind.startswith("not-")
    base = kind.removeprefix("not-")
    if not separator or not rest.strip():
        raise _Unreadable(_expected())
    if base == "attribute":
        column, equals, values = rest.partition("=")
        if not equals or not column.strip():
            raise _Unreadable("erwartet SPALTE=WERT[,WERT…], z. B. attribute:Eingangskanal=Papier.")
        return filter_attribute(view, column.strip(), _values(values), keep=keep)
    if base == "activity":
        return filter_activity_presence(view, rest.strip(), present=keep)
    if base == "follows":
        source, arrow, target = rest.partition(">")
        if not arrow or not source.strip() or not target.strip():
            raise _Unreadable("erwartet A>B, z. B. follows:Antrag prüfen>Bescheid erstellen.")
        return filter_directly_follows(view, source.strip(), target.strip(), keep=keep)
    if base == "variant":
        return filter_variants(view, _numbers(rest), keep=keep)
    if keep and base == "duration":
        low, high = _range(rest)
        return filter_case_duration(
            view, min_s=_seconds(low) if low else None, max_s=_seconds(high) if high else None
        )
    if keep and base in ("start", "end"):
        return filter_endpoints(view, **{base: _values(rest)})
    if keep and base == "period":
        mode, colon, days = rest.partition(":")
        if not colon or mode.strip().lower() not in _MODES:
            raise _Unreadable(
                "erwartet period:MODUS:VON..BIS mit MODUS "
                + ", ".join(m for m, canonical in _MODES.items() if m == canonical)
                + ", z. B. period:completed:2024-01-01..2024-03-31."
            )
        low, high = _range(days)
        return filter_local_days(
            view,
            _day(low) if low else None,
            _day(high) if high else None,
            mode=_MODES[mode.strip().lower()],  # type: ignore[arg-type]
        )
    raise _Unreadable(_expected())


def _expected() -> str:
    return "unbekannte Form; möglich sind " + ", ".join(FILTER_FORMS) + "."


def _values(text: str) -> list[str]:
    """Comma-separated values; ``\\,`` is a comma inside a value."""
    values = [part.replace("\0", ",").strip() for part in text.replace("\\,", "\0").split(",")]
    if not all(values):
        raise _Unreadable("leerer Wert in der Liste.")
    return values


def _numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in _values(text)]
    except ValueError:
        raise _Unreadable("Variantennummern sind ganze Zahlen, z. B. variant:1,2.") from None


def _range(text: str) -> tuple[str, str]:
    low, dots, high = text.partition("..")
    if not dots or not (low.strip() or high.strip()):
        raise _Unreadable("erwartet einen Bereich VON..BIS; eine Seite darf fehlen (..BIS, VON..).")
    return low.strip(), high.strip()


def _seconds(text: str) -> float:
    match = _DURATION.match(text.lower())
    if match is None or match.group(2) not in _UNITS:
        raise _Unreadable(
            f"Dauer „{text}“ nicht lesbar; erwartet Zahl und Einheit (s, min, h, d, w), "
            "z. B. 12h, 1d, 2,5d."
        )
    return float(match.group(1).replace(",", ".")) * _UNITS[match.group(2)]


def _day(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _Unreadable(f"Tag „{text}“ nicht lesbar; erwartet JJJJ-MM-TT oder TT.MM.JJJJ.")
