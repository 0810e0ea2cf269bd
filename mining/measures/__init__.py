"""What a stored log shows about its process: waits and bottlenecks, rework, hand-overs and
org-unit figures (never below the minimum group size), channels, the legal deadline, working-time
calendars, a discovered model, the process map and the trends per month or week. Pure functions
of a :class:`mining.query.LogView`; the SQL underneath lives in :mod:`mining.query`.
"""

from mining.measures.calendar import WorkingCalendar as WorkingCalendar
from mining.measures.calendar import land_holidays as land_holidays
from mining.measures.calendar import lower_saxony_holidays as lower_saxony_holidays
from mining.measures.calendar import office_calendar as office_calendar
from mining.measures.deadline import COUNTING_RULE as COUNTING_RULE
from mining.measures.deadline import DeadlineStatus as DeadlineStatus
from mining.measures.deadline import clock_status as clock_status
from mining.measures.deadline import clock_texts as clock_texts
from mining.measures.deadline import counting_rule as counting_rule
from mining.measures.deadline import deadline_cases as deadline_cases
from mining.measures.deadline import deadline_status as deadline_status
from mining.measures.deadline import event_clocks as event_clocks
from mining.measures.discovery import discover_bpmn as discover_bpmn
from mining.measures.discovery import discover_process_tree as discover_process_tree
from mining.measures.groups import GroupTooSmallError as GroupTooSmallError
from mining.measures.groups import UnitFigures as UnitFigures
from mining.measures.groups import check_selection as check_selection
from mining.measures.groups import total_handovers as total_handovers
from mining.measures.groups import unit_figures as unit_figures
from mining.measures.performance import compare_channels as compare_channels
from mining.measures.performance import find_bottlenecks as find_bottlenecks
from mining.measures.performance import find_handovers as find_handovers
from mining.measures.performance import find_rework as find_rework
from mining.measures.performance import group_statistics as group_statistics
from mining.measures.process_map import map_dot as map_dot
from mining.measures.process_map import reduce_map as reduce_map
from mining.measures.trends import TREND_COLUMNS as TREND_COLUMNS
from mining.measures.trends import case_trends as case_trends
from mining.measures.trends import is_paper_channel as is_paper_channel

__all__ = [
    "COUNTING_RULE",
    "counting_rule",
    "TREND_COLUMNS",
    "DeadlineStatus",
    "GroupTooSmallError",
    "UnitFigures",
    "WorkingCalendar",
    "case_trends",
    "check_selection",
    "clock_status",
    "clock_texts",
    "compare_channels",
    "deadline_cases",
    "deadline_status",
    "event_clocks",
    "discover_bpmn",
    "discover_process_tree",
    "find_bottlenecks",
    "find_handovers",
    "find_rework",
    "group_statistics",
    "is_paper_channel",
    "land_holidays",
    "lower_saxony_holidays",
    "map_dot",
    "office_calendar",
    "reduce_map",
    "total_handovers",
    "unit_figures",
]
