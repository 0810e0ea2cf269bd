"""Intake-channel columns: which headers name how an application came in, and when to keep one.

A column such as "Eingangskanal" (Papier, E-Mail, Online) describes the application, not a
person, so the import keeps it without being asked, while data minimisation drops every other
column nobody named: the channel comparison and the online-service recommendation depend on it.
Import (:func:`mining.ingest.columns.resolve_mapping`) and analysis
(:func:`mining.analysis.channel_column`) recognize the column by the same :func:`is_channel_column`.

The header alone does not make it safe: a "Kanal" column of e-mail addresses or applicants'
names would carry personal data into the store. :class:`ChannelValues` looks at the values
first; a column that does not look like a small vocabulary of channels is withheld, with the
reason, unless the user names it explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from mining.ingest import _synonyms
from mining.ingest.timestamps import date_share

__all__ = [
    "CHANNEL_REASON",
    "MAX_CHANNEL_VALUES",
    "ChannelValues",
    "channel_columns",
    "is_channel_column",
]

CHANNEL_REASON = "beschreibt den Antrag, keine Person"
# A channel is a small vocabulary (Papier, Post, Fax, E-Mail, Online, Schalter, Telefon …).
MAX_CHANNEL_VALUES = 20
# In a small log 20 distinct values can already be one per case: then more than this share of
# the rows (and more than the floor a real vocabulary reaches) counts as too many as well.
_SMALL_LOG_SHARE = 0.05
_SMALL_LOG_FLOOR = 10
# A date of receipt ("Datum Posteingang", "Posteingang am") names a time, not a way in.
_TIME_ROLES = ("timestamp", "start_timestamp")
_PATTERNS = (
    (re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]{2,}"), "Werte sehen wie E-Mail-Adressen aus"),
    (re.compile(r"\+?\d[\d /()-]{5,}\d"), "Werte sehen wie Telefon- oder Kennnummern aus"),
    (
        re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?,\s*[A-ZÄÖÜ][a-zäöüß]+"),
        "Werte sehen wie Namen aus (Nachname, Vorname)",
    ),
)


def is_channel_column(name: str) -> bool:
    """Whether the header names an intake channel (case, umlaut and punctuation insensitive)."""
    words = _synonyms.tokens(name)
    if not any(_matches("channel", words, synonym) for synonym in _synonyms.CHANNEL_SYNONYMS):
        return False
    return not any(
        _matches(role, words, synonym)
        for role in _TIME_ROLES
        for synonym in _synonyms.SYNONYMS[role]
    )


def channel_columns(names: Iterable[str]) -> tuple[str, ...]:
    """The intake-channel columns among ``names``, in their order."""
    return tuple(name for name in names if is_channel_column(name))


def _matches(role: str, words: tuple[str, ...], synonym: str) -> bool:
    return _synonyms.match_tier(role, words, synonym) is not None


class ChannelValues:
    """The values of one channel column seen so far (streamed batch by batch); :meth:`reason`
    says why they do not look like channels, or None when the column may be kept."""

    def __init__(self) -> None:
        self.rows = 0  # non-empty values
        self._distinct: set[str] = set()
        self._pattern: str | None = None

    def add(self, values: Sequence[str], *, rows: int | None = None) -> None:
        """``values`` of the next rows; ``rows``: how many non-empty rows they stand for when
        ``values`` are already de-duplicated (default: every non-empty value is a row)."""
        present = [value for value in values if value]
        self.rows += len(present) if rows is None else rows
        for value in present:
            if value in self._distinct or len(self._distinct) > MAX_CHANNEL_VALUES:
                continue  # beyond the limit the verdict is known; memory stays small
            self._distinct.add(value)
            if self._pattern is None:
                self._pattern = next(
                    (reason for pattern, reason in _PATTERNS if pattern.search(value)), None
                )

    def reason(self) -> str | None:
        if self._pattern is not None:
            return self._pattern
        count = len(self._distinct)
        if count > MAX_CHANNEL_VALUES:
            return f"mehr als {MAX_CHANNEL_VALUES} verschiedene Werte"
        if count > _SMALL_LOG_FLOOR and count > _SMALL_LOG_SHARE * self.rows:
            return f"{count} verschiedene Werte bei {self.rows} Zeilen"
        if self._distinct and date_share(sorted(self._distinct)) >= 0.5:
            return "Werte sind Datumsangaben"
        return None
