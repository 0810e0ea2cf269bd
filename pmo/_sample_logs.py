"""Synthetic event logs of the sample processes: the generator and the loader behind ``pmo demo``.

``python -m pmo._sample_logs`` rewrites the committed files in ``event_logs/``; a test checks they
equal a fresh generation. Everything is drawn from one seeded generator with triangular
distributions only (no ``log``/``exp``, whose last bit may differ between C libraries), naive
local times and no locale, so the output is the same on every machine. What each log contains is
described in ``event_logs/SOURCES.md``; the flows themselves are in :mod:`pmo._sample_flows`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mining import ImportOptions, ImportResult, LogStore, lower_saxony_holidays
from process_registry import ProcessNotFoundError

__all__ = [
    "COLUMNS",
    "ENCODING",
    "FOLDER",
    "REAL_LOGS",
    "Case",
    "Sample",
    "generate",
    "load_sample_logs",
    "samples",
    "sample_options",
]

PROJECT = Path(__file__).resolve().parents[1]
FOLDER = PROJECT / "event_logs"
COLUMNS = (
    "Vorgangsnummer",
    "Tätigkeit",
    "Beginn",
    "Ende",
    "Bearbeitung",
    "Organisationseinheit",
    "Eingangskanal",
)
SEED = 20240701
ENCODING = "cp1252"  # as German Excel writes a CSV
_STAMP = "%d.%m.%Y %H:%M:%S"
_DAY_START, _DAY_END = dt.time(7, 30), dt.time(16, 0)
_PERIOD_START = dt.date(2024, 7, 1)
# Arrivals per weekday (Monday first): Mondays are busiest, Fridays quiet.
_WEEKDAY_WEIGHTS = (1.25, 1.1, 1.0, 1.05, 0.75)
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
# Work up to this long is done in one go; longer work may continue the next working day.
_SHORT_WORK_S = 2 * 3600

# Real public logs shipped in event_logs/ (see SOURCES.md); loaded unlinked, columns suggested.
REAL_LOGS = ("08_receipt.xes.gz", "running-example.xes", "roadtraffic100traces.csv")

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


class _Office:
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
                if moment.time() < _DAY_START:
                    start = dt.datetime.combine(day, _DAY_START)
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
            moment = dt.datetime.combine(day, _DAY_START)


class Case:
    """One case being simulated: the flows call :meth:`do` step by step."""

    def __init__(self, office: _Office, number: str, start: dt.datetime, channel: str) -> None:
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
        return dt.datetime.combine(day, _DAY_START) + dt.timedelta(
            seconds=self.rng.randint(0, 5400)
        )

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


def samples() -> tuple[Sample, ...]:
    """Every generated sample log, in the order ``pmo demo`` loads them."""
    from pmo._sample_flows import SAMPLES as defined

    return defined


def _annual_volumes(folder: Path) -> dict[str, int]:
    entries = json.loads((folder / "catalogue.json").read_text(encoding="utf-8"))
    return {entry["key"]: int(entry["annual_case_volume"]) for entry in entries}


def _arrivals(office: _Office, count: int, months: int) -> list[dt.datetime]:
    years, month = divmod(_PERIOD_START.month - 1 + months, 12)
    end = dt.date(_PERIOD_START.year + years, month + 1, 1)  # the first day after the period
    workdays = [
        _PERIOD_START + dt.timedelta(days=n)
        for n in range((end - _PERIOD_START).days)
        if office.workday(_PERIOD_START + dt.timedelta(days=n))
    ]
    weights = [_WEEKDAY_WEIGHTS[day.weekday()] for day in workdays]
    picked = office.rng.choices(workdays, weights=weights, k=count)
    moments = [
        dt.datetime.combine(day, _DAY_START) + dt.timedelta(seconds=office.rng.randint(0, 29700))
        for day in picked
    ]
    return sorted(moments)


def render(sample: Sample, annual_volume: int, seed: int = SEED) -> bytes:
    """The CSV bytes of one sample log."""
    office = _Office(random.Random(f"{seed}:{sample.key}"))
    count = round(annual_volume * sample.months / 12)
    names, weights = zip(*sample.channels, strict=True)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    year = _PERIOD_START.year
    for number, start in enumerate(_arrivals(office, count, sample.months), start=1):
        channel = office.rng.choices(names, weights=weights)[0]
        case = Case(office, f"{sample.prefix}-{year}-{number:05d}", start, channel)
        sample.flow(case)
        writer.writerows(case.rows())
    return out.getvalue().encode(ENCODING)


def zipped(member: str, data: bytes) -> bytes:
    """A one-member ZIP with fixed metadata, so equal content gives equal bytes."""
    info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def generate(target: Path = FOLDER, *, models: Path = PROJECT / "bpmn_models") -> list[Path]:
    """Write every sample log as a ZIP holding one CSV into ``target``; returns the files."""
    volumes = _annual_volumes(models)
    written = []
    for sample in samples():
        data = zipped(sample.member_name, render(sample, volumes[sample.key]))
        path = Path(target) / sample.file_name
        staging = path.with_suffix(".tmp")
        staging.write_bytes(data)
        os.replace(staging, path)
        written.append(path)
    return written


def sample_options(process_key: str | None) -> ImportOptions:
    """How ``pmo demo`` maps a generated log (explicit, so nothing depends on header guessing)."""
    return ImportOptions(
        case="Vorgangsnummer",
        activity="Tätigkeit",
        timestamp="Ende",
        start_timestamp="Beginn",
        resource="Bearbeitung",
        org_unit="Organisationseinheit",
        attributes=("Eingangskanal",),
        process_key=process_key,
    )


def load_sample_logs(
    store: LogStore, *, folder: Path = FOLDER, uploader: str = "pmo demo"
) -> list[tuple[str, str, ImportResult | None]]:
    """Import every sample log not yet in ``store`` (by file name): the generated ones linked to
    their process, the real public ones unlinked. Returns (file, note, result) per file; result is
    None for a file that was skipped, with the reason as note."""
    present = {info.source_name for info in store.list_logs()}
    wanted = [(s.file_name, s.key, sample_options(s.key)) for s in samples()]
    wanted += [(name, None, ImportOptions()) for name in REAL_LOGS]
    done: list[tuple[str, str, ImportResult | None]] = []
    for name, key, options in wanted:
        path = Path(folder) / name
        if name in present:
            done.append((name, "bereits geladen", None))
        elif not path.is_file():
            done.append((name, "Datei fehlt", None))
        else:
            try:
                result = store.import_file(path, uploader=uploader, options=options)
            except ProcessNotFoundError:
                done.append((name, f"Prozess „{key}“ ist nicht im Register", None))
                continue
            done.append((name, key or "ohne Prozess", result))
    return done


if __name__ == "__main__":
    for written in generate():
        print(f"{written.relative_to(PROJECT)}: {written.stat().st_size:,} Bytes")
