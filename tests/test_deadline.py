"""Legal deadlines counted as the law counts them (§ 42a VwVfG, §§ 187–188 BGB, § 31 VwVfG).

Every expectation comes from :func:`reference`, an independent count written here with plain
``datetime`` and ``zoneinfo``: the clock starts with the last occurrence of the start activity,
stops with the first occurrence of the stop activity after it; the day of the starting event is
not counted, the deadline ends at the end of its last local day in Berlin, moved to the end of the
next working day when that day is a Saturday, Sunday or public holiday of Lower Saxony. The table
checks the reference against hand-derived labels, then the implementation against the reference.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mining.measures.deadline import deadline_status
from mining.query.view import LogViewError
from tests.test_aggregates import events, write_log

BERLIN = ZoneInfo("Europe/Berlin")

# The statutory holidays of Lower Saxony, typed in from the Niedersächsisches Feiertagsgesetz.
NI_HOLIDAYS = {
    date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 1), date(2024, 5, 9),
    date(2024, 5, 20), date(2024, 10, 3), date(2024, 10, 31), date(2024, 12, 25),
    date(2024, 12, 26), date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 1),
    date(2025, 5, 29), date(2025, 6, 9), date(2025, 10, 3), date(2025, 10, 31),
    date(2025, 12, 25), date(2025, 12, 26),
}  # fmt: skip

Steps = Sequence[tuple[str, datetime]]


def local(text: str) -> datetime:
    """A Berlin wall-clock time (one that exists and is unambiguous)."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


# -- the independent count ----------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    labels: dict[str, str]  # case → within | close | over, "running " prefixed; or not_started
    stop_before_start: set[str]

    def figures(self, deadline_days: int, warn_share: float = 0.8) -> dict[str, Any]:
        started = [label for label in self.labels.values() if label != "not_started"]
        over = sum(label.endswith("over") for label in started)
        close = sum(label.endswith("close") for label in started)
        cases = len(started)
        return {
            "deadline_days": deadline_days,
            "cases": cases,
            "over": over,
            "over_share": over / cases if cases else 0.0,
            "close": close,
            "close_share": close / cases if cases else 0.0,
            "close_threshold": round(warn_share * deadline_days, 4),
            "not_started": len(self.labels) - cases,
            "running": sum(label.startswith("running") for label in started),
            "running_over": sum(label == "running over" for label in started),
            "stop_before_start": len(self.stop_before_start),
        }


def reference(
    log: dict[str, Steps],
    deadline_days: int,
    starts_with: str | None,
    ends_with: str | None,
    warn_share: float = 0.8,
    holidays: set[date] = NI_HOLIDAYS,
) -> Counted:
    log_end = max(moment for steps in log.values() for _, moment in steps)
    labels: dict[str, str] = {}
    early_stops: set[str] = set()
    for case, steps in log.items():
        steps = sorted(steps, key=lambda step: step[1])  # stable: file order on equal times
        if starts_with is None:
            begin = 0
        else:
            begins = [i for i, (activity, _) in enumerate(steps) if activity == starts_with]
            if not begins:
                labels[case] = "not_started"
                continue
            begin = begins[-1]
        if ends_with is None:
            stop: datetime | None = steps[-1][1]
        else:
            stop = next((m for a, m in steps[begin + 1 :] if a == ends_with), None)
            if stop is None and any(a == ends_with for a, _ in steps[:begin]):
                early_stops.add(case)
        start_day = steps[begin][1].astimezone(BERLIN).date()
        last_day = start_day + timedelta(days=deadline_days)
        while last_day.weekday() >= 5 or last_day in holidays:
            last_day += timedelta(days=1)
        end_day = (stop or log_end).astimezone(BERLIN).date()
        if end_day > last_day:
            label = "over"
        elif (end_day - start_day).days >= warn_share * deadline_days:
            label = "close"
        else:
            label = "within"
        labels[case] = label if stop is not None else f"running {label}"
    return Counted(labels, early_stops)


def _rows(log: dict[str, Steps]) -> list[dict[str, Any]]:
    return [
        row
        for case, steps in log.items()
        for row in events(case, *((a, m.astimezone(UTC).isoformat()) for a, m in steps))
    ]


def _measured(tmp_path: Path, log: dict[str, Steps], **rule: Any) -> dict[str, Any]:
    status = deadline_status(write_log(tmp_path / "log.parquet", _rows(log)), **rule)
    return {key: getattr(status, key) for key in Counted({}, set()).figures(1)}


# -- the table ----------------------------------------------------------------------------------

# Each row: one case under a rule, the label a person counting by hand gives it, and a case that
# marks the end of the log for clocks still running.
ROWS = [
    (
        "an event at 00:30 local (22:30 UTC the day before) and one at 23:30 local the next day",
        {"deadline_days": 1},
        [("Antrag", local("2024-06-11T00:30")), ("Bescheid", local("2024-06-12T23:30"))],
        "close",  # 47 hours on the clock, but one day as the law counts
    ),
    (
        "an event at 23:30 local: the next local day is day one",
        {"deadline_days": 1},
        [("Antrag", local("2024-06-11T23:30")), ("Bescheid", local("2024-06-13T00:10"))],
        "over",
    ),
    (
        "clocks go back on Sunday 27 October 2024: the deadline's last day is Monday",
        {"deadline_days": 4},
        [("Antrag", local("2024-10-24T23:50")), ("Bescheid", local("2024-10-28T23:55"))],
        "close",  # four days and 1 h 05 min in UTC, still on the last day
    ),
    (
        "clocks go forward on Sunday 30 March 2025: one hour less, but a day more",
        {"deadline_days": 4},
        [("Antrag", local("2025-03-27T23:30")), ("Bescheid", local("2025-04-01T00:10"))],
        "over",  # 3 days 23 h 40 min in UTC, but the last day (Monday 31 March) has passed
    ),
    (
        "a deadline ending on a Saturday ends on Monday (§ 31 (3) VwVfG)",
        {"deadline_days": 3},
        [("Antrag", local("2024-06-05T10:00")), ("Bescheid", local("2024-06-10T15:00"))],
        "close",
    ),
    (
        "... and is over on Tuesday",
        {"deadline_days": 3},
        [("Antrag", local("2024-06-05T10:00")), ("Bescheid", local("2024-06-11T08:00"))],
        "over",
    ),
    (
        "a deadline ending on Reformationstag, a holiday in Lower Saxony, ends on Friday",
        {"deadline_days": 3},
        [("Antrag", local("2024-10-28T09:00")), ("Bescheid", local("2024-11-01T12:00"))],
        "close",
    ),
    (
        "a deadline ending on Christmas runs to the 27th",
        {"deadline_days": 10},
        [("Antrag", local("2024-12-15T09:00")), ("Bescheid", local("2024-12-27T15:00"))],
        "close",
    ),
    (
        "a deadline ending on the day before Good Friday is not moved",
        {"deadline_days": 10},
        [("Antrag", local("2025-04-07T09:00")), ("Bescheid", local("2025-04-18T09:00"))],
        "over",
    ),
    (
        "well within the deadline",
        {"deadline_days": 30},
        [("Antrag", local("2024-06-03T09:00")), ("Bescheid", local("2024-06-20T09:00"))],
        "within",
    ),
    (
        "several Nachreichungen: the clock starts with the last one",
        {"deadline_days": 30, "starts_with": "Nachreichung"},
        [
            ("Antrag", local("2024-05-02T09:00")),
            ("Nachreichung", local("2024-05-21T09:00")),
            ("Nachreichung", local("2024-06-14T09:00")),
            ("Bescheid", local("2024-07-12T09:00")),
        ],
        "close",  # 71 days from the first event, 28 from the last Nachreichung
    ),
    (
        "no start activity: the clock never started",
        {"deadline_days": 30, "starts_with": "Nachreichung"},
        [("Antrag", local("2024-05-02T09:00")), ("Bescheid", local("2024-09-12T09:00"))],
        "not_started",
    ),
    (
        "a named stop: the first decision after the start counts, not the last event",
        {"deadline_days": 30, "starts_with": "Nachreichung", "ends_with": "Bescheid"},
        [
            ("Antrag", local("2024-05-02T09:00")),
            ("Nachreichung", local("2024-05-06T09:00")),
            ("Bescheid", local("2024-05-27T09:00")),
            ("Bescheid", local("2024-08-27T09:00")),
            ("Archivieren", local("2024-09-27T09:00")),
        ],
        "within",
    ),
    (
        "no stop within the log, the deadline passed before its end: over, still running",
        {"deadline_days": 30, "ends_with": "Bescheid"},
        [("Antrag", local("2024-05-02T09:00")), ("Widerspruch", local("2024-05-10T09:00"))],
        "running over",
    ),
    (
        "no stop, the log ends within the deadline: still running",
        {"deadline_days": 200, "ends_with": "Bescheid"},
        [("Antrag", local("2024-05-02T09:00")), ("Anhörung", local("2024-05-10T09:00"))],
        "running within",
    ),
    (
        "a stop only before the start does not stop the clock",
        {"deadline_days": 30, "starts_with": "Nachreichung", "ends_with": "Bescheid"},
        [
            ("Antrag", local("2024-05-02T09:00")),
            ("Bescheid", local("2024-05-10T09:00")),
            ("Nachreichung", local("2024-05-20T09:00")),
        ],
        "running over",
    ),
]
LOG_END = ("Stichtag", local("2024-10-01T12:00"))


@pytest.mark.parametrize(
    ("rule", "steps", "label"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS]
)
def test_counting_as_the_law_counts(
    tmp_path: Path, rule: dict[str, Any], steps: Steps, label: str
) -> None:
    log = {"case": steps}
    if label.startswith("running"):
        log["other"] = [LOG_END]  # the log's end: where a running clock is read
    rule = {"starts_with": None, "ends_with": None, **rule}
    counted = reference(log, **rule)
    assert counted.labels["case"] == label
    assert _measured(tmp_path, log, **rule) == counted.figures(rule["deadline_days"])


def test_a_stop_before_the_start_is_counted_as_such(tmp_path: Path) -> None:
    *_, steps, _ = ROWS[-1]
    rule = {"deadline_days": 30, "starts_with": "Nachreichung", "ends_with": "Bescheid"}
    figures = _measured(tmp_path, {"case": steps, "other": [LOG_END]}, **rule)
    assert (figures["running"], figures["stop_before_start"], figures["not_started"]) == (1, 1, 1)


def test_the_rule_and_its_defaults_are_reported(tmp_path: Path) -> None:
    view = write_log(tmp_path / "log.parquet", _rows({"c": ROWS[0][2]}))
    default = deadline_status(view, deadline_days=1).to_dict()
    assert (default["starts_with"], default["starts_with_default"]) == (None, True)
    assert (default["ends_with"], default["ends_with_default"]) == (None, True)
    named = deadline_status(view, deadline_days=1, starts_with="Antrag", ends_with="Bescheid")
    assert named.to_dict()["starts_with"] == "Antrag"
    assert (named.to_dict()["starts_with_default"], named.to_dict()["ends_with_default"]) == (
        False,
        False,
    )
    # The log's end, where running clocks are read, with its offset.
    assert default["measured_until"] == "2024-06-12T23:30:00+02:00"


def test_an_unknown_start_activity_counts_no_case_and_says_so(tmp_path: Path) -> None:
    view = write_log(tmp_path / "log.parquet", _rows({"c": ROWS[0][2], "d": ROWS[1][2]}))
    status = deadline_status(view, deadline_days=1, starts_with="Unterlagen vollständig")
    assert (status.cases, status.not_started, status.over_share) == (0, 2, 0.0)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"deadline_days": 0}, "mindestens einen Tag"),
        ({"deadline_days": 10, "warn_share": 1.5}, "warn_share"),
        ({"deadline_days": 10, "starts_with": "A", "ends_with": "A"}, "nicht derselbe"),
    ],
)
def test_impossible_rules_are_refused(tmp_path: Path, rule: dict[str, Any], message: str) -> None:
    view = write_log(tmp_path / "log.parquet", _rows({"c": ROWS[0][2]}))
    with pytest.raises(LogViewError, match=message):
        deadline_status(view, **rule)


def test_over_and_close_around_the_last_day(tmp_path: Path) -> None:
    # From Wednesday 3 January 2024, 90 days end on Tuesday 2 April (Easter Monday is the 1st).
    rows = []
    for number, days in enumerate([10, 70, 80, 89, 90, 91, 120]):
        begin = local("2024-01-03T10:00")
        rows += events(
            f"c{number}",
            ("Antrag", begin.isoformat()),
            ("Bescheid", (begin + timedelta(days=days)).isoformat()),
        )
    status = deadline_status(write_log(tmp_path / "log.parquet", rows), deadline_days=90)
    assert (status.cases, status.over, status.close, status.deadline_days) == (7, 2, 3, 90)
    assert (status.over_share, status.close_share) == (pytest.approx(2 / 7), pytest.approx(3 / 7))
    assert status.close_threshold == 72


def test_working_days_skip_weekends_and_holidays(tmp_path: Path) -> None:
    rows = [
        # Monday to Monday: 5 working days
        *events("week", ("Antrag", local("2024-06-03T08:00").isoformat()),
                ("Bescheid", local("2024-06-10T08:00").isoformat())),
        # Maundy Thursday to the Wednesday after Easter 2025: Thursday and Tuesday only
        *events("easter", ("Antrag", local("2025-04-17T08:00").isoformat()),
                ("Bescheid", local("2025-04-23T08:00").isoformat())),
    ]  # fmt: skip
    view = write_log(tmp_path / "log.parquet", rows)
    # In calendar days the Easter deadline of four days ends on Tuesday 22 April: over as well.
    assert deadline_status(view, deadline_days=4).over == 2
    working = deadline_status(view, deadline_days=4, calendar_days=False)
    assert (working.over, working.close) == (1, 0)  # 5 working days; 2 < 0.8 × 4
    assert deadline_status(view, deadline_days=2, calendar_days=False, warn_share=1.0).close == 1


# -- any log --------------------------------------------------------------------------------------

_ACTIVITIES = ("Antrag", "Nachreichung", "Bescheid", "Vermerk")
# Around both clock changes of 2024 and the holidays of spring, autumn and Christmas.
_ORIGINS = (
    datetime(2024, 3, 20, tzinfo=UTC),
    datetime(2024, 10, 20, tzinfo=UTC),
    datetime(2024, 12, 18, tzinfo=UTC),
)


def _random_log(rng: random.Random, cases: int) -> dict[str, Steps]:
    log = {}
    for number in range(cases):
        origin = rng.choice(_ORIGINS)
        # Whole minutes over 40 days: events land at any time of day, midnight and 02:00 too.
        minutes = sorted(rng.sample(range(40 * 24 * 60), rng.randint(1, 6)))
        log[f"c{number}"] = [
            (rng.choice(_ACTIVITIES), origin + timedelta(minutes=m)) for m in minutes
        ]
    return log


@pytest.mark.parametrize("deadline_days", [1, 4, 15])
@pytest.mark.parametrize(
    ("starts_with", "ends_with"),
    [(None, None), ("Nachreichung", None), (None, "Bescheid"), ("Nachreichung", "Bescheid")],
)
def test_any_log_is_counted_as_the_reference_counts(
    tmp_path: Path, deadline_days: int, starts_with: str | None, ends_with: str | None
) -> None:
    rng = random.Random(f"{deadline_days}/{starts_with}/{ends_with}")
    log = _random_log(rng, 400)
    rule = {"deadline_days": deadline_days, "starts_with": starts_with, "ends_with": ends_with}
    assert _measured(tmp_path, log, **rule) == reference(log, **rule).figures(deadline_days)
