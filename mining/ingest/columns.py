"""Which source column holds the case, the activity, the timestamps, the resource, the org unit.

:func:`suggest_mapping` proposes a mapping from the headers (synonyms from XES, English and the
German of municipal specialist systems; see :mod:`mining.ingest._synonyms`) and, when a sample of rows is
given, from the values: a timestamp column should parse as dates, a case column should repeat.
:func:`resolve_mapping` turns explicit choices (CLI options, wizard) plus suggestions into a
:class:`ColumnMapping`, or raises :class:`MappingError` listing the available columns.

The mapping doubles as the privacy allow-list (docs/RELIABILITY.md §4): only mapped columns and declared
``attributes`` are kept; :func:`mining.ingest.normalize.dropped_columns` names the rest. Intake-channel
columns (:mod:`mining.ingest.channels`) are attributes by default: they describe the application,
not a person; a column the user drops is never kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mining.errors import MappingError
from mining.ingest import _synonyms
from mining.ingest.channels import ChannelValues, channel_columns
from mining.ingest.timestamps import date_share

__all__ = [
    "OPTIONAL_ROLES",
    "REQUIRED_ROLES",
    "ROLE_LABELS",
    "ColumnMapping",
    "MappingSuggestion",
    "resolve_mapping",
    "suggest_mapping",
]

REQUIRED_ROLES = ("case", "activity", "timestamp")
OPTIONAL_ROLES = ("start_timestamp", "resource", "org_unit")
ROLE_LABELS = {
    "case": "Fall-ID",
    "activity": "Aktivität",
    "timestamp": "Zeitstempel",
    "start_timestamp": "Beginn-Zeitstempel",
    "resource": "Bearbeiter/in",
    "org_unit": "Organisationseinheit",
}
_OPTION = {role: "--" + role.replace("_", "-") for role in ROLE_LABELS}
LINE_COLUMN = "__line__"  # added by the readers; never a data column
_NOT_DATE = 9  # tier of a timestamp candidate found only by its values, not its name
_MAX_LISTED = 40


@dataclass(frozen=True)
class ColumnMapping:
    """Source column per role; ``attributes`` are further columns kept: those the user chose and
    the intake-channel columns recognized by their header (``channels``, a subset of
    ``attributes``), which the import keeps only if their values look like channels."""

    case: str
    activity: str
    timestamp: str
    start_timestamp: str | None = None
    resource: str | None = None
    org_unit: str | None = None
    attributes: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    def columns(self) -> tuple[str, ...]:
        """Every mapped source column, roles first, in a stable order."""
        roles = (self.role(role) for role in REQUIRED_ROLES + OPTIONAL_ROLES)
        return tuple(name for name in roles if name is not None) + self.attributes

    def role(self, role: str) -> str | None:
        return getattr(self, role)


@dataclass(frozen=True)
class MappingSuggestion:
    """What :func:`suggest_mapping` found; ``mapping`` is None unless all required roles are."""

    mapping: ColumnMapping | None
    candidates: dict[str, tuple[str, ...]]  # role → plausible columns, best first
    missing: tuple[str, ...]  # required roles that could not be assigned
    # Intake-channel columns to keep by default, and those withheld by their sample values.
    channels: tuple[str, ...] = ()
    withheld: tuple[tuple[str, str], ...] = ()  # (column, reason)


def suggest_mapping(
    columns: Sequence[str], sample: pd.DataFrame | None = None
) -> MappingSuggestion:
    """Propose a mapping from headers and, optionally, a sample of the rows (strings).

    Each column serves at most one role; required roles are assigned first, so a lone date column
    becomes the timestamp even if its name says "Start".
    """
    names = [name for name in columns if name != LINE_COLUMN]
    ranked = _rank(names, sample)
    chosen = _assign(ranked, {})
    candidates = {role: tuple(names[i] for _, i in ranked[role]) for role in ranked}
    missing = tuple(role for role in REQUIRED_ROLES if role not in chosen)
    mapping = None
    if not missing:
        mapping = ColumnMapping(**{role: names[index] for role, index in chosen.items()})
    mapped = {names[index] for index in chosen.values()}
    channels: list[str] = []
    withheld: list[tuple[str, str]] = []
    for name in channel_columns(names):
        if name in mapped:
            continue
        values = ChannelValues()
        if sample is not None:
            values.add([value.strip() for value in _values(sample, name)])
        reason = values.reason()
        if reason is None:
            channels.append(name)
        else:
            withheld.append((name, reason))
    return MappingSuggestion(
        mapping=mapping,
        candidates=candidates,
        missing=missing,
        channels=tuple(channels),
        withheld=tuple(withheld),
    )


def resolve_mapping(
    columns: Sequence[str],
    *,
    case: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    start_timestamp: str | None = None,
    resource: str | None = None,
    org_unit: str | None = None,
    attributes: Sequence[str] = (),
    drop: Sequence[str] = (),
    source: str,
    sample: pd.DataFrame | None = None,
    fill_optional: bool = True,
) -> ColumnMapping:
    """Explicit choices win; unspecified roles come from :func:`suggest_mapping`.

    Names are matched exactly, else by their folded form if that is unique (``aktivitaet`` finds
    ``Aktivität``). With ``fill_optional`` (default) suggested optional roles are filled too, so a
    plain ``pmo log import`` keeps start times and org units; the resource column is never stored
    raw either way (see :class:`mining.ingest.normalize.NormalizeOptions`).

    Intake-channel columns that no role takes are kept as attributes and listed in ``channels``. A column in ``drop`` is never kept: not as an attribute
    (also when named in ``attributes``), not as a channel, not as a suggested optional role.

    Raises :class:`MappingError` for unknown or duplicate columns and for required roles that
    stay unassigned; the message lists the available columns.
    """
    names = [name for name in columns if name != LINE_COLUMN]
    given = {
        "case": case,
        "activity": activity,
        "timestamp": timestamp,
        "start_timestamp": start_timestamp,
        "resource": resource,
        "org_unit": org_unit,
    }
    dropped = {_find(names, name, role=None, source=source) for name in drop}
    fixed: dict[str, int] = {}
    for role, name in given.items():
        if name is None:
            continue
        index = _find(names, name, role=role, source=source)
        if index in dropped:
            raise MappingError(
                f"die Spalte ist als {ROLE_LABELS[role]} angegeben und soll zugleich verworfen "
                "werden; bitte nur eins von beiden",
                source=source,
                column=names[index],
            )
        for other, taken in fixed.items():
            if taken == index:
                raise MappingError(
                    f"die Spalte ist zwei Rollen zugeordnet ({ROLE_LABELS[other]} und "
                    f"{ROLE_LABELS[role]}); jede Spalte darf nur eine Rolle haben",
                    source=source,
                    column=names[index],
                )
        fixed[role] = index
    ranked = {
        role: [(key, index) for key, index in options if index not in dropped]
        for role, options in _rank(names, sample).items()
    }
    chosen = _assign(ranked, fixed)
    missing = [role for role in REQUIRED_ROLES if role not in chosen]
    if missing:
        wanted = ", ".join(f"{ROLE_LABELS[role]} ({_OPTION[role]})" for role in missing)
        raise MappingError(
            f"keine Spalte gefunden für: {wanted}; bitte angeben. {_available(names)}",
            source=source,
        )
    roles = {
        role: names[index]
        for role, index in chosen.items()
        if role in fixed or role in REQUIRED_ROLES or fill_optional
    }
    kept: list[str] = []
    for name in attributes:
        index = _find(names, name, role=None, source=source)
        column = names[index]
        # A mapped column is kept anyway; a dropped one never (the explicit drop wins).
        if column not in roles.values() and column not in kept and index not in dropped:
            kept.append(column)
    unavailable = {names[index] for index in dropped} | set(roles.values()) | set(kept)
    channels = [name for name in channel_columns(names) if name not in unavailable]
    return ColumnMapping(**roles, attributes=(*kept, *channels), channels=tuple(channels))


def _rank(names: Sequence[str], sample: pd.DataFrame | None) -> dict[str, list[tuple[tuple, int]]]:
    """Role → [(sort key, column index)] best first."""
    header_tokens = [_synonyms.tokens(name) for name in names]
    # XES trace attributes ("case:startdate", "case:department") describe the case, not an
    # event: as event start time or org unit they would be wrong on every row but the first.
    trace_level = {index for index, name in enumerate(names) if _is_trace_attribute(name)}
    tiers: dict[str, dict[int, tuple[int, int]]] = {}
    for role, synonyms in _synonyms.SYNONYMS.items():
        tiers[role] = {}
        for index, words in enumerate(header_tokens):
            if index in trace_level:
                if role != "case":
                    continue
                if words != ("case", "concept", "name"):
                    words = words[1:]  # "case:Aktenzeichen" counts, "case:startdate" does not
            matches = [
                (tier, rank)
                for rank, synonym in enumerate(synonyms)
                if (tier := _synonyms.match_tier(role, words, synonym)) is not None
            ]
            if matches:
                tiers[role][index] = min(matches)
    # "Startzeitpunkt" names a time, but the start one: a last resort for the (required) end
    # timestamp, taken only when no other column qualifies.
    for index, start_match in tiers["start_timestamp"].items():
        tier, rank = tiers["timestamp"].get(index, start_match)
        tiers["timestamp"][index] = (tier + 3, rank)

    penalty: dict[str, dict[int, int]] = {role: {} for role in tiers}
    if sample is not None:
        values = {index: _values(sample, name) for index, name in enumerate(names)}
        dates = {index: date_share(values[index]) >= 0.5 for index in values}
        for index, ok in dates.items():
            if ok and index not in tiers["timestamp"] and index not in trace_level:
                tiers["timestamp"][index] = (_NOT_DATE, 0)
        for role in ("timestamp", "start_timestamp"):
            penalty[role] = {index: 0 if dates.get(index) else 1 for index in tiers[role]}
        for role in ("case", "activity"):
            penalty[role] = {index: _id_penalty(values.get(index, [])) for index in tiers[role]}
    return {
        role: sorted(
            ((penalty[role].get(index, 0), tier, rank, index), index)
            for index, (tier, rank) in by_column.items()
        )
        for role, by_column in tiers.items()
    }


def _assign(ranked: dict[str, list[tuple[tuple, int]]], fixed: dict[str, int]) -> dict[str, int]:
    """Greedy, best key first; required roles before optional ones; one role per column."""
    chosen = dict(fixed)
    used = set(fixed.values())
    for phase in (REQUIRED_ROLES, OPTIONAL_ROLES):
        options = sorted(
            (key, phase.index(role), role, index)
            for role in phase
            if role not in chosen
            for key, index in ranked[role]
        )
        for _, _, role, index in options:
            if role not in chosen and index not in used:
                chosen[role] = index
                used.add(index)
    return chosen


def _is_trace_attribute(name: str) -> bool:
    return name.strip().casefold().startswith("case:")


def _id_penalty(values: list[str]) -> int:
    """0 for a column whose non-empty values repeat (cases have several events), else 1."""
    present = [value for value in values if value.strip()]
    return 0 if present and len(set(present)) < len(present) else 1


def _values(sample: pd.DataFrame, name: str) -> list[str]:
    if name not in sample.columns:
        return []
    column = sample[name]
    if isinstance(column, pd.DataFrame):  # duplicate header: take the first
        column = column.iloc[:, 0]
    return [str(value) for value in column.tolist() if value is not None and value == value]


def _find(names: Sequence[str], name: str, *, role: str | None, source: str) -> int:
    what = f" ({ROLE_LABELS[role]})" if role else ""
    exact = [index for index, column in enumerate(names) if column == name]
    if not exact:
        exact = [
            index
            for index, column in enumerate(names)
            if _synonyms.fold(column) == _synonyms.fold(name)
        ]
    if len(exact) == 1:
        return exact[0]
    problem = "gibt es mehrfach" if exact else "gibt es in der Datei nicht"
    raise MappingError(
        f"die Spalte{what} {problem}. {_available(names)}", source=source, column=name
    )


def _available(names: Sequence[str]) -> str:
    listed = ", ".join(f"„{name}“" for name in names[:_MAX_LISTED])
    if len(names) > _MAX_LISTED:
        listed += f" … ({len(names) - _MAX_LISTED} weitere)"
    return f"verfügbare Spalten: {listed or '(keine)'}"
