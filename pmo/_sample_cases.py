"""The simulation engine of the sample logs: office hours, staff, and one case moving through them.

A flow in :mod:`pmo._sample_flows` calls :meth:`Case.do` step by step; :mod:`pmo._sample_logs`
draws the arrivals, runs every flow and writes the rows. Waits are calendar time, work is office
time (Mon–Fri 7:30–16:00 without the public holidays of Lower Saxony); durations are drawn from
triangular distributions only, so the output is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from mining import lower_saxony_holidays

__all__ = ["DAY_START", "STAFF", "Case", "Office", "Sample", "Span", "days", "hours", "minutes"]

_STAMP = "%d.%m.%Y %H:%M:%S"
DAY_START, _DAY_END = dt.time(7, 30), dt.time(16, 0)
# Work up to this long is done in one go; longer work may continue the next working day.
_SHORT_WORK_S = 2 * 3600

# Staff per org unit: (title, head count). Names are numbered across the city, so the same name is
# the same person everywhere (the Stadtkasse serves several processes). At least five per unit:
# group statistics suppress smaller groups.
STAFF: dict[str, tuple[str, int]] = {
    "Bürgerservice": ("Sachbearbeitung", 8),
    "Bürgerservice – Posteingang": ("Sachbearbeitung", 6),
    "Fachdienst Straßenverkehr – Sachbearbeitung": ("Sachbearbeitung", 9),
    "Stadtkasse – Zahlungsverkehr": ("Sachbearbeitung", 6),
    "Wohngeldstelle – Sachbearbeitung": ("Sachbearbeitung", 10),
    "Wohngeldstelle – Teamleitung": ("Teamleitung", 5),
    "Gewerbemeldestelle – Servicepoint": ("Sachbearbeitung", 5),
    "Gewerbemeldestelle – Sachbearbeitung": ("Sachbearbeitung", 6),
    "Gewerbeerlaubnisse": ("Sachbearbeitung", 5),
    "Bauaufsicht – Sachbearbeitung": ("Sachbearbeitung", 8),
    "Bauaufsicht – Sachgebietsleitung": ("Sachgebietsleitung", 5),
    "Fachdienst Stadtplanung": ("Sachbearbeitung", 6),
    "Brandschutzdienststelle": ("Sachbearbeitung", 5),
    "Steueramt – Hundesteuer": ("Sachbearbeitung", 6),
    "Bürgerbüro – Front Office": ("Sachbearbeitung", 14),
    "Bürgerbüro – Back Office": ("Sachbearbeitung", 5),
    "Straßenverwaltung – Sondernutzungen": ("Sachbearbeitung", 7),
    "Straßenverkehrsbehörde": ("Sachbearbeitung", 5),
    "Baustellenkoordination": ("Sachbearbeitung", 5),
}
# Lanes that name the same people under another unit name.
_SAME_STAFF = {"Stadtkasse": "Stadtkasse – Zahlungsverkehr"}


def _staff() -> dict[str, list[str]]:
    numbers: dict[str, int] = {}
    pools: dict[str, list[str]] = {}
    for unit, (title, count) in STAFF.items():
        first = numbers.get(title, 1)
        pools[unit] = [f"{title} {n:02d}" for n in range(first, first + count)]
        numbers[title] = first + count
    for unit, same in _SAME_STAFF.items():
        pools[unit] = pools[same]
    return pools


@dataclass
class _Event:
    activity: str
    begin: dt.datetime
    end: dt.datetime
    resource: str
    unit: str
    order: int


# (low, most likely, high) in seconds, and the share of executions that take two to five times
# as long (an interruption, a phone call, a tricky case).
Span = tuple[float, float, float, float]


def minutes(low: float, mode: float, high: float, *, tail: float = 0.2) -> Span:
    return (low * 60, mode * 60, high * 60, tail)


def hours(low: float, mode: float, high: float) -> Span:
    return (low * 3600, mode * 3600, high * 3600, 0.0)


def days(low: float, mode: float, high: float) -> Span:
    return (low * 86400, mode * 86400, high * 86400, 0.0)


class Office:
    """Office hours Mon–Fri 7:30–16:00 without the public holidays of Lower Saxony."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.holidays = lower_saxony_holidays(range(2024, 2027))
        self.staff = _staff()

    def workday(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def snap(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself if the office is open, else a little after the next opening."""
        while True:
            day = moment.date()
            if self.workday(day):
                if moment.time() < DAY_START:
                    start = dt.datetime.combine(day, DAY_START)
                    return start + dt.timedelta(seconds=self.rng.randint(0, 2700))
                if moment.time() < _DAY_END:
                    return moment
            moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0))

    def add_work(self, moment: dt.datetime, seconds: int) -> dt.datetime:
        """``seconds`` of working time from ``moment`` on, continued the next working day."""
        while True:
            left = int((dt.datetime.combine(moment.date(), _DAY_END) - moment).total_seconds())
            if seconds <= left:
                return moment + dt.timedelta(seconds=seconds)
            seconds -= left
            day = moment.date() + dt.timedelta(days=1)
            while not self.workday(day):
                day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, DAY_START)


class Case:
    """One case being simulated: the flows call :meth:`do` step by step."""

    def __init__(self, office: Office, number: str, start: dt.datetime, channel: str) -> None:
        self.office, self.rng = office, office.rng
        self.number, self.channel, self.start = number, channel, start
        self.t = start
        self.events: list[_Event] = []
        self._owner: dict[str, str] = {}

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def draw(self, span: Span) -> int:
        low, mode, high, tail = span
        value = self.rng.triangular(low, high, mode)
        if tail and self.chance(tail):
            value *= self.rng.uniform(2.0, 5.0)
        return max(20, int(round(value)))

    def clerk(self, unit: str) -> str:
        pool = self.office.staff[unit]
        if unit not in self._owner:
            self._owner[unit] = self.rng.choice(pool)
        # The case stays with one clerk per unit, except when a colleague stands in.
        return self.rng.choice(pool) if self.chance(0.08) else self._owner[unit]

    def do(self, activity: str, unit: str, wait: Span, work: Span) -> Case:
        """Wait (calendar time, then the next office hour), then work (office time)."""
        begin = self.office.snap(self.t + dt.timedelta(seconds=self.draw(wait)))
        return self.at(activity, unit, begin, work)

    def at(self, activity: str, unit: str, begin: dt.datetime, work: Span) -> Case:
        seconds = self.draw(work)
        closing = dt.datetime.combine(begin.date(), _DAY_END)
        if seconds <= _SHORT_WORK_S and begin + dt.timedelta(seconds=seconds) > closing:
            begin = self.office.snap(closing)  # nobody starts a short task just before closing
        end = self.office.add_work(begin, seconds)
        self.events.append(_Event(activity, begin, end, self.clerk(unit), unit, len(self.events)))
        self.t = end
        return self

    def parallel(self, *branches: Callable[[Case], object]) -> dt.datetime:
        """Run the branches from the same moment; the case goes on when the last one is done."""
        fork, ends = self.t, []
        for branch in branches:
            self.t = fork
            branch(self)
            ends.append(self.t)
        self.t = max(ends)
        return self.t

    def next_weekday(self, weekday: int, *, after: dt.timedelta) -> dt.datetime:
        """The next ``weekday`` (Monday = 0) at least ``after`` from now, when a batch runs."""
        day = (self.t + after).date()
        while day.weekday() != weekday or not self.office.workday(day):
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, DAY_START) + dt.timedelta(seconds=self.rng.randint(0, 5400))

    def rows(self) -> list[tuple[str, ...]]:
        ordered = sorted(self.events, key=lambda e: (e.end, e.order))
        return [
            (
                self.number,
                e.activity,
                e.begin.strftime(_STAMP),
                e.end.strftime(_STAMP),
                e.resource,
                e.unit,
                self.channel,
            )
            for e in ordered
        ]


@dataclass(frozen=True)
class Sample:
    """One generated log: which process, how many months of its yearly volume, which channels."""

    key: str
    prefix: str
    months: int
    channels: tuple[tuple[str, float], ...]
    flow: Callable[[Case], None]
    # The injected bottleneck: the directly-follows edge with the most waiting in total.
    bottleneck: tuple[str, str]
    # Activities that are in no model, injected as deviations.
    unmodelled: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return f"musterstadt-{self.key}.zip"

    @property
    def member_name(self) -> str:
        return f"musterstadt-{self.key}.csv"
