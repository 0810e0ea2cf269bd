"""Process mining over the event logs departments export. Framework-free: no Streamlit here.

Import a log once; everything later reads the stored Parquet file::

    store = LogStore(open_database(), data_dir())
    result = store.import_file(Path("export.csv"), uploader="fd32",
                               options=ImportOptions(process_key="wohngeld"))
    events = store.events_path(result.log_id)

The readers (:func:`open_table`, :func:`preview_table`), the mapping suggestions and the
normalizer are public for the upload wizard, which shows each step before the import.

Analysis works on a :class:`LogView` (a stored log plus filters; a log in, a log out)::

    view = filter_variants_top_k(open_log(events), 10)
    get_dfg(view); find_bottlenecks(view); analyze(view, process=context)
"""

from .aggregates import get_activity_times as get_activity_times
from .aggregates import get_case_durations as get_case_durations
from .aggregates import get_dfg as get_dfg
from .aggregates import get_log_stats as get_log_stats
from .aggregates import get_start_end_activities as get_start_end_activities
from .aggregates import get_variants as get_variants
from .analysis import AnalysisOptions as AnalysisOptions
from .analysis import EmptySelectionError as EmptySelectionError
from .analysis import GroupTooSmallError as GroupTooSmallError
from .analysis import ProcessContext as ProcessContext
from .analysis import analyze as analyze
from .bpmn_export import write_bpmn as write_bpmn
from .calendar import WorkingCalendar as WorkingCalendar
from .calendar import lower_saxony_holidays as lower_saxony_holidays
from .calendar import office_calendar as office_calendar
from .conformance import check_conformance as check_conformance
from .conformance import convert_to_petri_net as convert_to_petri_net
from .conformance import map_activities as map_activities
from .deadline import DeadlineStatus as DeadlineStatus
from .deadline import deadline_status as deadline_status
from .discovery import discover_bpmn as discover_bpmn
from .discovery import discover_process_tree as discover_process_tree
from .errors import EventLogError as EventLogError
from .errors import MappingError as MappingError
from .errors import MiningError as MiningError
from .errors import UnsafeFileError as UnsafeFileError
from .groups import UnitFigures as UnitFigures
from .groups import unit_figures as unit_figures
from .io import SUPPORTED_FORMATS as SUPPORTED_FORMATS
from .io import Detected as Detected
from .io import ReadOptions as ReadOptions
from .io import open_table as open_table
from .io import preview_table as preview_table
from .logstore import ImportOptions as ImportOptions
from .logstore import ImportResult as ImportResult
from .logstore import LogInfo as LogInfo
from .logstore import LogNotFoundError as LogNotFoundError
from .logstore import LogStore as LogStore
from .logview import LogView as LogView
from .logview import filter_activity_presence as filter_activity_presence
from .logview import filter_attribute as filter_attribute
from .logview import filter_case_duration as filter_case_duration
from .logview import filter_local_days as filter_local_days
from .logview import filter_time_range as filter_time_range
from .logview import filter_variant_coverage as filter_variant_coverage
from .logview import filter_variants_top_k as filter_variants_top_k
from .logview import open_log as open_log
from .mapping import ColumnMapping as ColumnMapping
from .mapping import MappingSuggestion as MappingSuggestion
from .mapping import suggest_mapping as suggest_mapping
from .performance import compare_channels as compare_channels
from .performance import find_bottlenecks as find_bottlenecks
from .performance import find_handovers as find_handovers
from .performance import find_rework as find_rework
from .performance import group_statistics as group_statistics
from .timestamps import TimestampPolicy as TimestampPolicy
from .timestamps import detect_timestamp_format as detect_timestamp_format
from .variants import VariantCount as VariantCount

__all__ = [
    "SUPPORTED_FORMATS",
    "AnalysisOptions",
    "ColumnMapping",
    "DeadlineStatus",
    "Detected",
    "EmptySelectionError",
    "EventLogError",
    "GroupTooSmallError",
    "ImportOptions",
    "ImportResult",
    "LogInfo",
    "LogNotFoundError",
    "LogStore",
    "LogView",
    "MappingError",
    "MappingSuggestion",
    "MiningError",
    "ProcessContext",
    "ReadOptions",
    "TimestampPolicy",
    "UnitFigures",
    "UnsafeFileError",
    "VariantCount",
    "WorkingCalendar",
    "analyze",
    "check_conformance",
    "compare_channels",
    "convert_to_petri_net",
    "deadline_status",
    "detect_timestamp_format",
    "discover_bpmn",
    "discover_process_tree",
    "filter_activity_presence",
    "filter_attribute",
    "filter_case_duration",
    "filter_local_days",
    "filter_time_range",
    "filter_variant_coverage",
    "filter_variants_top_k",
    "find_bottlenecks",
    "find_handovers",
    "find_rework",
    "get_activity_times",
    "get_case_durations",
    "get_dfg",
    "get_log_stats",
    "get_start_end_activities",
    "get_variants",
    "group_statistics",
    "lower_saxony_holidays",
    "office_calendar",
    "map_activities",
    "open_log",
    "open_table",
    "preview_table",
    "suggest_mapping",
    "unit_figures",
    "write_bpmn",
]
