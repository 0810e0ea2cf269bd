"""The one way to a figure keyed by org unit: no group of fewer than k people is ever shown.

The Dienstvereinbarung allows figures about groups of at least ``min_group_size`` people only;
a figure about a smaller unit is a figure about the two or three people in it. Every output that
names an org unit — hand-overs, cases and waits per unit, and whatever is added later — is built
from :func:`unit_figures`, which:

* counts the people (distinct ``resource`` pseudonyms) of each unit **within the view**, so a
  date range or a filter that leaves a unit with two people makes it a small unit;
* merges every unit of fewer than k people into one group, "Sonstige (< k Personen)", on both
  ends of a hand-over, re-aggregating counts, distinct cases and (count-weighted) mean waits;
* if that group still has fewer than k people, merges the smallest unit that has k or more into
  it as well. Leaving the group out instead would not hide it: the totals every analysis shows
  (events, hand-overs per case) minus the rows shown would be the small units' figures. This
  way the rows always add up to the totals and every row stands for k people or more;
* shows no unit at all when the units of the view have fewer than k people together, or when the
  log records no people (imported with ``--drop-resources``): group sizes are then unknown, and
  an unknown size is not a known large one.

:func:`check_selection` is the same rule for a whole (filtered) view: a selection of fewer than
k people, or a selection of org units without the people to count, is refused. The aggregates
underneath (:mod:`mining.query.queries`) are not exported; nothing else in ``mining`` groups by an
org unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from mining.errors import MiningError
from mining.query import (
    AttributeFilter,
    LogView,
    LogViewError,
    checked_attribute,
    count_handovers,
    count_people,
    query_handovers,
    query_unit_counts,
)
from mining.results import OrgUnitGroupsRecord
from mining.texts import bi

__all__ = [
    "UNIT_COLUMN",
    "GroupTooSmallError",
    "UnitFigures",
    "check_selection",
    "checked_min_group_size",
    "merged_group_label",
    "total_handovers",
    "unit_figures",
]

UNIT_COLUMN = "org_unit"

_HANDOVER_COLUMNS = {
    "from_unit": "str",
    "to_unit": "str",
    "count": "int64",
    "cases": "int64",
    "mean_wait_s": "float64",
}
_GROUP_COLUMNS = {"group": "str", "cases": "int64", "events": "int64", "mean_wait_s": "float64"}


class GroupTooSmallError(MiningError, ValueError):
    """A filtered selection covers so few people that its figures would describe individuals."""


def checked_min_group_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LogViewError("min_group_size ist eine ganze Zahl.")
    if value < 2:
        # A group of one is one person: the minimum group size exists to prevent exactly that.
        raise LogViewError("min_group_size muss mindestens 2 sein.")
    return value


def merged_group_label(min_group_size: int) -> str:
    return f"Sonstige (< {min_group_size} Personen)"


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


@dataclass(frozen=True)
class UnitFigures:
    """The figures of a view keyed by org unit, as far as the minimum group size allows.

    ``units`` counts the units with events in the view; ``merged_units`` of them are shown
    together as :attr:`merged_label` (``merged_to_reach_minimum`` of those have k people or more
    and were added so the merged group reaches k); ``withheld_units`` are not shown at all.
    ``handover_total`` and ``event_total`` are what the rows add up to when anything is shown.
    """

    column: str
    min_group_size: int
    people_known: bool
    units: int
    merged_units: int
    merged_to_reach_minimum: int
    withheld_units: int
    handover_total: int
    event_total: int
    handovers: pd.DataFrame = field(compare=False, repr=False)
    groups: pd.DataFrame = field(compare=False, repr=False)

    @property
    def merged_label(self) -> str:
        return merged_group_label(self.min_group_size)

    @property
    def note(self) -> str:
        """One sentence (German, with its English twin) for the caption under the figures."""
        k, n = self.min_group_size, self.units
        if not self.people_known:
            return bi(
                "Zahlen je Organisationseinheit werden nicht gezeigt: Das Protokoll enthält keine "
                "Bearbeitenden, die Zahl der Personen je Einheit ist daher unbekannt "
                f"(Mindestgruppengröße {k} Personen).",
                "Figures per organisational unit are not shown: the log names no staff, so the "
                f"number of people per unit is unknown (minimum group size {k} people).",
            )
        if self.withheld_units:
            return bi(
                f"Zahlen je Organisationseinheit werden nicht gezeigt: Die {n} Einheit(en) der "
                f"Auswahl umfassen zusammen weniger als {k} Personen (Mindestgruppengröße).",
                f"Figures per organisational unit are not shown: the {n} unit(s) of the "
                f"selection together have fewer than {k} people (minimum group size).",
            )
        totals = bi(
            f"Die Zeilen ergeben zusammen alle {self.handover_total} Übergaben und "
            f"{self.event_total} Ereignisse.",
            f"Together the rows add up to all {self.handover_total} hand-overs and "
            f"{self.event_total} events.",
        )
        if not self.merged_units:
            return bi(
                f"Alle {n} Organisationseinheiten haben mindestens {k} Personen. {totals}",
                f"All {n} organisational units have at least {k} people. {totals.en}",
            )
        topped = bi("", "")
        if self.merged_to_reach_minimum:
            topped = bi(
                f", davon {self.merged_to_reach_minimum} mit {k} oder mehr Personen, damit die "
                f"zusammengefasste Gruppe {k} Personen erreicht",
                f", {self.merged_to_reach_minimum} of them with {k} or more people, so that the "
                f"merged group reaches {k} people",
            )
        return bi(
            f"{self.merged_units} von {n} Organisationseinheiten sind als „{self.merged_label}“ "
            f"zusammengefasst{topped} (Mindestgruppengröße). {totals}",
            f"{self.merged_units} of {n} organisational units are merged as "
            f"„{self.merged_label}“{topped.en} (minimum group size). {totals.en}",
        )

    def summary(self) -> OrgUnitGroupsRecord:
        """The JSON field next to the rows (``org_unit_groups`` in ``pmo analyze --json``)."""
        return {
            "column": self.column,
            "min_group_size": self.min_group_size,
            "people_known": self.people_known,
            "units": self.units,
            "shown_units": self.units - self.merged_units - self.withheld_units,
            "merged_units": self.merged_units,
            "merged_to_reach_minimum": self.merged_to_reach_minimum,
            "merged_label": self.merged_label,
            "withheld_units": self.withheld_units,
            "handovers": self.handover_total,
            "events": self.event_total,
            "note": self.note,
        }


def unit_figures(view: LogView, *, min_group_size: int, column: str = UNIT_COLUMN) -> UnitFigures:
    """Hand-overs between, and cases, events and mean waits per, org unit (values of ``column``)
    of the (filtered) ``view``, with every unit of fewer than ``min_group_size`` people merged
    (see the module's description). ``handovers`` has the columns ``from_unit``, ``to_unit``,
    ``count``, ``cases``, ``mean_wait_s`` (most frequent first); ``groups`` has ``group``,
    ``cases``, ``events``, ``mean_wait_s`` (most cases first).

    Example::

        figures = unit_figures(view, min_group_size=5)
        figures.handovers, figures.note
    """
    k = checked_min_group_size(min_group_size)
    if column == "resource":
        checked_attribute(view, column)  # refused by name, whether the log has it or not
    if column not in view.columns():
        return _figures(column, k, people_known=False, sizes=None, handovers=0)
    column = checked_attribute(view, column)
    units = query_unit_counts(view, column)
    handovers = count_handovers(view, column) if len(units) else 0
    if int(units["people"].sum()) == 0:  # no resource column, or no value in it
        return _figures(column, k, people_known=False, sizes=units, handovers=handovers)
    label = merged_group_label(k)
    # A real unit that happens to carry the label would otherwise be summed into the group.
    merged = list(units.loc[(units["people"] < k) | (units["group"] == label), "group"])
    topped = 0
    groups = units
    if merged:
        groups = query_unit_counts(view, column, merged=merged, merged_label=label)
        if int(groups.loc[groups["group"] == label, "people"].iloc[0]) < k:
            large = units[~units["group"].isin(merged)]
            if large.empty:
                return _figures(column, k, people_known=True, sizes=units, handovers=handovers)
            smallest = large.sort_values(["people", "events", "group"]).iloc[0]["group"]
            merged.append(str(smallest))
            topped = 1
            groups = query_unit_counts(view, column, merged=merged, merged_label=label)
    return UnitFigures(
        column=column,
        min_group_size=k,
        people_known=True,
        units=len(units),
        merged_units=len(merged),
        merged_to_reach_minimum=topped,
        withheld_units=0,
        handover_total=handovers,
        event_total=int(units["events"].sum()),
        handovers=query_handovers(view, column, merged=merged, merged_label=label).astype(
            _HANDOVER_COLUMNS
        ),
        groups=groups[list(_GROUP_COLUMNS)].astype(_GROUP_COLUMNS),
    )


def _figures(
    column: str, k: int, *, people_known: bool, sizes: pd.DataFrame | None, handovers: int
) -> UnitFigures:
    """Figures that show no unit: every unit of ``sizes`` is withheld."""
    units = 0 if sizes is None else len(sizes)
    return UnitFigures(
        column=column,
        min_group_size=k,
        people_known=people_known,
        units=units,
        merged_units=0,
        merged_to_reach_minimum=0,
        withheld_units=units,
        handover_total=handovers,
        event_total=0 if sizes is None else int(sizes["events"].sum()),
        handovers=_empty(_HANDOVER_COLUMNS),
        groups=_empty(_GROUP_COLUMNS),
    )


def total_handovers(view: LogView, *, column: str = UNIT_COLUMN) -> int:
    """Hand-overs between org units in the view, all together: a figure of the process, not of
    a unit (0 when the log has no such column)."""
    if column not in view.columns():
        return 0
    return count_handovers(view, checked_attribute(view, column))


def check_selection(view: LogView, min_group_size: int, *, column: str = UNIT_COLUMN) -> None:
    """Refuse a filtered view whose figures would describe fewer than ``min_group_size`` people.

    A whole log is the process. A filter (a date range, a variant, an org unit) can narrow it to
    a few people, whose waits and durations would then be their personal performance. A filter
    that selects org units is a figure of those units and follows :func:`unit_figures`: their
    people must number k or more, and must be known.
    """
    k = checked_min_group_size(min_group_size)
    if not view.filters:
        return
    people = count_people(view)
    if 0 < people < k:
        raise GroupTooSmallError(
            # The exact number would itself be a figure about the few people selected.
            f"Die Auswahl umfasst weniger als {k} Personen; Auswertungen sind erst ab "
            f"{k} Personen zulässig (Mindestgruppengröße). Bitte die Filter erweitern."
        )
    chosen = [
        value
        for item in view.filters
        if isinstance(item, AttributeFilter) and item.column == column and item.keep
        for value in item.values
    ]
    if not chosen:
        return
    # The chosen units counted as one group, under a name no unit of the view carries.
    label = "\x00"
    while label in set(query_unit_counts(view, column)["group"]):
        label += "\x00"
    selected = query_unit_counts(view, column, merged=chosen, merged_label=label)
    people_selected = selected.loc[selected["group"] == label, "people"]
    if people_selected.empty:
        return  # nothing selected: the analysis says the selection is empty
    if people == 0:
        raise GroupTooSmallError(
            "Eine Auswahl nach Organisationseinheit ist nicht möglich: Das Protokoll enthält "
            "keine Bearbeitenden, die Zahl der Personen der Einheit ist daher unbekannt "
            f"(Mindestgruppengröße {k} Personen)."
        )
    if int(people_selected.iloc[0]) < k:
        raise GroupTooSmallError(
            f"Die gewählten Organisationseinheiten umfassen weniger als {k} Personen; "
            "Auswertungen sind erst ab dieser Mindestgruppengröße zulässig. Bitte die Filter "
            "erweitern."
        )
