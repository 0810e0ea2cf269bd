"""Process mining over the event logs departments export. Framework-free: no Streamlit here.

Import a log once; everything later reads the stored Parquet file::

    store = LogStore(open_database(), data_dir())
    result = store.import_file(Path("export.csv"), uploader="fd32",
                               options=ImportOptions(process_key="wohngeld"))
    events = store.events_path(result.log_id)

The readers (:func:`open_table`, :func:`preview_table`), the mapping suggestions and the
normalizer are public for the upload wizard, which shows each step before the import.

The packages follow the data's path: ``ingest`` (read → map → normalize → pseudonymize → store),
``query`` (the stored layout, views and all aggregate SQL), ``measures``, ``conformance`` and
``digitization`` (what a log shows), :mod:`mining.analysis` (:func:`analyze`, which runs them all),
``diagram`` (BPMN drawn by pmo) and ``report`` (rendering frozen report snapshots). This module is
the API for the CLI and the workspace: they import from here, never from the packages inside.

Analysis works on a :class:`LogView` (a stored log plus filters; a log in, a log out)::

    view = filter_variants_top_k(open_log(events), 10)
    get_dfg(view); find_bottlenecks(view); analyze(view, process=context)

:func:`analyze_stored` is :func:`analyze` of a stored log kept on disk beside it
(:mod:`mining.cache`), reused until the log, its filters, model or settings change and removed
with the log; a change of the assumptions recomputes only the candidates.

:func:`analyze` returns an :class:`AnalysisResult`, a plain dict whose keys, meanings and units
:mod:`mining.results` documents (the contract of ``pmo analyze --json``).

Every finding has its cases: narrow the view to it (an edge: :func:`filter_directly_follows`, a
variant: :func:`filter_variants`, a deviation: :func:`deviation_cases`) and list them::

    get_cases(filter_directly_follows(view, "A", "B"), numbering=view, limit=50)
    case_trace(view, case); cases_csv(case_list); describe_filter(f); describe_period(view)
"""

from mining.analysis import AnalysisOptions as AnalysisOptions
from mining.analysis import EmptySelectionError as EmptySelectionError
from mining.analysis import ProcessContext as ProcessContext
from mining.analysis import analyze as analyze
from mining.analysis import channel_column as channel_column
from mining.analysis import process_conformance as process_conformance
from mining.cache import AnalysisCache as AnalysisCache
from mining.conformance import MEASURES as MEASURES
from mining.conformance import ActivityMappingError as ActivityMappingError
from mining.conformance import ConformanceError as ConformanceError
from mining.conformance import ConvertedModel as ConvertedModel
from mining.conformance import ElementFigure as ElementFigure
from mining.conformance import ModelConversionError as ModelConversionError
from mining.conformance import check_conformance as check_conformance
from mining.conformance import convert_to_petri_net as convert_to_petri_net
from mining.conformance import deviation_cases as deviation_cases
from mining.conformance import deviation_variants as deviation_variants
from mining.conformance import element_figures as element_figures
from mining.conformance import map_activities as map_activities
from mining.conformance import unmodelled_activities as unmodelled_activities
from mining.conformance import unplaced_activities as unplaced_activities
from mining.diagram import write_bpmn as write_bpmn
from mining.digitization import ASSUMPTION_LABELS as ASSUMPTION_LABELS
from mining.digitization import RECOMMENDATION_NAMES as RECOMMENDATION_NAMES
from mining.digitization import SCENARIO_KINDS as SCENARIO_KINDS
from mining.digitization import Assumptions as Assumptions
from mining.digitization import AssumptionsError as AssumptionsError
from mining.digitization import ProcessFacts as ProcessFacts
from mining.digitization import ScenarioError as ScenarioError
from mining.digitization import ScenarioResult as ScenarioResult
from mining.digitization import checked_values as checked_values
from mining.digitization import facts_from_model as facts_from_model
from mining.digitization import load_assumptions as load_assumptions
from mining.digitization import register_candidates as register_candidates
from mining.digitization import run_scenario as run_scenario
from mining.digitization import save_assumptions as save_assumptions
from mining.digitization import score_explanation as score_explanation
from mining.digitization import shown_signal as shown_signal
from mining.digitization import toml_text as toml_text
from mining.digitization import write_toml as write_toml
from mining.errors import EventLogError as EventLogError
from mining.errors import MappingError as MappingError
from mining.errors import MiningError as MiningError
from mining.errors import UnsafeFileError as UnsafeFileError
from mining.formats import MISSING as MISSING
from mining.formats import format_currency as format_currency
from mining.formats import format_date as format_date
from mining.formats import format_datetime as format_datetime
from mining.formats import format_duration as format_duration
from mining.formats import format_integer as format_integer
from mining.formats import format_number as format_number
from mining.formats import format_percent as format_percent
from mining.formats import is_missing as is_missing
from mining.ingest import MIN_MODEL_SHARE as MIN_MODEL_SHARE
from mining.ingest import OPTIONAL_ROLES as OPTIONAL_ROLES
from mining.ingest import REQUIRED_ROLES as REQUIRED_ROLES
from mining.ingest import SUPPORTED_FORMATS as SUPPORTED_FORMATS
from mining.ingest import ActivityOverlap as ActivityOverlap
from mining.ingest import ColumnMapping as ColumnMapping
from mining.ingest import Detected as Detected
from mining.ingest import ImportCheck as ImportCheck
from mining.ingest import ImportOptions as ImportOptions
from mining.ingest import ImportResult as ImportResult
from mining.ingest import LogInfo as LogInfo
from mining.ingest import LogNotFoundError as LogNotFoundError
from mining.ingest import LogStore as LogStore
from mining.ingest import MappingSuggestion as MappingSuggestion
from mining.ingest import ModelReview as ModelReview
from mining.ingest import ReadOptions as ReadOptions
from mining.ingest import SecretKey as SecretKey
from mining.ingest import TimestampPolicy as TimestampPolicy
from mining.ingest import UploadReview as UploadReview
from mining.ingest import activity_names as activity_names
from mining.ingest import describe_format as describe_format
from mining.ingest import detect_timestamp_format as detect_timestamp_format
from mining.ingest import file_sha256 as file_sha256
from mining.ingest import ingest_file as ingest_file
from mining.ingest import load_or_create_secret as load_or_create_secret
from mining.ingest import open_table as open_table
from mining.ingest import preview_table as preview_table
from mining.ingest import suggest_mapping as suggest_mapping
from mining.measures import COUNTING_RULE as COUNTING_RULE
from mining.measures import DeadlineStatus as DeadlineStatus
from mining.measures import GroupTooSmallError as GroupTooSmallError
from mining.measures import UnitFigures as UnitFigures
from mining.measures import WorkingCalendar as WorkingCalendar
from mining.measures import case_trends as case_trends
from mining.measures import clock_texts as clock_texts
from mining.measures import compare_channels as compare_channels
from mining.measures import counting_rule as counting_rule
from mining.measures import deadline_status as deadline_status
from mining.measures import discover_bpmn as discover_bpmn
from mining.measures import discover_process_tree as discover_process_tree
from mining.measures import find_bottlenecks as find_bottlenecks
from mining.measures import find_handovers as find_handovers
from mining.measures import find_rework as find_rework
from mining.measures import group_statistics as group_statistics
from mining.measures import lower_saxony_holidays as lower_saxony_holidays
from mining.measures import map_dot as map_dot
from mining.measures import office_calendar as office_calendar
from mining.measures import reduce_map as reduce_map
from mining.measures import unit_figures as unit_figures
from mining.query import CaseList as CaseList
from mining.query import CaseListRecord as CaseListRecord
from mining.query import CaseOrder as CaseOrder
from mining.query import CaseRow as CaseRow
from mining.query import Filter as Filter
from mining.query import LogView as LogView
from mining.query import LogViewError as LogViewError
from mining.query import TraceStep as TraceStep
from mining.query import VariantCount as VariantCount
from mining.query import attribute_columns as attribute_columns
from mining.query import case_trace as case_trace
from mining.query import describe_filter as describe_filter
from mining.query import describe_period as describe_period
from mining.query import filter_activity_presence as filter_activity_presence
from mining.query import filter_attribute as filter_attribute
from mining.query import filter_case_duration as filter_case_duration
from mining.query import filter_directly_follows as filter_directly_follows
from mining.query import filter_endpoints as filter_endpoints
from mining.query import filter_local_days as filter_local_days
from mining.query import filter_time_range as filter_time_range
from mining.query import filter_variant_coverage as filter_variant_coverage
from mining.query import filter_variants as filter_variants
from mining.query import filter_variants_top_k as filter_variants_top_k
from mining.query import get_activity_times as get_activity_times
from mining.query import get_attribute_values as get_attribute_values
from mining.query import get_case_durations as get_case_durations
from mining.query import get_cases as get_cases
from mining.query import get_dfg as get_dfg
from mining.query import get_log_stats as get_log_stats
from mining.query import get_start_end_activities as get_start_end_activities
from mining.query import get_variants as get_variants
from mining.query import open_log as open_log
from mining.report import cases_csv as cases_csv
from mining.report import conclusions as conclusions
from mining.report import neutralize as neutralize
from mining.report import redact_snapshot as redact_snapshot
from mining.report import render_report as render_report
from mining.report import step_totals as step_totals
from mining.report import write_csv as write_csv
from mining.results import AnalysisResult as AnalysisResult
from mining.stored_analysis import PARTS as PARTS
from mining.stored_analysis import Part as Part
from mining.stored_analysis import analyze_stored as analyze_stored
from mining.stored_analysis import conformance_stored as conformance_stored
from mining.texts import Text as Text
from mining.texts import default_language as default_language
from mining.texts import localized as localized
from mining.texts import reading as reading
from mining.texts import tr as tr

__all__ = [
    "ASSUMPTION_LABELS",
    "COUNTING_RULE",
    "counting_rule",
    "MEASURES",
    "MISSING",
    "MIN_MODEL_SHARE",
    "OPTIONAL_ROLES",
    "RECOMMENDATION_NAMES",
    "REQUIRED_ROLES",
    "SUPPORTED_FORMATS",
    "ActivityMappingError",
    "ActivityOverlap",
    "AnalysisCache",
    "AnalysisOptions",
    "AnalysisResult",
    "Assumptions",
    "AssumptionsError",
    "CaseList",
    "CaseListRecord",
    "CaseOrder",
    "CaseRow",
    "ColumnMapping",
    "ConformanceError",
    "ConvertedModel",
    "DeadlineStatus",
    "Detected",
    "ElementFigure",
    "EmptySelectionError",
    "EventLogError",
    "Filter",
    "GroupTooSmallError",
    "ImportCheck",
    "ImportOptions",
    "ImportResult",
    "LogInfo",
    "LogNotFoundError",
    "LogStore",
    "LogView",
    "LogViewError",
    "MappingError",
    "MappingSuggestion",
    "MiningError",
    "ModelConversionError",
    "ModelReview",
    "ProcessContext",
    "ProcessFacts",
    "SCENARIO_KINDS",
    "ScenarioError",
    "ScenarioResult",
    "ReadOptions",
    "SecretKey",
    "Text",
    "TimestampPolicy",
    "TraceStep",
    "UnitFigures",
    "UnsafeFileError",
    "UploadReview",
    "VariantCount",
    "WorkingCalendar",
    "activity_names",
    "analyze",
    "PARTS",
    "Part",
    "analyze_stored",
    "conformance_stored",
    "attribute_columns",
    "case_trace",
    "case_trends",
    "channel_column",
    "cases_csv",
    "check_conformance",
    "checked_values",
    "clock_texts",
    "compare_channels",
    "conclusions",
    "convert_to_petri_net",
    "deadline_status",
    "default_language",
    "describe_filter",
    "describe_format",
    "describe_period",
    "detect_timestamp_format",
    "deviation_cases",
    "deviation_variants",
    "discover_bpmn",
    "discover_process_tree",
    "element_figures",
    "facts_from_model",
    "file_sha256",
    "filter_activity_presence",
    "filter_attribute",
    "filter_case_duration",
    "filter_directly_follows",
    "filter_endpoints",
    "filter_local_days",
    "filter_time_range",
    "filter_variant_coverage",
    "filter_variants",
    "filter_variants_top_k",
    "find_bottlenecks",
    "find_handovers",
    "find_rework",
    "format_currency",
    "format_date",
    "format_datetime",
    "format_duration",
    "format_integer",
    "format_number",
    "format_percent",
    "get_activity_times",
    "get_attribute_values",
    "get_case_durations",
    "get_cases",
    "get_dfg",
    "get_log_stats",
    "get_start_end_activities",
    "get_variants",
    "group_statistics",
    "ingest_file",
    "is_missing",
    "load_assumptions",
    "load_or_create_secret",
    "localized",
    "lower_saxony_holidays",
    "map_activities",
    "map_dot",
    "neutralize",
    "office_calendar",
    "open_log",
    "open_table",
    "preview_table",
    "process_conformance",
    "reading",
    "redact_snapshot",
    "reduce_map",
    "register_candidates",
    "run_scenario",
    "render_report",
    "score_explanation",
    "save_assumptions",
    "shown_signal",
    "step_totals",
    "suggest_mapping",
    "toml_text",
    "tr",
    "unit_figures",
    "unmodelled_activities",
    "unplaced_activities",
    "write_bpmn",
    "write_csv",
    "write_toml",
]
