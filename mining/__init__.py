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

from mining.analysis import AnalysisOptions as AnalysisOptions
from mining.analysis import EmptySelectionError as EmptySelectionError
from mining.analysis import GroupTooSmallError as GroupTooSmallError
from mining.analysis import ProcessContext as ProcessContext
from mining.analysis import analyze as analyze
from mining.conformance import check_conformance as check_conformance
from mining.conformance import convert_to_petri_net as convert_to_petri_net
from mining.conformance import map_activities as map_activities
from mining.diagram.export import write_bpmn as write_bpmn
from mining.errors import EventLogError as EventLogError
from mining.errors import MappingError as MappingError
from mining.errors import MiningError as MiningError
from mining.errors import UnsafeFileError as UnsafeFileError
from mining.ingest.columns import ColumnMapping as ColumnMapping
from mining.ingest.columns import MappingSuggestion as MappingSuggestion
from mining.ingest.columns import suggest_mapping as suggest_mapping
from mining.ingest.read import SUPPORTED_FORMATS as SUPPORTED_FORMATS
from mining.ingest.read import Detected as Detected
from mining.ingest.read import ReadOptions as ReadOptions
from mining.ingest.read import open_table as open_table
from mining.ingest.read import preview_table as preview_table
from mining.ingest.store import ImportOptions as ImportOptions
from mining.ingest.store import ImportResult as ImportResult
from mining.ingest.store import LogInfo as LogInfo
from mining.ingest.store import LogNotFoundError as LogNotFoundError
from mining.ingest.store import LogStore as LogStore
from mining.ingest.timestamps import TimestampPolicy as TimestampPolicy
from mining.ingest.timestamps import detect_timestamp_format as detect_timestamp_format
from mining.measures.calendar import WorkingCalendar as WorkingCalendar
from mining.measures.calendar import lower_saxony_holidays as lower_saxony_holidays
from mining.measures.deadline import DeadlineStatus as DeadlineStatus
from mining.measures.deadline import deadline_status as deadline_status
from mining.measures.discovery import discover_bpmn as discover_bpmn
from mining.measures.discovery import discover_process_tree as discover_process_tree
from mining.measures.groups import UnitFigures as UnitFigures
from mining.measures.groups import unit_figures as unit_figures
from mining.measures.performance import compare_channels as compare_channels
from mining.measures.performance import find_bottlenecks as find_bottlenecks
from mining.measures.performance import find_handovers as find_handovers
from mining.measures.performance import find_rework as find_rework
from mining.measures.performance import group_statistics as group_statistics
from mining.query.queries import get_activity_times as get_activity_times
from mining.query.queries import get_case_durations as get_case_durations
from mining.query.queries import get_dfg as get_dfg
from mining.query.queries import get_log_stats as get_log_stats
from mining.query.queries import get_start_end_activities as get_start_end_activities
from mining.query.queries import get_variants as get_variants
from mining.query.variants import VariantCount as VariantCount
from mining.query.view import LogView as LogView
from mining.query.view import filter_activity_presence as filter_activity_presence
from mining.query.view import filter_attribute as filter_attribute
from mining.query.view import filter_case_duration as filter_case_duration
from mining.query.view import filter_time_range as filter_time_range
from mining.query.view import filter_variant_coverage as filter_variant_coverage
from mining.query.view import filter_variants_top_k as filter_variants_top_k
from mining.query.view import open_log as open_log

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
    "map_activities",
    "open_log",
    "open_table",
    "preview_table",
    "suggest_mapping",
    "unit_figures",
    "write_bpmn",
]
