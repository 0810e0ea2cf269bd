"""The result of :func:`mining.analyze` as typed records: the contract of ``pmo analyze --json``.

Pages, reports and the command line read the analysis by key; this module is the one place that
says which keys there are, what each holds and in which unit. :class:`AnalysisResult` is the
top-level record, every other class is one of its sections or rows.

The contract:

* **Keys are only ever added.** A key, once here, keeps its name, meaning and unit; a new figure
  is a new key. Keys marked ``NotRequired`` appear only under the condition their comment names
  (e.g. ``deadline`` only for a process with a legal deadline); a required key is always there.
* **The JSON is this record.** ``pmo analyze --json`` prints ``json.dumps`` of the very dict
  :func:`mining.analyze` returns (``ensure_ascii=False, indent=2``), and the reports copy parts of
  it. The records are TypedDicts, so at run time they are plain dicts: the types add nothing
  to, and remove nothing from, the JSON. ``tests/test_analysis_records.py`` checks real
  results against these classes, so a key that is not declared here fails the tests.
* **Units.** Durations and waits are seconds (``_s``) as floats, or days where the name says so;
  a ``share`` is a fraction 0…1 of the cases named in its comment, not a percentage; instants are
  ISO 8601 strings in Berlin local time with their offset (``2024-03-31T03:30:00+02:00``). Waits
  are clock time unless :attr:`AnalysisResult.working_time` says otherwise.
* **Privacy.** No record names a person: there is no ``resource`` anywhere, and every figure
  keyed by org unit obeys the minimum group size (:mod:`mining.measures.groups`).
"""

# No ``from __future__ import annotations`` here: TypedDict finds NotRequired only in evaluated
# annotations; with string annotations every key would be in ``__required_keys__`` at run time.
from typing import Literal, NotRequired, TypedDict

__all__ = [
    "ActivityMappingRecord",
    "ActivityTimeRecord",
    "AnalysisResult",
    "BottleneckRecord",
    "CalculationRecord",
    "CandidateRecord",
    "UsedAssumptionRecord",
    "CaseDurationRecord",
    "ChannelRecord",
    "ChannelsRecord",
    "ConformanceCheckRecord",
    "ConformanceRecord",
    "DeadlineRecord",
    "DeviationRecord",
    "DfgEdgeRecord",
    "HandoverRecord",
    "LogStatsRecord",
    "OrgUnitGroupsRecord",
    "OrgUnitRecord",
    "ReworkRecord",
    "ScenarioAssumptionRecord",
    "ScenarioChangeRecord",
    "ScenarioFiguresRecord",
    "ScenarioRecord",
    "TrendRecord",
    "VariantRecord",
]


class LogStatsRecord(TypedDict):
    """``log``: the size and time span of the analysed (filtered) view."""

    cases: int
    events: int
    activities: int  # distinct activity names
    variants: int  # distinct activity sequences
    start: str | None  # first event, Berlin local ISO 8601 with offset; None for an empty view
    end: str | None  # last event, as ``start``


class VariantRecord(TypedDict):
    """One row of ``variants``: a sequence of activities and the cases that follow it exactly.
    Most frequent first, at most ``AnalysisOptions.max_variants`` rows."""

    activities: list[str]  # in the order of the case's events
    cases: int
    share: float  # of all cases of the view, 0…1
    # Throughput time of the variant's cases: last minus first event, clock seconds.
    median_duration_s: float
    p90_duration_s: float  # 90th percentile, linear interpolation


class DfgEdgeRecord(TypedDict):
    """One row of ``dfg``, the directly-follows graph: ``target`` was the next event after
    ``source`` in a case. Waits are clock seconds between the two events' timestamps."""

    source: str
    target: str
    count: int  # how often the edge was passed (a loop passes it once per round)
    mean_wait_s: float  # per passage
    median_wait_s: float
    total_wait_s: float  # summed over all passages
    cases: int  # distinct cases that passed it


class CaseDurationRecord(TypedDict):
    """``case_duration_s``: last minus first event of a case, in seconds, over all cases."""

    mean: float | None  # None when no case has a duration (never for a non-empty view)
    median: float | None
    p90: float | None  # 90th percentile, linear interpolation


class BottleneckRecord(TypedDict):
    """One row of ``bottlenecks``: an edge ranked by the total time cases waited on it, largest
    first (:func:`mining.find_bottlenecks`), at most ``AnalysisOptions.bottlenecks`` rows. Waits
    are working seconds when ``working_time`` is true, clock seconds otherwise."""

    source: str
    target: str
    transitions: int  # how often the edge was passed, every round of a loop counted
    cases: int  # distinct cases that passed it
    mean_wait_s: float  # per transition
    total_wait_s: float  # transitions × mean_wait_s


class ActivityTimeRecord(TypedDict):
    """One row of ``activity_times``: how long an activity takes, most frequent first."""

    activity: str
    events: int
    cases: int  # distinct cases with the activity
    mean_s: float | None  # seconds, measured as ``kind`` says; None when nothing was measurable
    median_s: float | None
    # Bearbeitungszeit: end minus start timestamp (the log records starts for the activity);
    # Verweilzeit: time since the case's previous event, an upper bound of the work.
    kind: Literal["Bearbeitungszeit", "Verweilzeit"]


class ReworkRecord(TypedDict):
    """One row of ``rework``: an activity executed more than once within a case, largest
    ``time_lost_s`` first (:func:`mining.find_rework`)."""

    activity: str
    cases_with_rework: int  # cases executing the activity twice or more
    share_of_cases: float  # those cases among all cases of the view, 0…1
    extra_executions: int  # executions beyond the first, summed over those cases
    time_lost_s: float  # first to last execution per such case, summed: an upper bound


class HandoverRecord(TypedDict):
    """One row of ``handovers``: successive events of a case in two different org units, units
    of fewer than ``min_group_size`` people merged (:func:`mining.unit_figures`)."""

    from_unit: str
    to_unit: str
    count: int  # hand-overs
    cases: int  # distinct cases with such a hand-over
    mean_wait_s: float  # clock seconds between the two events, per hand-over


class OrgUnitRecord(TypedDict):
    """One row of ``org_units``: the figures of one org unit (or the merged group of small
    ones), most cases first."""

    group: str  # the unit, or ``OrgUnitGroupsRecord.merged_label``
    cases: int  # distinct cases with an event of the unit
    events: int
    # Clock seconds from the case's previous event to an event of the unit; None when all the
    # unit's events start a case.
    mean_wait_s: float | None


class OrgUnitGroupsRecord(TypedDict):
    """``org_unit_groups``: how the minimum group size shaped ``handovers`` and ``org_units``
    (:meth:`mining.UnitFigures.summary`)."""

    column: str  # the column naming the unit, ``org_unit``
    min_group_size: int  # k: no row stands for fewer than k people
    people_known: bool  # false: the log has no people, so no unit is shown
    units: int  # units with events in the view
    shown_units: int  # units shown under their own name
    merged_units: int  # units shown together as ``merged_label``
    merged_to_reach_minimum: int  # of those, units of k or more added so the group reaches k
    merged_label: str  # "Sonstige (< k Personen)"
    withheld_units: int  # units not shown at all (then all of them, and the rows are empty)
    handovers: int  # all hand-overs between units; the ``handovers`` rows add up to it
    events: int  # all events of the units; the ``org_units`` rows add up to it
    note: str  # one German sentence for the caption under the figures


class ChannelRecord(TypedDict):
    """One row of ``channels.values``: the cases that came in through one intake channel (the
    value of the case's first event that has one), largest channel first."""

    channel: str  # e.g. "Papier", "Online"
    cases: int
    mean_throughput_s: float  # last minus first event of the case, clock seconds
    median_throughput_s: float
    rework_share: float  # of the channel's cases, those with an activity executed twice, 0…1
    mean_wait_s: float | None  # between successive events; None when no case has two events


class ChannelsRecord(TypedDict):
    """``channels``: throughput per intake channel (:func:`mining.compare_channels`)."""

    column: str  # the attribute column taken as the channel (header like Kanal, Eingangsart)
    values: list[ChannelRecord]


class CalculationRecord(TypedDict):
    """``calculation`` of a candidate: how its hours per year come about, shown verbatim."""

    formula: str  # German, the names of ``inputs`` joined by × ÷ + (e.g. "Ausführungen/Jahr × …")
    inputs: dict[str, float | int | str | None]  # by the names the formula uses
    result: float  # hours saved per year, as ``hours_saved_per_year``


class UsedAssumptionRecord(TypedDict):
    """One of a candidate's ``assumptions_used``: a value its figure rests on, and its source."""

    key: str  # "section.key" of the assumptions file, or the calculation's input name if measured
    label: str  # German
    value: float | int | str | list[str] | None
    # "Standard" (shipped defaults), "Datei der Verwaltung" (the office's file), "Änderung"
    # (changed in this session), "gemessen" (from the log; "…, hochgerechnet …" if scaled)
    source: str


class CandidateRecord(TypedDict):
    """One row of ``candidates``: a recommended digitization, best first
    (:mod:`mining.digitization`; the figures follow the assumptions file)."""

    process: str | None  # registry key; None for a log without a process
    process_name: str | None
    activity: str | None  # the step it concerns; None for the whole process
    # rpa, ai_form_assistance, online_service, process_redesign or decision_assistance
    recommendation: str
    score: float  # 0…100, benefit and (low) effort weighted as the assumptions say
    benefit: float  # normalized benefit, 0…1
    effort: int  # 1 (small) … 5 (large), from the assumptions
    reasons: list[str]  # German sentences explaining the recommendation and the estimate
    signals: dict[str, float | None]  # the measured inputs of the rule, by name (e.g. rework_share)
    hours_saved_per_year: float
    fte_saved: float  # full-time equivalents, hours_saved_per_year / hours per FTE
    euros_saved_per_year: float
    pages_avoided_per_year: float
    co2_kg_avoided_per_year: float
    throughput_reduction_days: float  # expected shorter throughput per case, calendar days
    cases: int  # cases the estimate rests on
    low_evidence: bool  # fewer cases than the assumptions' minimum
    decides: bool  # the step decides the case: § 35a VwVfG limits automation
    recommendation_label: str  # German name of ``recommendation``
    calculation: CalculationRecord
    assumptions_used: list[UsedAssumptionRecord]


class DeadlineRecord(TypedDict):
    """``deadline``: cases over, or close to, the process's legal deadline, counted in calendar
    days as the law counts them (:func:`mining.deadline_status`, :mod:`mining.measures.deadline`)."""

    starts_with: str | None  # activity whose last occurrence starts the clock
    starts_with_default: bool  # true: no such activity, the clock starts with the first event
    ends_with: str | None  # activity that stops the clock
    ends_with_default: bool  # true: no such activity, the clock stops with the last event
    deadline_days: int
    cases: int  # cases whose clock started; the shares are of these
    over: int  # stopped after the deadline, or still running past it at the log's end
    over_share: float  # 0…1
    close: int  # not over, but at least close_threshold days
    close_share: float  # 0…1
    close_threshold: float  # days
    not_started: int  # cases without the start activity: not in ``cases``
    running: int  # started, no stop within the log: read at the log's end
    running_over: int  # of ``running``, already over at the log's end (also in ``over``)
    stop_before_start: int  # of ``running``, the stop activity occurs only before the start
    measured_until: str | None  # the log's last event, Berlin local ISO 8601 with offset
    # Land (ISO 3166-2:DE code without "DE-") whose public holidays ended deadlines; absent in
    # snapshots from before the setting: those were counted with Lower Saxony's.
    holidays_of: str | None


class DeviationRecord(TypedDict):
    """One row of ``conformance.deviations``: one kind of deviation at one activity, most cases
    first (:mod:`mining.conformance.deviations`)."""

    # skipped: a model activity the case needed but never executed; unmodelled: a log activity
    # without a model activity; wrong_order: executed where the model does not allow it.
    kind: Literal["skipped", "unmodelled", "wrong_order"]
    activity: str  # model label for skipped and wrong_order, log activity for unmodelled
    cases: int  # a case counts once per kind and activity
    share: float  # of all cases of the view, 0…1
    example_cases: list[str]  # up to three case ids
    # The variants that show it, numbered as get_variants numbers the analysed view's variants
    # (the order of ``variants``, 1 = most frequent): filter_variants(view, variants) on the
    # same view selects its cases.
    variants: list[int]


class ActivityMappingRecord(TypedDict):
    """``conformance.mapping``: which log activity is which model activity
    (:mod:`mining.conformance.mapping`)."""

    pairs: dict[str, str]  # log activity → model label, confirmed pairs only
    kinds: dict[str, Literal["manual", "exact", "normalized"]]  # how each pair was confirmed
    # Per unmapped log activity, up to three [model label, similarity 0…1] pairs, best first.
    suggestions: dict[str, list[list[str | float]]]
    unmapped_log: list[str]  # log activities without a pair, reported as unmodelled
    unmapped_model: list[str]  # model labels no log activity maps to


class ConformanceCheckRecord(TypedDict):
    """How well the log fits the model (:meth:`mining.conformance.ConformanceResult.to_dict`)."""

    method: Literal["token_replay", "alignments"]
    fitness: float  # 0…1; token replay: pm4py's log fitness, alignments: see mining.conformance
    precision: float | None  # pm4py's ETC precision, 0…1; None when not computed (see notes)
    fitting_cases_share: float  # of the checked cases, those whose variant fits, 0…1
    deviations: list[DeviationRecord]
    partial: bool  # alignments ran out of time: the figures cover the checked variants only
    variants_checked: int
    variants_total: int
    checked_cases_share: float  # cases of the checked variants among all cases, 0…1
    notes: list[str]  # German remarks on the check (time budget, precision)


class ConformanceRecord(ConformanceCheckRecord):
    """``conformance``: the check against the registered model. In ``notes`` the remarks on how
    the model was converted (boundary events, call activities) come first."""

    model: str  # registry key of the process
    version: int  # model version checked against
    mapping: ActivityMappingRecord


class TrendRecord(TypedDict):
    """One row of ``trends`` (per calendar month) or ``trends_weekly`` (per ISO week), oldest
    first: every period from the first event's to the last event's, Europe/Berlin calendar, also
    one in which nothing happened (:func:`mining.case_trends`). A case starts with its first event
    and completes with its last."""

    period: str  # "2024-03" (month) or "2024-W13" (ISO year and week)
    started: int  # cases whose first event falls into the period
    completed: int  # cases whose last event falls into the period
    in_progress: int  # open at the period's end: started in or before it, completed after it
    # Last minus first event of the cases completed in the period, seconds, linear interpolation;
    # None when no case was completed in it.
    median_duration_s: float | None
    p90_duration_s: float | None
    # Of the cases completed in the period whose deadline clock started, those over the legal
    # deadline (counted as ``deadline``), 0…1; None without a deadline or without such a case.
    deadline_over_share: float | None
    # Of the cases started in the period with a value in ``channels.column``, those whose channel
    # reads like paper (Papier, Post, Brief, schriftlich), 0…1; None without a channel column,
    # when no channel reads like paper, or without such a case.
    paper_share: float | None


class ScenarioAssumptionRecord(TypedDict):
    """One assumption a scenario's figures rest on, with where its value comes from."""

    key: str  # "section.name" as in the assumptions file, or "measured.…" for a measured input
    label: str  # German
    value: float | str
    source: str  # the shipped defaults, the office's file, or "gemessen"


class ScenarioChangeRecord(TypedDict):
    """One accepted change of ``pmo scenario --json`` (:func:`mining.run_scenario`)."""

    activity: str | None  # None: a target online share without a named step
    kind: str  # rpa, ai_form_assistance or online_service
    kind_label: str  # German
    eligible_cases: int  # cases the change could apply to (with the step, rework or paper)
    cases: int  # cases the replay changed
    events_removed: int  # events no longer executed
    hours_saved_per_year: float
    euros_saved_per_year: float
    # {"formula": German text, "inputs": {name: value}, "result": hours per year}
    calculation: dict[str, object]


class ScenarioFiguresRecord(TypedDict):
    """Throughput and deadline of the replayed cases, before or after the changes."""

    median_days: float | None  # case duration (first to last event), calendar days
    p90_days: float | None
    deadline_over_share: float | None  # of the cases whose clock started; None: no deadline
    deadline_cases: int  # cases whose clock started


class ScenarioRecord(TypedDict):
    """What ``pmo scenario --json`` prints: the log's own cases replayed with changed steps."""

    process: str | None
    cases: int
    year_factor: float  # multiply log figures by this for a year
    volume_source: str  # "Register" or "Protokoll"
    deadline_days: int | None
    online_share_before: float | None  # of the cases with a known intake channel
    online_share_target: float | None
    changes: list[ScenarioChangeRecord]
    before: ScenarioFiguresRecord
    after: ScenarioFiguresRecord
    hours_saved_per_year: float
    fte_saved: float
    euros_saved_per_year: float
    assumptions: list[ScenarioAssumptionRecord]
    notes: list[str]  # German: what the replay could not apply, and why


class AnalysisResult(TypedDict):
    """What :func:`mining.analyze` returns and ``pmo analyze --json`` prints (see the module
    docstring for the contract). Keys appear in the order declared here."""

    log: LogStatsRecord
    variants: list[VariantRecord]
    dfg: list[DfgEdgeRecord]
    case_duration_s: CaseDurationRecord
    bottlenecks: list[BottleneckRecord]
    start_activities: dict[str, int]  # activity → cases starting with it
    end_activities: dict[str, int]  # activity → cases ending with it
    activity_times: list[ActivityTimeRecord]
    rework: list[ReworkRecord]
    # True: the bottleneck waits are working seconds of ``AnalysisOptions.calendar`` (pmo: the
    # office settings' hours, days and Land's holidays); false: clock seconds. Other waits are
    # clock time.
    working_time: bool
    # The next three only when the view has events of an org unit (imported with one).
    handovers: NotRequired[list[HandoverRecord]]
    org_units: NotRequired[list[OrgUnitRecord]]
    org_unit_groups: NotRequired[OrgUnitGroupsRecord]
    # Only when an attribute column's header names the intake channel (Kanal, Eingangsart …).
    channels: NotRequired[ChannelsRecord]
    candidates: list[CandidateRecord]
    deadline: NotRequired[DeadlineRecord]  # only for a process with a legal deadline
    conformance: NotRequired[ConformanceRecord]  # only when the log belongs to a process
    trends: list[TrendRecord]  # per calendar month
    trends_weekly: list[TrendRecord]  # per ISO week
